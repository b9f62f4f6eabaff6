#include "small_gemm.hpp"

#include <libxsmm.h>

#include <Eigen/Core>
#include <type_traits>

namespace bilevel::kernels {

namespace {

template <class T>
void* dispatch(Index m, Index n, Index k, Index lda, Index ldb, Index ldc, bool accumulate) {
  const libxsmm_blasint mm = m, nn = n, kk = k, la = lda, lb = ldb, lc = ldc;
  const T alpha = 1, beta = accumulate ? 1 : 0;
  if constexpr (std::is_same_v<T, float>)
    return reinterpret_cast<void*>(
        libxsmm_smmdispatch(mm, nn, kk, &la, &lb, &lc, &alpha, &beta, nullptr, nullptr));
  else
    return reinterpret_cast<void*>(
        libxsmm_dmmdispatch(mm, nn, kk, &la, &lb, &lc, &alpha, &beta, nullptr, nullptr));
}

}  // namespace

template <class T>
SmallGemm<T>::SmallGemm(Index m, Index n, Index k, Index lda, Index ldb, Index ldc, bool accumulate)
    : m_(m), n_(n), k_(k), lda_(lda), ldb_(ldb), ldc_(ldc), accumulate_(accumulate) {
  if (m > 0 && n > 0 && k > 0) kernel_ = dispatch<T>(m, n, k, lda, ldb, ldc, accumulate);
}

template <class T>
void SmallGemm<T>::operator()(const T* a, const T* b, T* c) const {
  if (kernel_) {
    if constexpr (std::is_same_v<T, float>) reinterpret_cast<libxsmm_smmfunction>(kernel_)(a, b, c);
    else reinterpret_cast<libxsmm_dmmfunction>(kernel_)(a, b, c);
    return;
  }
  if (m_ == 0 || n_ == 0) return;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using Stride = Eigen::OuterStride<>;
  Eigen::Map<const Mat, 0, Stride> am(a, m_, k_, Stride(lda_)), bm(b, k_, n_, Stride(ldb_));
  Eigen::Map<Mat, 0, Stride> cm(c, m_, n_, Stride(ldc_));
  if (accumulate_) cm.noalias() += am * bm;
  else cm.noalias() = am * bm;
}

const char* small_gemm_target() { return libxsmm_get_target_arch(); }

template class SmallGemm<float>;
template class SmallGemm<double>;

}  // namespace bilevel::kernels
