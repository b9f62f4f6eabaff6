// Multinomial logistic regression (softmax cross-entropy) on a Dataset: the loss kernels shared
// by the `hyperclean` and `learnreg` problems.
//
// Model: logits z_i = W' a_i + b for sample i with features a_i in R^d, C classes, weight
// matrix W (d x C) and bias b (C). Per-sample cross-entropy
//     CE_i(y) = -log softmax(z_i)[label_i] = logsumexp(z_i) - z_i[label_i],
// always evaluated with the max-shifted (stable) log-sum-exp.
//
// Layout of the parameter vector y (dimension (d + 1) C): y = [W; b] with W (d x C) stored
// row-major, so feature j's C class weights are y[j C, (j + 1) C) and b = y[d C, d C + C).
// Row-major keeps what one feature touches contiguous: sparse rows gather and scatter whole
// C-blocks (20 newsgroups: 130k features), and learnreg's per-feature ridge acts on blocks.
// W is mapped without copying (Eigen::Map of a d x C row-major matrix).
//
// Derivatives, with a~_i = (a_i; 1), p_i = softmax(z_i) and P_i = diag(p_i) - p_i p_i':
//     grad CE_i = (p_i - e_label) (x) a~_i           (per class k: (p_ik - [k = label]) a~_i),
//     Hess CE_i = P_i (x) a~_i a~_i',  so  Hess CE_i [V; v_b] = a~_i (x) P_i (V' a_i + v_b).
// CE_i is convex in y; lambda_max(P_i) <= 1/2 (Gershgorin: row k sums to 2 p_k (1 - p_k)), so
// Hess CE_i <= (1/2) ||a~_i||^2 and (1/n) sum_i s_i Hess CE_i <= (max s / 2) lambda_max(A~'A~/n).
//
// Two implementations of the oracles:
//   - fused (the default): one pass over the data per call, in cache-sized row blocks, on all
//     cores, with register-blocked kernels (src/kernels/data_pass.hpp); the data in double or,
//     with single precision, in a float copy of the features (dense or CSR);
//   - reference: Eigen products in double, two passes (logits, then A' R), kept to check the
//     fused path against and for the small dense Hessians.
// The `*_at` methods below run whichever the Kernel options select. The reference path is also
// reachable directly: `forward(y, rows)` computes logits, probabilities and losses of the
// selected rows into workspaces; `backward`, `hvp`, `directional`, `hessian` and
// `per_sample_gradients` then reuse those probabilities. Workspaces are allocated once (no
// allocation per call): an instance is not thread-safe, use one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "bilevel/data/dataset.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class Comm;

class SoftmaxFused;

// Which implementation runs the oracles (see the file comment).
struct SoftmaxKernel {
  bool fused = true;              // false: the two-pass double reference
  bool single_precision = false;  // fused kernels on a float copy of dense features
};

class SoftmaxRegression {
 public:
  // Selected rows of the dataset: indices into its rows; empty = every row, in order.
  using Rows = std::span<const Index>;
  using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  using Kernel = SoftmaxKernel;

  // Keeps a pointer: `data` must outlive this object. Throws InvalidInput for single
  // precision without the fused kernels.
  explicit SoftmaxRegression(const data::Dataset* data, Kernel kernel = {});
  ~SoftmaxRegression();

  // The bytes the kernel allocates for `data` beyond the dataset and the model's own work
  // matrices (the fused kernels' copies: see make_softmax_fused); the constructor checks them
  // against the memory budget before allocating.
  static std::int64_t kernel_bytes(const data::Dataset& data, Kernel kernel);

  // --- oracles through the selected kernel (s: one weight per selected row) ---------------
  // grads[k] = sum_r s_r grad CE_r(ys[k]); several ys share one pass over the data (fused).
  // When loss is non-null, loss(r) = CE_r(ys[0]) for the m selected rows (resized to >= m).
  // A per-feature ridge (d entries, or null) adds the gradient of
  // sum_j ridge(j) ||W_j||^2 / 2: ridge(j) W_j on row j of W's part (the bias's untouched),
  // inside the fused pass (on text data a separate loop cost as much as the pass's products).
  void gradients_at(std::span<const Vec* const> ys, Rows rows, const Vec& s,
                    std::span<Vec* const> grads, Vec* loss, const Vec* ridge = nullptr) const;
  void gradient_at(const Vec& y, Rows rows, const Vec& s, Vec* grad, Vec* loss,
                   const Vec* ridge = nullptr) const {
    const Vec* ys[] = {&y};
    Vec* gs[] = {grad};
    gradients_at(ys, rows, s, gs, loss, ridge);
  }
  // out = sum_r s_r Hess CE_r(y) v, plus ridge(j) V_j on row j with a ridge.
  void hvp_at(const Vec& y, Rows rows, const Vec& s, const Vec& v, Vec* out,
              const Vec* ridge = nullptr) const;
  // d(r) = <grad CE_r(y), v> (resized to >= m).
  void directional_at(const Vec& y, Rows rows, const Vec& v, Vec* d) const;
  // loss(r) = CE_r(y) (resized to >= m); returns the fraction of rows classified correctly.
  double losses_at(const Vec& y, Rows rows, Vec* loss) const;
  const Kernel& kernel() const { return kernel_; }

