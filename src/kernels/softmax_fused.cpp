#include "softmax_fused.hpp"

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "data_pass.hpp"
#include "sparse_pass.hpp"

namespace bilevel {

namespace {

// The softmax of a block of rows, vectorized over the block (Eigen's SIMD exp): for rows
// i < mb of z (row-major, leading dimension ldz) and classes q < c,
//     top_i = max_q (z_iq + b_q),  e_iq = exp(z_iq + b_q - top_i),  sum_i = sum_q e_iq,
// in double whatever the data's scalar (the products are in T, the per-row arithmetic in
// double). Also the shifted logits' inputs l_iq = z_iq + b_q for the callers that need them.
struct BlockSoftmax {
  Eigen::ArrayXXd l, e;  // mb x c, column-major
  Eigen::ArrayXd top, sum;
  Eigen::ArrayXXd dz;  // the callers' scratch: a second block of logits,
  Eigen::ArrayXd w;    // and a value per row

  // This thread's instance: its arrays keep their size from block to block (the sparse pass
  // calls with one row at a time, thousands of times per pass), so no allocation per call.
  static BlockSoftmax& scratch() {
    static thread_local BlockSoftmax s;
    return s;
  }

  template <class T>
  void compute(const T* z, Index ldz, Index mb, Index c, const double* b) {
    logits(z, ldz, mb, c, b, &l);
    top = l.rowwise().maxCoeff();
    // In two steps: Eigen evaluates exp() of a broadcast difference one scalar at a time,
    // of a plain array with its SIMD exp.
    e = l;
    e.colwise() -= top;
    e = e.exp();
    sum = e.rowwise().sum();
  }

  // out (mb x c) = z + b in double.
  template <class T>
  static void logits(const T* z, Index ldz, Index mb, Index c, const double* b,
                     Eigen::ArrayXXd* out) {
    using Block = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Block, 0, Eigen::OuterStride<>> zb(z, mb, c, Eigen::OuterStride<>(ldz));
    *out =
        zb.template cast<double>().rowwise() + Eigen::Map<const Eigen::ArrayXd>(b, c).transpose();
  }
};

template <class T, class Pass, class Storage>
class FusedSoftmax final : public SoftmaxFused {
 public:
  template <class MakePass>
  FusedSoftmax(const data::Dataset& data, Storage owned, MakePass make_pass)
      : labels_(&data.labels),
        n_(data.num_samples()),
        d_(data.num_features()),
        c_(data.num_classes),
        owned_(std::move(owned)),
        pass_(make_pass(owned_)) {}

  void gradients(std::span<const Vec* const> ys, Rows rows, const Vec& s,
                 std::span<Vec* const> grads, Vec* loss, const Vec* ridge) const override {
    const Index k_count = static_cast<Index>(ys.size());
    const Index cp = k_count * c_;
    pack(ys, cp);
    const auto fn = [&](Index r0, Index mb, const T* z, Index ldz, T* coef, Index ldc) {
      BlockSoftmax& sm = BlockSoftmax::scratch();
      for (Index k = 0; k < k_count; ++k) {
        sm.compute(z + k * c_, ldz, mb, c_, bias_.data() + k * c_);
        // Coefficients s_r (p_r - e_label): p = e / sum.
        sm.w = s.segment(r0, mb).array() / sm.sum;
        Out(coef + k * c_, mb, c_, Eigen::OuterStride<>(ldc)) =
            (sm.e.colwise() * sm.w).template cast<T>();
        for (Index i = 0; i < mb; ++i) {
          const int label = label_of(rows, r0 + i);
          coef[i * ldc + k * c_ + label] = T(sm.w(i) * sm.e(i, label) - s(r0 + i));
          if (k == 0 && loss) (*loss)(r0 + i) = sm.top(i) + std::log(sm.sum(i)) - sm.l(i, label);
        }
      }
    };
    if (run(rows, cp, cp, fn, grads, ridge, 0)) return;
    for (Index k = 0; k < k_count; ++k)
      unpack(k, grads[static_cast<std::size_t>(k)], ridge, ys[static_cast<std::size_t>(k)]);
  }

