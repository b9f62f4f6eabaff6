#include "softmax_fused.hpp"

#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "data_pass.hpp"
#include "sparse_pass.hpp"

namespace bilevel {

namespace {

// Max-shifted softmax of the logits z + b (c classes): returns the shift and sum so that
// p_k = exp(z_k + b_k - top) / sum.
template <class T>
std::pair<double, double> softmax_normalizer(const T* z, const double* b, Index c) {
  double top = -std::numeric_limits<double>::infinity();
  for (Index k = 0; k < c; ++k) top = std::max(top, double(z[k]) + b[k]);
  double sum = 0;
  for (Index k = 0; k < c; ++k) sum += std::exp(double(z[k]) + b[k] - top);
  return {top, sum};
}

// Storage: a converted copy of the features the pass reads (float precision), else empty.
// p = softmax(z + b) into out (c entries, one exp per class); returns {top, sum} as
// softmax_normalizer does.
template <class T>
std::pair<double, double> softmax_into(const T* z, const double* b, Index c, T* out) {
  double top = -std::numeric_limits<double>::infinity();
  for (Index k = 0; k < c; ++k) top = std::max(top, double(z[k]) + b[k]);
  double sum = 0;
  for (Index k = 0; k < c; ++k) {
    const double e = std::exp(double(z[k]) + b[k] - top);
    out[k] = T(e);
    sum += e;
  }
  const double inv = 1.0 / sum;
  for (Index k = 0; k < c; ++k) out[k] = T(double(out[k]) * inv);
  return {top, sum};
}

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
                 std::span<Vec* const> grads, Vec* loss) const override {
    const Index k_count = static_cast<Index>(ys.size());
    const Index cin = k_count * c_, cp = columns(cin);
    pack(ys, cp);
    const bool direct = run(rows, cp, cp, [&](Index r, const T* z, T* coef) {
      const int label = label_of(rows, r);
      for (Index k = 0; k < k_count; ++k) {
        const T* zk = z + k * c_;
        const double* bk = bias_.data() + k * c_;
        T* ck = coef + k * c_;
        const auto [top, sum] = softmax_into(zk, bk, c_, ck);  // p, then s_r (p - e_label)
        for (Index q = 0; q < c_; ++q) ck[q] = T(s(r) * double(ck[q]));
        ck[label] -= T(s(r));
        if (k == 0 && loss) (*loss)(r) = top + std::log(sum) - (double(zk[label]) + bk[label]);
      }
      for (Index q = cin; q < cp; ++q) coef[q] = T(0);
    }, grads);
    if (direct) return;
    for (Index k = 0; k < k_count; ++k) unpack(k, cp, grads[static_cast<std::size_t>(k)]);
  }

  void hvp(const Vec& y, Rows rows, const Vec& s, const Vec& v, Vec* out) const override {
    const Vec* ys[] = {&y, &v};
    const Index cp_in = columns(2 * c_), cp = columns(c_);
    pack(ys, cp_in);
    // Hess CE_r v = a~_r (x) P_r dz_r with dz_r = V' a_r + v_b, P_r dz = p .* (dz - <p, dz>).
    const bool direct = run(rows, cp_in, cp, [&](Index r, const T* z, T* coef) {
      const double* b = bias_.data();
      softmax_into(z, b, c_, coef);  // p, then s_r p .* (dz - <p, dz>)
      double t = 0;
      for (Index q = 0; q < c_; ++q) t += double(coef[q]) * (double(z[c_ + q]) + b[c_ + q]);
      for (Index q = 0; q < c_; ++q)
        coef[q] = T(s(r) * double(coef[q]) * (double(z[c_ + q]) + b[c_ + q] - t));
      for (Index q = c_; q < cp; ++q) coef[q] = T(0);
    }, {&out, 1});
    if (!direct) unpack(0, cp, out);
  }

