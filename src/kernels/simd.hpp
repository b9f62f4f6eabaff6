// 32-byte SIMD vectors for the hand-written loops of the sparse pass (sparse_pass.hpp): the
// gathers and scatters of rows of W and G at the non-zeros of a CSR/CSC matrix, a pattern no
// kept library offers for these shapes (bench/sparse_pass_bench.cpp measured Eigen's sparse
// products against it). AVX2/FMA intrinsics when the build targets them (BILEVEL_NATIVE on an
// AVX2 machine), else GCC/Clang vector extensions of the same width. The dense pass's
// products are library kernels (small_gemm.hpp).
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
// accumulator index is then a constant from the start, and GCC keeps the accumulators in
// registers (with loop indices it stored them to the stack on every step, measured 30%
// slower).
template <int N, class F>
inline __attribute__((always_inline)) void unroll(F&& f) {
  [&]<int... I>(std::integer_sequence<int, I...>) {
    (f(std::integral_constant<int, I>{}), ...);
  }(std::make_integer_sequence<int, N>{});
}

}  // namespace detail

}  // namespace bilevel::kernels