  void hvp(const Vec& y, Rows rows, const Vec& s, const Vec& v, Vec* out,
           const Vec* ridge) const override {
    const Vec* ys[] = {&y, &v};
    const Index cp_in = 2 * c_, cp = c_;
    pack(ys, cp_in);
    // Hess CE_r v = a~_r (x) P_r dz_r with dz_r = V' a_r + v_b, P_r dz = p .* (dz - <p, dz>).
    const auto fn = [&](Index r0, Index mb, const T* z, Index ldz, T* coef, Index ldc) {
      BlockSoftmax& sm = BlockSoftmax::scratch();
      sm.compute(z, ldz, mb, c_, bias_.data());
      BlockSoftmax::logits(z + c_, ldz, mb, c_, bias_.data() + c_, &sm.dz);
      sm.e.colwise() /= sm.sum;  // p
      sm.w = (sm.e * sm.dz).rowwise().sum();
      Out(coef, mb, c_, Eigen::OuterStride<>(ldc)) =
          ((sm.e * (sm.dz.colwise() - sm.w)).colwise() * s.segment(r0, mb).array())
              .template cast<T>();
    };
    if (!run(rows, cp_in, cp, fn, {&out, 1}, ridge, 1)) unpack(0, out, ridge, &v);
  }

  void directional(const Vec& y, Rows rows, const Vec& v, Vec* d) const override {
    const Vec* ys[] = {&y, &v};
    const Index cp_in = 2 * c_;
    pack(ys, cp_in);
    // <grad CE_r, v> = <p_r - e_label, dz_r>.
    run(rows, cp_in, 0, [&](Index r0, Index mb, const T* z, Index ldz, T*, Index) {
      BlockSoftmax& sm = BlockSoftmax::scratch();
      sm.compute(z, ldz, mb, c_, bias_.data());
      BlockSoftmax::logits(z + c_, ldz, mb, c_, bias_.data() + c_, &sm.dz);
      sm.w = (sm.e * sm.dz).rowwise().sum() / sm.sum;
      for (Index i = 0; i < mb; ++i) (*d)(r0 + i) = sm.w(i) - sm.dz(i, label_of(rows, r0 + i));
    });
  }

  Index losses(const Vec& y, Rows rows, Vec* loss) const override {
    const Vec* ys[] = {&y};
    const Index cp_in = c_;
    pack(ys, cp_in);
    const Index m = rows.empty() ? n_ : static_cast<Index>(rows.size());
    correct_.assign(static_cast<std::size_t>(m), 0);
    run(rows, cp_in, 0, [&](Index r0, Index mb, const T* z, Index ldz, T*, Index) {
      BlockSoftmax& sm = BlockSoftmax::scratch();
      sm.compute(z, ldz, mb, c_, bias_.data());
      for (Index i = 0; i < mb; ++i) {
        const int label = label_of(rows, r0 + i);
        (*loss)(r0 + i) = sm.top(i) + std::log(sm.sum(i)) - sm.l(i, label);
        // Correct when the label's logit is strictly the largest (ties count wrong, as in
        // SoftmaxRegression::accuracy, which takes the first maximum).
        Index best = 0;
        while (sm.l(i, best) < sm.top(i)) ++best;
        correct_[static_cast<std::size_t>(r0 + i)] = best == label;
      }
    });
    Index total = 0;
    for (char c : correct_) total += c;
    return total;
  }

 private:
  int label_of(Rows rows, Index r) const {
    return (
        *labels_)[static_cast<std::size_t>(rows.empty() ? r : rows[static_cast<std::size_t>(r)])];
  }

  // A block of coefficients (row-major, with the pass's leading dimension).
  using Out = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                         Eigen::OuterStride<>>;

  // A pass that reads W and writes G in y's own layout ([W row-major; b], see
  // softmax_regression.hpp) itself (SparsePass: for text data they are d x C blocks of
  // megabytes) takes the vectors as they are: no copies. The dense pass reads W from y when
  // the scalar is double and one point is asked for, and writes G class-major (unpack()).
  static constexpr bool kCallerLayout = std::is_same_v<Pass, SparsePass<T>>;
  static constexpr bool kDouble = std::is_same_v<T, double>;

