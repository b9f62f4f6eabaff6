#include "bilevel/problems/sample_weights.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/core/error.hpp"

namespace bilevel {

WeightMode parse_weight_mode(const std::string& name) {
  if (name == "sigmoid") return WeightMode::kSigmoid;
  if (name == "clip") return WeightMode::kClip;
  if (name == "softmax") return WeightMode::kSoftmax;
  throw InvalidInput("unknown weight mode '" + name + "'; expected sigmoid, clip or softmax");
}

const char* to_string(WeightMode mode) {
  switch (mode) {
    case WeightMode::kSigmoid: return "sigmoid";
    case WeightMode::kClip: return "clip";
    case WeightMode::kSoftmax: return "softmax";
  }
  return "?";
}

namespace {
double sigmoid(double t) {
  // Two branches so that exp never overflows.
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}
}  // namespace

Vec SampleWeights::initial_point() const {
  return mode_ == WeightMode::kClip ? Vec::Ones(n_) : Vec::Zero(n_);
}

double SampleWeights::max_weight() const {
  return mode_ == WeightMode::kSoftmax ? static_cast<double>(n_) : 1.0;
}

void SampleWeights::prepare(const Vec& x) const {
  if (mode_ != WeightMode::kSoftmax || x.size() == 0) return;
  const double top = x.maxCoeff();
  log_norm_ = top + std::log((x.array() - top).exp().sum());
}

double SampleWeights::weight(const Vec& x, Index i) const {
  switch (mode_) {
    case WeightMode::kSigmoid: return sigmoid(x(i));
    case WeightMode::kClip: return std::clamp(x(i), 0.0, 1.0);
    case WeightMode::kSoftmax: return static_cast<double>(n_) * std::exp(x(i) - log_norm_);
  }
  return 0.0;
}

double SampleWeights::derivative(double xi) const {
  if (mode_ == WeightMode::kClip) return xi >= 0.0 && xi <= 1.0 ? 1.0 : 0.0;
  const double s = sigmoid(xi);
  return s * (1.0 - s);
}

double SampleWeights::second_derivative(double xi) const {
  if (mode_ == WeightMode::kClip) return 0.0;
  const double s = sigmoid(xi);
  return s * (1.0 - s) * (1.0 - 2.0 * s);
}

void SampleWeights::jacobian_transpose(const Vec& x, Rows rows, const Vec& c, Vec* out) const {
  out->setZero(n_);
  const Index m = count(rows);
  if (mode_ != WeightMode::kSoftmax) {
    for (Index r = 0; r < m; ++r) {
      const Index i = at(rows, r);
      (*out)(i) += derivative(x(i)) * c(r);
    }
    return;
  }
  // J' c = sum_r c_r w_i (e_i - s).
  double total = 0;
  for (Index r = 0; r < m; ++r) {
    const Index i = at(rows, r);
    const double wc = weight(x, i) * c(r);
    (*out)(i) += wc;
    total += wc;
  }
  out->array() -= total * (x.array() - log_norm_).exp();
}

void SampleWeights::jacobian(const Vec& x, Rows rows, const Vec& u, Vec* out) const {
  const Index m = count(rows);
  if (out->size() < m) out->resize(m);
  double su = 0;  // softmax: s'u
  if (mode_ == WeightMode::kSoftmax) su = (x.array() - log_norm_).exp().matrix().dot(u);
  for (Index r = 0; r < m; ++r) {
    const Index i = at(rows, r);
    (*out)(r) = mode_ == WeightMode::kSoftmax ? weight(x, i) * (u(i) - su)
                                              : derivative(x(i)) * u(i);
  }
}

void SampleWeights::jacobian_matrix(const Vec& x, Rows rows, Mat* j) const {
  const Index m = count(rows);
  j->setZero(m, n_);
  const Vec s = mode_ == WeightMode::kSoftmax ? Vec((x.array() - log_norm_).exp()) : Vec();
  for (Index r = 0; r < m; ++r) {
    const Index i = at(rows, r);
    if (mode_ == WeightMode::kSoftmax) {
      const double wi = weight(x, i);
      j->row(r) = -wi * s.transpose();
      (*j)(r, i) += wi;
    } else {
      (*j)(r, i) = derivative(x(i));
    }
  }
}

Vec SampleWeights::hessian_coefficients(const Vec& x, Rows rows, const Vec& c) const {
  Vec q = Vec::Zero(n_);
  const bool softmax = mode_ == WeightMode::kSoftmax;
  for (Index r = 0; r < count(rows); ++r) {
    const Index i = at(rows, r);
    q(i) += c(r) * (softmax ? weight(x, i) : second_derivative(x(i)));
  }
  return q;
}

void SampleWeights::weighted_hessian(const Vec& x, Rows rows, const Vec& c, Mat* h) const {
  const Vec q = hessian_coefficients(x, rows, c);
  h->setZero(n_, n_);
  if (mode_ != WeightMode::kSoftmax) {
    h->diagonal() = q;
    return;
  }
  // With Q = sum q:  sum_i q_i Hess s_i / s_i = diag(q) - q s' - s q' + 2 Q s s' - Q diag(s).
  const double total = q.sum();
  const Vec s = (x.array() - log_norm_).exp();
  h->diagonal() = q - total * s;
  h->noalias() -= q * s.transpose() + s * q.transpose();
  h->noalias() += 2.0 * total * s * s.transpose();
}

void SampleWeights::weighted_hessian_product(const Vec& x, Rows rows, const Vec& c,
                                             const Vec& u, Vec* out) const {
  const Vec q = hessian_coefficients(x, rows, c);
  if (mode_ != WeightMode::kSoftmax) {
    *out = q.cwiseProduct(u);
    return;
  }
  // The matrix of weighted_hessian applied to u term by term:
  //   (q - Q s) o u - q (s'u) - s (q'u) + 2 Q s (s'u).
  const double total = q.sum();
  const Vec s = (x.array() - log_norm_).exp();
  const double su = s.dot(u), qu = q.dot(u);
  *out = (q - total * s).cwiseProduct(u) - su * q + (2.0 * total * su - qu) * s;
}

}  // namespace bilevel
