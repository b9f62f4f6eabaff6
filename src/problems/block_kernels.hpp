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
// GCC/Clang vector extensions: 32-byte vectors (AVX2 when the build targets it; two SSE
// registers otherwise). FMA contraction needs -ffp-contract=fast (set in CMakeLists.txt).
#pragma once

#include <cstring>

#include "bilevel/types.hpp"

namespace bilevel::kernels {

template <class T>
struct Simd {
  static constexpr int kBytes = 32;
  static constexpr Index kWidth = kBytes / static_cast<int>(sizeof(T));
  typedef T V __attribute__((vector_size(kBytes)));
  static V load(const T* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(T* p, V v) { std::memcpy(p, &v, sizeof v); }
  static V splat(T a) { return V{} + a; }
};

// Columns padded up to a multiple of the SIMD width of T.
template <class T>
constexpr Index padded_columns(Index c) {
  constexpr Index w = Simd<T>::kWidth;
  return (c + w - 1) / w * w;
}

namespace detail {

// Z rows i < R: z[i][0, NV w) = sum_j rows[i][j] W[j][0, NV w).
template <class T, int NV, int R>
inline void logits_tile(const T* const* rows, Index d, const T* w, T* z, Index ldz) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr Index kW = S::kWidth;
  V acc[R][NV];
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = V{};
  for (Index j = 0; j < d; ++j) {
    V wj[NV];
    for (int v = 0; v < NV; ++v) wj[v] = S::load(w + j * NV * kW + v * kW);
    for (int i = 0; i < R; ++i) {
      const V a = S::splat(rows[i][j]);
      for (int v = 0; v < NV; ++v) acc[i][v] += a * wj[v];
    }
  }
  for (int i = 0; i < R; ++i)
    for (int v = 0; v < NV; ++v) S::store(z + i * ldz + v * kW, acc[i][v]);
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
  V acc[TJ][NV];
  for (int t = 0; t < TJ; ++t)
    for (int v = 0; v < NV; ++v) acc[t][v] = S::load(g + (j0 + t) * kCp + v * kW);
  for (Index i = 0; i < m; ++i) {
    V ci[NV];
    for (int v = 0; v < NV; ++v) ci[v] = S::load(c + i * ldc + v * kW);
    const T* a = rows[i] + j0;
    for (int t = 0; t < TJ; ++t) {
      const V s = S::splat(a[t]);
      for (int v = 0; v < NV; ++v) acc[t][v] += s * ci[v];
    }
  }
  for (int t = 0; t < TJ; ++t)
    for (int v = 0; v < NV; ++v) S::store(g + (j0 + t) * kCp + v * kW, acc[t][v]);
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

}  // namespace detail

// z (m x cp, leading dimension ldz) = A_rows W, for W (d x cp) row-major, cp padded.
template <class T>
void logits(const T* const* rows, Index m, Index d, const T* w, Index cp, T* z, Index ldz) {
  using namespace detail;
  // Tiles of R rows x NV vectors: R * NV <= 12 accumulators, plus NV + 1 operand registers.
  switch (cp / Simd<T>::kWidth) {
    case 1: return logits_fixed<T, 1, 8>(rows, m, d, w, z, ldz);
    case 2: return logits_fixed<T, 2, 6>(rows, m, d, w, z, ldz);
    case 3: return logits_fixed<T, 3, 4>(rows, m, d, w, z, ldz);
    case 4: return logits_fixed<T, 4, 3>(rows, m, d, w, z, ldz);
    case 5: return logits_fixed<T, 5, 2>(rows, m, d, w, z, ldz);
    case 6: return logits_fixed<T, 6, 2>(rows, m, d, w, z, ldz);
    default: return logits_generic<T>(rows, m, d, w, cp, z, ldz);
  }
}

// g (d x cp, row-major, cp padded) += A_rows' C for C (m x cp, leading dimension ldc).
template <class T>
void transpose_accumulate(const T* const* rows, Index m, Index d, const T* c, Index cp,
                          Index ldc, T* g) {
  using namespace detail;
  switch (cp / Simd<T>::kWidth) {
    case 1: return transpose_fixed<T, 1, 8>(rows, m, d, c, ldc, g);
    case 2: return transpose_fixed<T, 2, 6>(rows, m, d, c, ldc, g);
    case 3: return transpose_fixed<T, 3, 4>(rows, m, d, c, ldc, g);
    case 4: return transpose_fixed<T, 4, 3>(rows, m, d, c, ldc, g);
    case 5: return transpose_fixed<T, 5, 2>(rows, m, d, c, ldc, g);
    case 6: return transpose_fixed<T, 6, 2>(rows, m, d, c, ldc, g);
    default: return transpose_generic<T>(rows, m, d, c, cp, ldc, g);
  }
}

}  // namespace bilevel::kernels