  // bias_ = [b_0 | b_1 | ...]; the pass's W: the vectors themselves (w_in_, caller layout),
  // y's W (one point in double) or w_ptr_ = [W_0 | W_1 | ...] (d x cp) converted to T.
  void pack(std::span<const Vec* const> ys, Index cp) const {
    const Index k_count = static_cast<Index>(ys.size());
    bias_.resize(static_cast<std::size_t>(k_count * c_));
    for (Index k = 0; k < k_count; ++k)
      for (Index q = 0; q < c_; ++q)
        bias_[static_cast<std::size_t>(k * c_ + q)] =
            (*ys[static_cast<std::size_t>(k)])(d_ * c_ + q);
    if constexpr (kCallerLayout) {
      w_in_.resize(ys.size());
      for (std::size_t k = 0; k < ys.size(); ++k) w_in_[k] = ys[k]->data();
      return;
    }
    if constexpr (kDouble) {
      if (k_count == 1) {
        w_ptr_ = ys[0]->data();
        return;
      }
    }
    w_.resize(static_cast<std::size_t>(d_ * cp));
    for (Index k = 0; k < k_count; ++k) {
      const double* y = ys[static_cast<std::size_t>(k)]->data();
      for (Index j = 0; j < d_; ++j)
        for (Index q = 0; q < c_; ++q)
          w_[static_cast<std::size_t>(j * cp + k * c_ + q)] = T(y[j * c_ + q]);
    }
    w_ptr_ = w_.data();
  }

  // One pass. A caller-layout pass writes G and gb into `outs` (resized to y's dimension),
  // with the ridge's term of input block k + ridge_from on output block k, and run() returns
  // true; else they go to g_ and gb_ for unpack() and run() returns false.
  template <class BlockFn>
  bool run(Rows rows, Index cp_in, Index cp_out, BlockFn&& fn, std::span<Vec* const> outs = {},
           const Vec* ridge = nullptr, Index ridge_from = 0) const {
    if constexpr (kCallerLayout) {
      g_out_.clear();
      gb_out_.clear();
      for (std::size_t k = 0; k < (cp_out > 0 ? outs.size() : 0); ++k) {
        outs[k]->resize((d_ + 1) * c_);
        g_out_.push_back(outs[k]->data());
        gb_out_.push_back(outs[k]->data() + d_ * c_);
      }
      pass_.run(rows, {w_in_, g_out_, gb_out_, c_, ridge ? ridge->data() : nullptr, ridge_from},
                fn);
      return true;
    } else {
      g_.resize(static_cast<std::size_t>(d_ * cp_out));
      gb_.resize(static_cast<std::size_t>(cp_out));
      pass_.run(rows, w_ptr_, cp_in, cp_out, fn, g_.data(), gb_.data());
      return false;
    }
  }

  // out = block k of the last dense pass's G (class-major) and gb, in y's layout; with a
  // ridge, plus ridge(j) times row j of src's W on row j.
  void unpack(Index k, Vec* out, const Vec* ridge = nullptr, const Vec* src = nullptr) const {
    out->resize((d_ + 1) * c_);
    for (Index q = 0; q < c_; ++q) {
      const T* gq = g_.data() + (k * c_ + q) * d_;
      for (Index j = 0; j < d_; ++j) (*out)(j * c_ + q) = double(gq[j]);
    }
    if (ridge)
      for (Index j = 0; j < d_; ++j)
        out->segment(j * c_, c_) += (*ridge)(j) * src->segment(j * c_, c_);
    for (Index q = 0; q < c_; ++q)
      (*out)(d_ * c_ + q) = double(gb_[static_cast<std::size_t>(k * c_ + q)]);
  }

