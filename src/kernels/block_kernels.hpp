// Register-blocked micro-kernels for the skinny dense products of the softmax problems:
//     logits:     Z = A_blk W        (m x d) (d x cp) -> (m x cp)
//     transpose:  G += A_blk' C      (d x m) (m x cp) -> (d x cp)
// with cp, the (padded) number of columns, a multiple of the SIMD width. These shapes (cp of
// 10 to 40, d in the hundreds, m a cache block of rows) are where generic GEMM loses most of
// its speed: each kernel keeps a tile of R rows x NV vectors (at most 12 accumulators) in
// registers and streams the other operand, so every loaded element of A feeds NV fused
// multiply-adds.
//
// Rows of A are given as pointers (rows[i] = first feature of row i), so a minibatch (rows
// scattered through the dataset) and the full data use the same kernels without copying.
//
// AVX2/FMA intrinsics when the build targets them (BILEVEL_NATIVE on an AVX2 machine), else
// GCC/Clang vector extensions of the same width.
#pragma once

#include <cstring>
#include <utility>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "bilevel/core/types.hpp"

namespace bilevel::kernels {

// 32-byte vectors of T: load, store, broadcast of one element from memory, fused multiply-add.
#if defined(__AVX2__) && defined(__FMA__)
template <class T>
struct Simd;

template <>
struct Simd<double> {
  using V = __m256d;
  static constexpr Index kWidth = 4;
  static V zero() { return _mm256_setzero_pd(); }
  static V load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, V v) { _mm256_storeu_pd(p, v); }
  static V broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }  // a * b + c
};

template <>
struct Simd<float> {
  using V = __m256;
  static constexpr Index kWidth = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
};
#else
// Portable fallback: GCC/Clang vector extensions (two SSE registers per vector). The vectors
// never cross a non-inlined call boundary, so GCC's note about their ABI does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
template <class T>
struct Simd {
  static constexpr Index kWidth = 32 / static_cast<Index>(sizeof(T));
  typedef T V __attribute__((vector_size(32)));
  static V zero() { return V{}; }
  static V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(T* p, V v) { std::memcpy(p, &v, sizeof v); }
  static V broadcast(const T* p) {
    V v;
    for (Index k = 0; k < kWidth; ++k) v[k] = *p;
    return v;
  }
  static V fma(V a, V b, V c) { return a * b + c; }
};
#endif

// Columns padded up to a multiple of the SIMD width of T.
template <class T>
constexpr Index padded_columns(Index c) {
  constexpr Index w = Simd<T>::kWidth;
  return (c + w - 1) / w * w;
}

namespace detail {

// Calls f(std::integral_constant<int, I>{}) for I = 0..N-1, expanded at compile time: every
// accumulator index in the tiles below is then a constant from the start, and GCC keeps the
// accumulators in registers (with loop indices it stored them to the stack on every step,
// measured 30% slower).
template <int N, class F>
inline __attribute__((always_inline)) void unroll(F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) {
    (f(std::integral_constant<int, I>{}), ...);
  }(std::make_integer_sequence<int, N>{});
}

// Z rows i < R: z[i][0, NV w) = sum_j rows[i][j] W[j][0, NV w).
template <class T, int NV, int R>
inline void logits_tile(const T* const* rows, Index d, const T* w, T* z, Index ldz) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr Index kW = S::kWidth;
  V acc[R * NV];
  unroll<R * NV>([&](auto k) { acc[k] = S::zero(); });
  for (Index j = 0; j < d; ++j) {
    V wj[NV];
    unroll<NV>([&](auto v) { wj[v] = S::load(w + j * NV * kW + v * kW); });
    unroll<R>([&](auto i) {
      const V a = S::broadcast(rows[i] + j);
      unroll<NV>([&](auto v) { acc[i * NV + v] = S::fma(a, wj[v], acc[i * NV + v]); });
    });
  }
  unroll<R>([&](auto i) {
    unroll<NV>([&](auto v) { S::store(z + i * ldz + v * kW, acc[i * NV + v]); });
  });
}

template <class T, int NV, int R>
void logits_fixed(const T* const* rows, Index m, Index d, const T* w, T* z, Index ldz) {
  Index i = 0;
  for (; i + R <= m; i += R) logits_tile<T, NV, R>(rows + i, d, w, z + i * ldz, ldz);
  for (; i < m; ++i) logits_tile<T, NV, 1>(rows + i, d, w, z + i * ldz, ldz);
}

