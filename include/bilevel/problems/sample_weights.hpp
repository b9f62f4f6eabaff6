// Per-sample weights w(x) of data hyper-cleaning, one parameter x_i per training sample, and
// the derivatives of w that the hyperclean oracles need.
//
// Three parametrizations, as in the papers:
//   sigmoid  w_i = 1 / (1 + exp(-x_i))           Kwon et al. (slides, corrupted-label experiment)
//   clip     w_i = min(max(x_i, 0), 1)           f2ba paper, section 7.1
//   softmax  w_i = n exp(x_i) / sum_k exp(x_k)   f2sa-p paper, Example 2.1
// The f2sa-p paper's lower level is sum_i softmax(x)_i CE_i; we scale by n so that the
// hyperclean lower level (1/n) sum_i w_i CE_i is exactly that sum and uniform x gives w = 1.
// The clip derivative is 1 on the closed interval [0, 1] and 0 outside, the convention of
// autodiff clamp (the papers' PyTorch code), so that x = 1 (weight 1) can still move down.
//
// J = dw_rows / dx is the |rows| x n Jacobian of the selected weights: diagonal for the
// elementwise modes; J(r, k) = w_i (delta_ik - s_k) with s = softmax(x) for softmax.
#pragma once

#include <span>
#include <string>

#include "bilevel/core/types.hpp"

namespace bilevel {

enum class WeightMode { kSigmoid, kClip, kSoftmax };

// "sigmoid" | "clip" | "softmax"; throws InvalidInput otherwise.
WeightMode parse_weight_mode(const std::string& name);
const char* to_string(WeightMode mode);

class SampleWeights {
 public:
  using Rows = std::span<const Index>;  // empty = every sample

  SampleWeights() = default;
  SampleWeights(WeightMode mode, Index n) : mode_(mode), n_(n) {}

  WeightMode mode() const { return mode_; }
  // The x at which every weight is 1 (clip: x = 1; softmax: x = 0), except sigmoid, where
  // x = 0 (weight 1/2, the point of largest sensitivity, where the papers start).
  Vec initial_point() const;
  // Largest weight any x can give: 1 for sigmoid and clip, n for softmax.
  double max_weight() const;

  // Must be called with the current x before the accessors below (softmax: caches the
  // log-sum-exp normalizer, O(n); a no-op for the elementwise modes).
  void prepare(const Vec& x) const;
  double weight(const Vec& x, Index i) const;

  // out = J' c (R^n, assigned), c with one entry per selected row.
  void jacobian_transpose(const Vec& x, Rows rows, const Vec& c, Vec* out) const;
  // out_r = (J u)_r for every selected row (first |rows| entries of *out valid).
  void jacobian(const Vec& x, Rows rows, const Vec& u, Vec* out) const;
  // Dense J (|rows| x n) and sum_r c_r Hess_x w_{i_r} (n x n): small problems only.
  void jacobian_matrix(const Vec& x, Rows rows, Mat* j) const;
  void weighted_hessian(const Vec& x, Rows rows, const Vec& c, Mat* h) const;
  // out = (sum_r c_r Hess_x w_{i_r}) u without forming the n x n matrix: O(n).
  void weighted_hessian_product(const Vec& x, Rows rows, const Vec& c, const Vec& u,
                                Vec* out) const;

 private:
  Index count(Rows rows) const { return rows.empty() ? n_ : static_cast<Index>(rows.size()); }
  Index at(Rows rows, Index r) const { return rows.empty() ? r : rows[r]; }
  // The per-sample coefficients of sum_r c_r Hess_x w_{i_r}: its diagonal
  // sum_{r at i} c_r w_i'' for the elementwise modes; q_i = sum_{r at i} c_r w_i for softmax.
  Vec hessian_coefficients(const Vec& x, Rows rows, const Vec& c) const;
  // dw_i/dx_i and d^2w_i/dx_i^2 for the elementwise modes.
  double derivative(double xi) const;
  double second_derivative(double xi) const;

  WeightMode mode_ = WeightMode::kSigmoid;
  Index n_ = 0;
  mutable double log_norm_ = 0;  // softmax: log sum_k exp(x_k)
};

}  // namespace bilevel