  const std::vector<int>* labels_;
  Index n_, d_, c_;
  Storage owned_;
  Pass pass_;
  mutable std::vector<T> w_, g_, gb_;
  mutable const T* w_ptr_ = nullptr;
  mutable std::vector<const double*> w_in_;      // caller layout: the blocks of W (y's layout)
  mutable std::vector<double*> g_out_, gb_out_;  // ... and of G and gb (the outputs)
  mutable std::vector<double> bias_;
  mutable std::vector<char> correct_;
};

// Sparse data with few features (LIBSVM's australian: 690 x 14; a9a: 32561 x 123, 11% non-zeros)
// runs faster through the dense pass (bench/sparse_pass_bench.cpp BM_LibsvmGradient: 2-3x on
// australian, 0-40% on a9a over several runs of a loaded machine), for a dense copy at most
// 16 times the non-zeros and of at most 2^25 entries (256 MB in double); text data (0.1% non-
// zeros) stays sparse.
bool dense_is_cheaper(const data::SparseMatrix& a) {
  const double cells = static_cast<double>(a.rows()) * static_cast<double>(a.cols());
  if (cells > 0x1p25) return false;
  return a.cols() <= 32 || cells <= 16.0 * static_cast<double>(a.nonZeros());
}

// A dense row-major copy of a CSR matrix, in T.
template <class T>
std::vector<T> dense_copy(const data::SparseMatrix& a) {
  std::vector<T> out(static_cast<std::size_t>(a.rows() * a.cols()), T(0));
  for (Index i = 0; i < a.rows(); ++i)
    for (data::SparseMatrix::InnerIterator it(a, i); it; ++it)
      out[static_cast<std::size_t>(i * a.cols() + it.col())] = static_cast<T>(it.value());
  return out;
}

template <class T>
std::unique_ptr<SoftmaxFused> dense_from_sparse(const data::Dataset& data) {
  const Index n = data.num_samples(), d = data.num_features();
  using Dense = std::vector<T>;
  return std::make_unique<FusedSoftmax<T, DensePass<T>, Dense>>(
      data, dense_copy<T>(data.sparse()),
      [n, d](const Dense& a) { return DensePass<T>(a.data(), n, d); });
}

}  // namespace

std::int64_t softmax_fused_bytes(const data::Dataset& data, bool single_precision) {
  const Index n = data.num_samples(), d = data.num_features(), c = data.num_classes;
  const std::int64_t scalar = single_precision ? sizeof(float) : sizeof(double);
  std::int64_t bytes = 0;
  auto add = [&bytes](std::int64_t more) {
    // Saturates: an overflowing size is more than any budget.
    bytes = more > std::numeric_limits<std::int64_t>::max() - bytes
                ? std::numeric_limits<std::int64_t>::max()
                : bytes + more;
  };
  const std::optional<Index> cells = checked_mul(n, d);
  if (!data.is_sparse()) {
    if (single_precision)
      add(cells ? bytes_for(*cells, scalar) : std::numeric_limits<std::int64_t>::max());
    return bytes;
  }
  const data::SparseMatrix& a = data.sparse();
  const Index nnz = a.nonZeros();
  if (dense_is_cheaper(a)) {
    add(bytes_for(*cells, scalar));  // at most 2^25 entries (dense_is_cheaper)
    return bytes;
  }
  using FloatCsr = SparsePass<float>::Matrix;
  if (single_precision)  // the float CSR: values, column indices, row offsets
    add(bytes_for(nnz, sizeof(float) + sizeof(FloatCsr::StorageIndex)) + bytes_for(n + 1, 8));
  add(bytes_for(nnz, scalar + sizeof(std::int32_t)));  // the CSC: values and row indices
  add(bytes_for(d + 1, sizeof(std::int64_t)));         // ... and column offsets
  // The forward's shares of Z and the coefficients, for two stacked points (F2BA's y and z).
  add(bytes_for(n, (SparsePass<double>::kForwardChunks + 1) * scalar *
                       kernels::padded_columns<double>(2 * c)));
  return bytes;
}

std::unique_ptr<SoftmaxFused> make_softmax_fused(const data::Dataset& data, bool single_precision) {
  const Index n = data.num_samples(), d = data.num_features();
  if (data.is_sparse()) {
    if (dense_is_cheaper(data.sparse()))
      return single_precision ? dense_from_sparse<float>(data) : dense_from_sparse<double>(data);
    if (!single_precision) {
      const data::SparseMatrix* a = &data.sparse();
      return std::make_unique<FusedSoftmax<double, SparsePass<double>, data::SparseMatrix>>(
          data, data::SparseMatrix{},
          [a](const data::SparseMatrix&) { return SparsePass<double>(a); });
    }
    using FloatCsr = SparsePass<float>::Matrix;
    return std::make_unique<FusedSoftmax<float, SparsePass<float>, FloatCsr>>(
        data, FloatCsr(data.sparse().cast<float>()),
        [](const FloatCsr& a) { return SparsePass<float>(&a); });
  }
  using DenseD = std::vector<double>;
  using DenseF = std::vector<float>;
  if (!single_precision) {
    const double* a = data.dense().data();
    return std::make_unique<FusedSoftmax<double, DensePass<double>, DenseD>>(
        data, DenseD{}, [a, n, d](const DenseD&) { return DensePass<double>(a, n, d); });
  }
  const auto& dense = data.dense();
  DenseF copy(static_cast<std::size_t>(n * d));
  for (Index i = 0; i < n * d; ++i)
    copy[static_cast<std::size_t>(i)] = static_cast<float>(dense.data()[i]);
  return std::make_unique<FusedSoftmax<float, DensePass<float>, DenseF>>(
      data, std::move(copy), [n, d](const DenseF& a) { return DensePass<float>(a.data(), n, d); });
}

}  // namespace bilevel