  void directional(const Vec& y, Rows rows, const Vec& v, Vec* d) const override {
    const Vec* ys[] = {&y, &v};
    const Index cp_in = columns(2 * c_);
    pack(ys, cp_in);
    // <grad CE_r, v> = <p_r - e_label, dz_r>.
    run(rows, cp_in, 0, [&](Index r, const T* z, T*) {
      const double* b = bias_.data();
      const auto [top, sum] = softmax_normalizer(z, b, c_);
      const int label = label_of(rows, r);
      double t = 0;
      for (Index q = 0; q < c_; ++q)
        t += std::exp(double(z[q]) + b[q] - top) / sum * (double(z[c_ + q]) + b[c_ + q]);
      (*d)(r) = t - (double(z[c_ + label]) + b[c_ + label]);
    });
  }

  Index losses(const Vec& y, Rows rows, Vec* loss) const override {
    const Vec* ys[] = {&y};
    const Index cp_in = columns(c_);
    pack(ys, cp_in);
    const Index m = rows.empty() ? n_ : static_cast<Index>(rows.size());
    correct_.assign(static_cast<std::size_t>(m), 0);
    run(rows, cp_in, 0, [&](Index r, const T* z, T*) {
      const double* b = bias_.data();
      const auto [top, sum] = softmax_normalizer(z, b, c_);
      const int label = label_of(rows, r);
      const double zl = double(z[label]) + b[label];
      (*loss)(r) = top + std::log(sum) - zl;
      // Correct when the label's logit is strictly the largest (ties count wrong, as in
      // SoftmaxRegression::accuracy, which takes the first maximum).
      Index best = 0;
      for (Index q = 1; q < c_; ++q)
        if (double(z[q]) + b[q] > double(z[best]) + b[best]) best = q;
      correct_[static_cast<std::size_t>(r)] = best == label;
    });
    Index total = 0;
    for (char c : correct_) total += c;
    return total;
  }

 private:
  int label_of(Rows rows, Index r) const {
    return (*labels_)[static_cast<std::size_t>(rows.empty() ? r : rows[static_cast<std::size_t>(r)])];
  }

  // y's own layout ([W row-major; b], see softmax_regression.hpp) is the pass's layout when the
  // scalar is double and cp equals the class count (e.g. 20 classes): the pass then reads W
  // from y and writes G and gb into the output, with no copies of the d x C blocks (which
  // matter for sparse text data, 130k features).
  static constexpr bool kDouble = std::is_same_v<T, double>;
  // A pass that reads W and writes G in y's layout itself (SparsePass: for text data they are
  // d x C blocks of megabytes) takes the vectors as they are: no padding, no copies.
  static constexpr bool kCallerLayout = std::is_same_v<Pass, SparsePass<T>>;
  static Index columns(Index c) { return kCallerLayout ? c : kernels::padded_columns<T>(c); }
  bool same_layout(Index cp, Index k_count) const { return kDouble && k_count == 1 && cp == c_; }

  // w_ptr_ = [W_0 | W_1 | ...] (d x cp) in T, zero-padded; bias_ = [b_0 | b_1 | ...].
  void pack(std::span<const Vec* const> ys, Index cp) const {
    const Index k_count = static_cast<Index>(ys.size());
    bias_.resize(static_cast<std::size_t>(k_count * c_));
    for (Index k = 0; k < k_count; ++k)
      for (Index q = 0; q < c_; ++q)
        bias_[static_cast<std::size_t>(k * c_ + q)] = (*ys[static_cast<std::size_t>(k)])(d_ * c_ + q);
    if constexpr (kCallerLayout) {
      w_in_.resize(ys.size());
      for (std::size_t k = 0; k < ys.size(); ++k) w_in_[k] = ys[k]->data();
      return;
    }
    if constexpr (kDouble) {
      if (same_layout(cp, k_count)) {
        w_ptr_ = ys[0]->data();
        return;
      }
    }
    w_.assign(static_cast<std::size_t>(d_ * cp), T(0));
    for (Index k = 0; k < k_count; ++k) {
      const double* y = ys[static_cast<std::size_t>(k)]->data();
      for (Index j = 0; j < d_; ++j)
        for (Index q = 0; q < c_; ++q) w_[static_cast<std::size_t>(j * cp + k * c_ + q)] = T(y[j * c_ + q]);
    }
    w_ptr_ = w_.data();
  }

