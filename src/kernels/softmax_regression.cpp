#include "bilevel/kernels/softmax_regression.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "softmax_fused.hpp"

namespace bilevel {

namespace {
template <class A>
constexpr bool kDense = std::is_same_v<std::decay_t<A>, data::DenseMatrix>;

// The model's sizes come from a file (a LIBSVM index can announce any number of features):
// (d + 1) c weights and the n x c work matrices are checked for overflow and against the
// memory budget before the members allocate them.
const data::Dataset* checked_sizes(const data::Dataset* data) {
  const Index n = data->num_samples(), d = data->num_features(), c = data->num_classes;
  const std::string what = "dataset '" + data->name + "' (" + std::to_string(n) + " samples, " +
                           std::to_string(d) + " features, " + std::to_string(c) + " classes)";
  const Index weights = size_mul(size_add(d, 1, what), c, what);
  check_problem_memory(what, 0, weights, bytes_for(size_mul(n, c, what), 4 * sizeof(double)));
  return data;
}
}  // namespace

SoftmaxRegression::SoftmaxRegression(const data::Dataset* data, Kernel kernel)
    : data_(checked_sizes(data)),
      kernel_(kernel),
      n_(data->num_samples()),
      d_(data->num_features()),
      c_(data->num_classes),
      logits_(n_, c_),
      prob_(n_, c_),
      coef_(n_, c_),
      loss_(n_) {
  if (kernel_.single_precision && !kernel_.fused)
    throw InvalidInput("single precision needs the fused kernels (the reference is double)");
  if (kernel_.fused) {
    check_memory("the fused kernels' copies of dataset '" + data_->name + "'",
                 kernel_bytes(*data_, kernel_));
    fused_ = make_softmax_fused(*data_, kernel_.single_precision);
  }
}

std::int64_t SoftmaxRegression::kernel_bytes(const data::Dataset& data, Kernel kernel) {
  return kernel.fused ? softmax_fused_bytes(data, kernel.single_precision) : 0;
}

SoftmaxRegression::~SoftmaxRegression() = default;

void SoftmaxRegression::gradients_at(std::span<const Vec* const> ys, Rows rows, const Vec& s,
                                     std::span<Vec* const> grads, Vec* loss,
                                     const Vec* ridge) const {
  const Index m = rows_count(rows);
  if (loss && loss->size() < m) loss->resize(m);
  check_ridge(ridge);
  if (fused_) return fused_->gradients(ys, rows, s, grads, loss, ridge);
  for (std::size_t k = 0; k < ys.size(); ++k) {
    forward(*ys[k], rows);
    backward(rows, s, grads[k]);
    add_ridge(ridge, *ys[k], grads[k]);
    if (k == 0 && loss) loss->head(m) = loss_.head(m);
  }
}

void SoftmaxRegression::hvp_at(const Vec& y, Rows rows, const Vec& s, const Vec& v, Vec* out,
                               const Vec* ridge) const {
  check_ridge(ridge);
  if (fused_) return fused_->hvp(y, rows, s, v, out, ridge);
  forward(y, rows);
  hvp(rows, s, v, out);
  add_ridge(ridge, v, out);
}

void SoftmaxRegression::check_ridge(const Vec* ridge) const {
  if (ridge && ridge->size() != d_)
    throw std::invalid_argument("SoftmaxRegression: a ridge needs one weight per feature");
}

void SoftmaxRegression::add_ridge(const Vec* ridge, const Vec& src, Vec* out) const {
  if (!ridge) return;
  weights(out, d_, c_) += ridge->asDiagonal() * weights(src, d_, c_);
}

void SoftmaxRegression::directional_at(const Vec& y, Rows rows, const Vec& v, Vec* d) const {
  const Index m = rows_count(rows);
  if (d->size() < m) d->resize(m);
  if (fused_) return fused_->directional(y, rows, v, d);
  forward(y, rows);
  directional(rows, v, d);
}

double SoftmaxRegression::losses_at(const Vec& y, Rows rows, Vec* loss) const {
  const Index m = rows_count(rows);
  if (m == 0) return 0.0;
  if (loss->size() < m) loss->resize(m);
  if (fused_) return static_cast<double>(fused_->losses(y, rows, loss)) / static_cast<double>(m);
  forward(y, rows);
  loss->head(m) = loss_.head(m);
  return accuracy(rows);
}

void SoftmaxRegression::compute_logits(const Vec& y, Rows rows, RowMat* z) const {
  const Index m = rows_count(rows);
  const auto w = weights(y, d_, c_);
  auto zm = z->topRows(m);
  std::visit(
      [&](const auto& a) {
        if constexpr (kDense<decltype(a)>) {
          if (rows.empty()) {
            zm.noalias() = a * w;
          } else {
            for (Index r = 0; r < m; ++r) zm.row(r).noalias() = a.row(rows[r]) * w;
          }
        } else {
          // Row by row, each nonzero adding one contiguous C-block of W (faster here than
          // Eigen's generic sparse-dense product, measured on synthetic-text).
          zm.setZero();
          for (Index r = 0; r < m; ++r)
            for (data::SparseMatrix::InnerIterator it(a, row_index(rows, r)); it; ++it)
              zm.row(r) += it.value() * w.row(it.col());
        }
      },
      data_->features);
  zm.rowwise() += y.segment(d_ * c_, c_).transpose();
}

void SoftmaxRegression::transpose_product(Rows rows, const RowMat& r, Vec* out) const {
  const Index m = rows_count(rows);
  out->resize(dim());
  auto gw = weights(out, d_, c_);
  const auto rm = r.topRows(m);
  std::visit(
      [&](const auto& a) {
        if constexpr (kDense<decltype(a)>) {
          if (rows.empty()) {
            gw.noalias() = a.transpose() * rm;
          } else {
            gw.setZero();
            for (Index k = 0; k < m; ++k) gw.noalias() += a.row(rows[k]).transpose() * rm.row(k);
          }
        } else {
          gw.setZero();
          for (Index k = 0; k < m; ++k)
            for (data::SparseMatrix::InnerIterator it(a, row_index(rows, k)); it; ++it)
              gw.row(it.col()) += it.value() * rm.row(k);
        }
      },
      data_->features);
  out->tail(c_) = rm.colwise().sum().transpose();
}

Index SoftmaxRegression::forward(const Vec& y, Rows rows) const {
  const Index m = rows_count(rows);
  compute_logits(y, rows, &logits_);
  for (Index r = 0; r < m; ++r) {
    const auto z = logits_.row(r);
    const double top = z.maxCoeff();
    prob_.row(r) = (z.array() - top).exp();
    const double sum = prob_.row(r).sum();  // >= 1: the largest term is exp(0)
    prob_.row(r) /= sum;
    loss_(r) = top + std::log(sum) - z(label(rows, r));
  }
  return m;
}

double SoftmaxRegression::accuracy(Rows rows) const {
  const Index m = rows_count(rows);
  if (m == 0) return 0.0;
  Index correct = 0;
  for (Index r = 0; r < m; ++r) {
    Index best = 0;
    logits_.row(r).maxCoeff(&best);
    if (best == label(rows, r)) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(m);
}

void SoftmaxRegression::backward(Rows rows, const Vec& s, Vec* grad) const {
  const Index m = rows_count(rows);
  for (Index r = 0; r < m; ++r) {
    coef_.row(r) = prob_.row(r);
    coef_(r, label(rows, r)) -= 1.0;
    coef_.row(r) *= s(r);
  }
  transpose_product(rows, coef_, grad);
}

void SoftmaxRegression::hvp(Rows rows, const Vec& s, const Vec& v, Vec* out) const {
  const Index m = rows_count(rows);
  // dz_r = V' a_r + v_b, then P_r dz_r = p_r .* (dz_r - <p_r, dz_r>), in place.
  compute_logits(v, rows, &coef_);
  for (Index r = 0; r < m; ++r) {
    const double t = prob_.row(r).dot(coef_.row(r));
    coef_.row(r) = s(r) * (prob_.row(r).array() * (coef_.row(r).array() - t)).matrix();
  }
  transpose_product(rows, coef_, out);
}

void SoftmaxRegression::directional(Rows rows, const Vec& v, Vec* d) const {
  const Index m = rows_count(rows);
  compute_logits(v, rows, &coef_);
  if (d->size() < m) d->resize(m);
  for (Index r = 0; r < m; ++r)
    (*d)(r) = prob_.row(r).dot(coef_.row(r)) - coef_(r, label(rows, r));
}

Mat SoftmaxRegression::augmented_rows(Rows rows) const {
  const Index m = rows_count(rows);
  Mat out = Mat::Zero(m, d_ + 1);
  std::visit(
      [&](const auto& a) {
        for (Index r = 0; r < m; ++r) {
          if constexpr (kDense<decltype(a)>) {
            out.row(r).head(d_) = a.row(row_index(rows, r));
          } else {
            for (data::SparseMatrix::InnerIterator it(a, row_index(rows, r)); it; ++it)
              out(r, it.col()) = it.value();
          }
        }
      },
      data_->features);
  out.col(d_).setOnes();
  return out;
}

void SoftmaxRegression::hessian(Rows rows, const Vec& s, Mat* h) const {
  const Index m = rows_count(rows);
  const Mat at = augmented_rows(rows);
  h->setZero(dim(), dim());
  Vec wkl(m);
  Mat block;
  // Block (k, l) of sum_r s_r P_r (x) a~_r a~_r' is A~' diag(s_r P_r(k, l)) A~.
  for (Index k = 0; k < c_; ++k) {
    for (Index l = k; l < c_; ++l) {
      for (Index r = 0; r < m; ++r)
        wkl(r) = s(r) * ((k == l ? prob_(r, k) : 0.0) - prob_(r, k) * prob_(r, l));
      block.noalias() = at.transpose() * wkl.asDiagonal() * at;
      for (Index j = 0; j <= d_; ++j)
        for (Index i = 0; i <= d_; ++i) {
          (*h)(index(i, k), index(j, l)) = block(i, j);
          (*h)(index(j, l), index(i, k)) = block(i, j);
        }
    }
  }
}

void SoftmaxRegression::per_sample_gradients(Rows rows, Mat* g) const {
  const Index m = rows_count(rows);
  const Mat at = augmented_rows(rows);
  g->resize(m, dim());
  for (Index r = 0; r < m; ++r)
    for (Index k = 0; k < c_; ++k) {
      const double e = prob_(r, k) - (k == label(rows, r) ? 1.0 : 0.0);
      for (Index j = 0; j <= d_; ++j) (*g)(r, index(j, k)) = e * at(r, j);
    }
}

double SoftmaxRegression::max_row_norm_sq() const {
  double best = 0;
  std::visit(
      [&](const auto& a) {
        if constexpr (kDense<decltype(a)>) {
          if (n_ > 0) best = a.rowwise().squaredNorm().maxCoeff();
        } else {
          for (Index i = 0; i < n_; ++i) best = std::max(best, a.row(i).squaredNorm());
        }
      },
      data_->features);
  return best + 1.0;  // the bias feature
}

double SoftmaxRegression::gram_lambda_max(Comm* ranks, Index n_whole) const {
  const Index n = ranks ? n_whole : n_;
  if (n == 0) return 0.0;
  const double inv_n = 1.0 / static_cast<double>(n);
  auto sum_over_ranks = [&](double* data, Index size) {
    if (ranks) ranks->uncounted_sum({data, static_cast<std::size_t>(size)});
  };
  if (d_ + 1 <= kExactGramLimit) {
    // Exact: the (d + 1)^2 Gram matrix [A'A, A'1; 1'A, n] / n and its largest eigenvalue.
    Mat gram(d_ + 1, d_ + 1);
    std::visit(
        [&](const auto& a) {
          if constexpr (kDense<decltype(a)>) {
            gram.topLeftCorner(d_, d_).noalias() = a.transpose() * a;
          } else {
            gram.topLeftCorner(d_, d_) = Mat(a.transpose() * a);
          }
          gram.col(d_).head(d_) = a.transpose() * Vec::Ones(n_);
        },
        data_->features);
    gram.row(d_).head(d_) = gram.col(d_).head(d_).transpose();
    gram(d_, d_) = static_cast<double>(n_);
    sum_over_ranks(gram.data(), gram.size());
    Eigen::SelfAdjointEigenSolver<Mat> es(gram * inv_n, Eigen::EigenvaluesOnly);
    return es.eigenvalues().maxCoeff();
  }
  // Large d: 100 power iterations on A~'A~/n from the all-ones vector. The Rayleigh quotient
  // approaches lambda_max from below; callers inflate it (documented where used).
  Vec v = Vec::Ones(d_ + 1).normalized(), u(n_), w(d_ + 1);
  double theta = 0;
  for (int it = 0; it < 100; ++it) {
    std::visit(
        [&](const auto& a) {
          u.noalias() = a * v.head(d_);
          u.array() += v(d_);
          w.head(d_).noalias() = a.transpose() * u;
        },
        data_->features);
    w(d_) = u.sum();
    sum_over_ranks(w.data(), w.size());
    w *= inv_n;
    theta = v.dot(w);
    const double norm = w.norm();
    if (norm == 0) break;
    v = w / norm;
  }
  return theta;
}

double SoftmaxRegression::gram_lambda_max_bound(Comm* ranks, Index n_whole) const {
  const double lam = gram_lambda_max(ranks, n_whole);
  return d_ + 1 <= kExactGramLimit ? lam : 1.1 * lam;
}

}  // namespace bilevel