  // W inside a parameter vector (or a direction) of this layout.
  static Eigen::Map<const RowMat> weights(const Vec& y, Index d, Index c) {
    return Eigen::Map<const RowMat>(y.data(), d, c);
  }
  static Eigen::Map<RowMat> weights(Vec* y, Index d, Index c) {
    return Eigen::Map<RowMat>(y->data(), d, c);
  }

  Index num_samples() const { return n_; }
  Index num_features() const { return d_; }
  Index num_classes() const { return c_; }
  Index dim() const { return (d_ + 1) * c_; }
  const data::Dataset& dataset() const { return *data_; }
  // Position in y of W(j, k) (j < d) or of b_k (j == d).
  Index index(Index j, Index k) const { return j < d_ ? j * c_ + k : d_ * c_ + k; }

  // Logits, probabilities and per-sample losses of the rows at y. Returns the number of rows.
  Index forward(const Vec& y, Rows rows) const;
  // After forward: per-sample losses CE_r (first m entries valid) and probabilities (m x C).
  const Vec& losses() const { return loss_; }
  const RowMat& probabilities() const { return prob_; }
  // Fraction of the rows whose largest logit is the label (after forward; ties count wrong).
  double accuracy(Rows rows) const;

  // grad = sum_r s_r grad CE_r (assigned; s has one weight per selected row).
  void backward(Rows rows, const Vec& s, Vec* grad) const;
  // out = sum_r s_r Hess CE_r v (assigned).
  void hvp(Rows rows, const Vec& s, const Vec& v, Vec* out) const;
  // d_r = <grad CE_r, v> for every selected row (first m entries of *d valid).
  void directional(Rows rows, const Vec& v, Vec* d) const;
  // Dense sum_r s_r Hess CE_r (dim x dim): for small problems only.
  void hessian(Rows rows, const Vec& s, Mat* h) const;
  // Row r = grad CE_r' (m x dim): for small problems only.
  void per_sample_gradients(Rows rows, Mat* g) const;

  // Largest eigenvalue of A~'A~ / n over every row (A~ = [A, 1]): exact (dense symmetric
  // eigensolver on the Gram matrix) when d + 1 <= kExactGramLimit, else an estimate by power
  // iteration (a lower estimate of the true value; see the .cpp).
  // With `ranks` (a distributed run, these rows one rank's block of n_whole), the same for the
  // whole set: the Gram matrix, or each power iteration's product, is summed over the ranks
  // (uncounted) and divided by n_whole; every rank gets the same value.
  double gram_lambda_max(Comm* ranks = nullptr, Index n_whole = 0) const;
  // gram_lambda_max(), with the power-iteration estimate inflated by 10% (still not a proof):
  // what the problems use for their smoothness constants.
  double gram_lambda_max_bound(Comm* ranks = nullptr, Index n_whole = 0) const;
  // max_i ||a~_i||^2 over every row: lambda_max(sum_i s_i a~_i a~_i') <= this for s on the
  // simplex.
  double max_row_norm_sq() const;
  static constexpr Index kExactGramLimit = 1000;

 private:
  // The hot path: logits Z = A_rows W + 1 b' for the selected rows into z (m x C), with W, b
  // read from `y` in the layout above. Also used with a direction in place of y (Hess-vector
  // products need A_rows V + 1 v_b').
  void compute_logits(const Vec& y, Rows rows, RowMat* z) const;
  // out = [A_rows' R; 1' R] in y's layout, for R (m x C) the per-row coefficients.
  void transpose_product(Rows rows, const RowMat& r, Vec* out) const;
  Index rows_count(Rows rows) const { return rows.empty() ? n_ : static_cast<Index>(rows.size()); }
  // A ridge must have d entries (throws std::invalid_argument: a caller's bug, not input).
  void check_ridge(const Vec* ridge) const;
  // The reference path's ridge term: out's W += diag(ridge) src's W (nothing when null).
  void add_ridge(const Vec* ridge, const Vec& src, Vec* out) const;
  Index row_index(Rows rows, Index r) const { return rows.empty() ? r : rows[r]; }
  int label(Rows rows, Index r) const {
    return data_->labels[static_cast<std::size_t>(row_index(rows, r))];
  }
  // Dense augmented rows [a_i, 1] of the selection (m x (d + 1)): small problems only.
  Mat augmented_rows(Rows rows) const;

  const data::Dataset* data_;
  Kernel kernel_;
  std::unique_ptr<SoftmaxFused> fused_;  // null when kernel_.fused is false
  Index n_, d_, c_;
  // Workspaces sized for every row; calls use their first m rows.
  mutable RowMat logits_, prob_, coef_;
  mutable Vec loss_;
};

}  // namespace bilevel