  // One pass in y's own layout (kCallerLayout): G and gb go to `outs`, resized to y's dimension.
  template <class RowFn>
    requires kCallerLayout
  bool run(Rows rows, Index, Index cp_out, RowFn&& fn, std::span<Vec* const> outs = {}) const {
    g_out_.clear();
    gb_out_.clear();
    for (std::size_t k = 0; k < (cp_out > 0 ? outs.size() : 0); ++k) {
      outs[k]->resize((d_ + 1) * c_);
      g_out_.push_back(outs[k]->data());
      gb_out_.push_back(outs[k]->data() + d_ * c_);
    }
    pass_.run(rows, {w_in_, g_out_, gb_out_, c_}, fn);
    return true;
  }

  // One pass; G and gb go to `outs` (resized to y's dimension) when there is one and the
  // layouts agree, else to g_ and gb_ for unpack(). Returns whether `outs` was filled.
  template <class RowFn>
    requires(!kCallerLayout)
  bool run(Rows rows, Index cp_in, Index cp_out, RowFn&& fn,
           std::span<Vec* const> outs = {}) const {
    Vec* direct = outs.size() == 1 ? outs[0] : nullptr;
    if constexpr (kDouble) {
      if (direct && same_layout(cp_out, 1)) {
        direct->resize((d_ + 1) * c_);
        pass_.run(rows, w_ptr_, cp_in, cp_out, fn, direct->data(), direct->data() + d_ * c_);
        return true;
      }
    }
    g_.resize(static_cast<std::size_t>(d_ * cp_out));
    gb_.resize(static_cast<std::size_t>(cp_out));
    pass_.run(rows, w_ptr_, cp_in, cp_out, fn, g_.data(), gb_.data());
    return false;
  }

  // out = block k of the last pass's G and gb, in y's layout.
  void unpack(Index k, Index cp, Vec* out) const {
    out->resize((d_ + 1) * c_);
    for (Index j = 0; j < d_; ++j)
      for (Index q = 0; q < c_; ++q) (*out)(j * c_ + q) = double(g_[static_cast<std::size_t>(j * cp + k * c_ + q)]);
    for (Index q = 0; q < c_; ++q) (*out)(d_ * c_ + q) = double(gb_[static_cast<std::size_t>(k * c_ + q)]);
  }

  const std::vector<int>* labels_;
  Index n_, d_, c_;
  Storage owned_;
  Pass pass_;
  mutable std::vector<T> w_, g_, gb_;
  mutable const T* w_ptr_ = nullptr;
  mutable std::vector<const double*> w_in_;      // kCallerLayout: the blocks of W (y's layout)
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

std::unique_ptr<SoftmaxFused> make_softmax_fused(const data::Dataset& data,
                                                 bool single_precision) {
  const Index n = data.num_samples(), d = data.num_features();
  if (data.is_sparse()) {
    if (dense_is_cheaper(data.sparse()))
      return single_precision ? dense_from_sparse<float>(data) : dense_from_sparse<double>(data);
    if (!single_precision) {
      const data::SparseMatrix* a = &data.sparse();
      return std::make_unique<FusedSoftmax<double, SparsePass<double>, data::SparseMatrix>>(
          data, data::SparseMatrix{}, [a](const data::SparseMatrix&) { return SparsePass<double>(a); });
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
  for (Index i = 0; i < n * d; ++i) copy[static_cast<std::size_t>(i)] = static_cast<float>(dense.data()[i]);
  return std::make_unique<FusedSoftmax<float, DensePass<float>, DenseF>>(
      data, std::move(copy), [n, d](const DenseF& a) { return DensePass<float>(a.data(), n, d); });
}

}  // namespace bilevel