// G rows j0 <= j < j0 + TJ: g[j][0, NV w) += sum_i rows[i][j] C[i][0, NV w).
template <class T, int NV, int TJ>
inline void transpose_tile(const T* const* rows, Index m, Index j0, const T* c, Index ldc,
                           T* g) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr Index kW = S::kWidth;
  constexpr Index kCp = NV * kW;
  V acc[TJ * NV];
  unroll<TJ>([&](auto t) {
    unroll<NV>([&](auto v) { acc[t * NV + v] = S::load(g + (j0 + t) * kCp + v * kW); });
  });
  for (Index i = 0; i < m; ++i) {
    V ci[NV];
    unroll<NV>([&](auto v) { ci[v] = S::load(c + i * ldc + v * kW); });
    const T* a = rows[i] + j0;
    unroll<TJ>([&](auto t) {
      const V s = S::broadcast(a + t);
      unroll<NV>([&](auto v) { acc[t * NV + v] = S::fma(s, ci[v], acc[t * NV + v]); });
    });
  }
  unroll<TJ>([&](auto t) {
    unroll<NV>([&](auto v) { S::store(g + (j0 + t) * kCp + v * kW, acc[t * NV + v]); });
  });
}

template <class T, int NV, int TJ>
void transpose_fixed(const T* const* rows, Index m, Index d, const T* c, Index ldc, T* g) {
  Index j = 0;
  for (; j + TJ <= d; j += TJ) transpose_tile<T, NV, TJ>(rows, m, j, c, ldc, g);
  for (; j < d; ++j) transpose_tile<T, NV, 1>(rows, m, j, c, ldc, g);
}

// Any width: plain loops the compiler vectorizes over the columns.
template <class T>
void logits_generic(const T* const* rows, Index m, Index d, const T* w, Index cp, T* z,
                    Index ldz) {
  for (Index i = 0; i < m; ++i) {
    T* zi = z + i * ldz;
    for (Index k = 0; k < cp; ++k) zi[k] = T(0);
    for (Index j = 0; j < d; ++j) {
      const T a = rows[i][j];
      const T* wj = w + j * cp;
      for (Index k = 0; k < cp; ++k) zi[k] += a * wj[k];
    }
  }
}

template <class T>
void transpose_generic(const T* const* rows, Index m, Index d, const T* c, Index cp, Index ldc,
                       T* g) {
  for (Index i = 0; i < m; ++i) {
    const T* ci = c + i * ldc;
    for (Index j = 0; j < d; ++j) {
      const T a = rows[i][j];
      T* gj = g + j * cp;
      for (Index k = 0; k < cp; ++k) gj[k] += a * ci[k];
    }
  }
}

// The register tile for NV vectors per row: R rows (logits) or R features (transpose) with
// R * NV <= 12 accumulators plus NV + 1 operand registers. Calls f(NV, R) with both as
// integral constants; returns false for widths without a tile.
template <class F>
bool with_tile(Index nv, F&& f) {
  using std::integral_constant;
  switch (nv) {
    case 1: f(integral_constant<int, 1>{}, integral_constant<int, 8>{}); return true;
    case 2: f(integral_constant<int, 2>{}, integral_constant<int, 6>{}); return true;
    case 3: f(integral_constant<int, 3>{}, integral_constant<int, 4>{}); return true;
    case 4: f(integral_constant<int, 4>{}, integral_constant<int, 3>{}); return true;
    case 5: f(integral_constant<int, 5>{}, integral_constant<int, 2>{}); return true;
    case 6: f(integral_constant<int, 6>{}, integral_constant<int, 2>{}); return true;
    default: return false;
  }
}

}  // namespace detail

// z (m x cp, leading dimension ldz) = A_rows W, for W (d x cp) row-major, cp padded.
template <class T>
void logits(const T* const* rows, Index m, Index d, const T* w, Index cp, T* z, Index ldz) {
  using namespace detail;
  const bool tiled = with_tile(cp / Simd<T>::kWidth, [&](auto nv, auto r) {
    logits_fixed<T, decltype(nv)::value, decltype(r)::value>(rows, m, d, w, z, ldz);
  });
  if (!tiled) logits_generic<T>(rows, m, d, w, cp, z, ldz);
}

// g (d x cp, row-major, cp padded) += A_rows' C for C (m x cp, leading dimension ldc).
template <class T>
void transpose_accumulate(const T* const* rows, Index m, Index d, const T* c, Index cp,
                          Index ldc, T* g) {
  using namespace detail;
  const bool tiled = with_tile(cp / Simd<T>::kWidth, [&](auto nv, auto tj) {
    transpose_fixed<T, decltype(nv)::value, decltype(tj)::value>(rows, m, d, c, ldc, g);
  });
  if (!tiled) transpose_generic<T>(rows, m, d, c, cp, ldc, g);
}

}  // namespace bilevel::kernels
