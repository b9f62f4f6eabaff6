// C = A B (+ C) for small column-major blocks, the products of the fused data pass. The kernel
// comes from libxsmm (`libxsmm-dev`): a JIT code generator that writes, at run time and for the
// CPU it runs on (AVX2, AVX-512, ...), a kernel for exactly these sizes, cached by the library.
// bench/fused_pass_bench.cpp measured it against Eigen's GEMM and the project's former
// hand-written register tiles on the pass's shapes; docs/PERFORMANCE.md has the figures.
// Where libxsmm cannot generate a kernel (a CPU it does not know), Eigen's GEMM computes the
// same product.
//
// A kernel depends only on its sizes and the CPU, never on the thread count: results are the
// same for any number of threads. libxsmm stays an implementation detail of src/kernels (no
// public header includes it).
#pragma once

#include "bilevel/core/types.hpp"

namespace bilevel::kernels {

template <class T>
class SmallGemm {
 public:
  // C (m x n, leading dimension ldc) = A (m x k, lda) B (k x n, ldb), plus C when accumulate.
  SmallGemm(Index m, Index n, Index k, Index lda, Index ldb, Index ldc, bool accumulate);

  void operator()(const T* a, const T* b, T* c) const;

  // Whether a generated kernel runs (false: Eigen's GEMM).
  bool jit() const { return kernel_ != nullptr; }

 private:
  Index m_, n_, k_, lda_, ldb_, ldc_;
  bool accumulate_;
  void* kernel_ = nullptr;  // libxsmm_{s,d}mmfunction
};

extern template class SmallGemm<float>;
extern template class SmallGemm<double>;

// The CPU libxsmm generates kernels for (e.g. "hsw" = AVX2, "clx"/"cpx" = AVX-512).
const char* small_gemm_target();

}  // namespace bilevel::kernels
