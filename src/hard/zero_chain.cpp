#include "bilevel/hard/zero_chain.hpp"

#include <cmath>
#include <numbers>

#include "bilevel/core/error.hpp"

namespace bilevel::hard {

double psi(double t, int k) {
  if (t <= 0.5) return 0.0;
  const double u = 2 * t - 1;
  const double v = std::exp(1 - 1 / (u * u));
  switch (k) {
    case 0: return v;
    case 1: return v * 4 / (u * u * u);
    default: {
      const double u2 = u * u;
      return v * (16 / (u2 * u2 * u2) - 24 / (u2 * u2));
    }
  }
}

double phi(double t, int k) {
  const double root_e = std::sqrt(std::numbers::e);
  switch (k) {
    // sqrt(e) sqrt(2 pi) (normal cdf of t) = sqrt(e) sqrt(pi/2) erfc(-t / sqrt 2).
    case 0: return root_e * std::sqrt(std::numbers::pi / 2) * std::erfc(-t / std::sqrt(2.0));
    case 1: return root_e * std::exp(-t * t / 2);
    default: return -t * root_e * std::exp(-t * t / 2);
  }
}

ZeroChain::ZeroChain(Index T) : T_(T) {
  if (T < 1) throw InvalidInput("zero chain: T must be >= 1 (got " + std::to_string(T) + ")");
}

Link link(double u, double w, bool second) {
  Link t;
  if (u >= -0.5 && u <= 0.5) return t;  // Psi(u) = Psi(-u) = 0 with every derivative
  // Only one of Psi(u), Psi(-u) is non-zero: write the link through s = sign(u),
  // t = -s Psi(|u|) Phi(s w), so Psi's exponential and Phi' = sqrt(e) exp(-w^2/2) (even in w)
  // are evaluated once each.
  const double s = u > 0 ? 1.0 : -1.0, a = std::abs(u);
  const double p0 = psi(a), p1 = psi(a, 1);
  const double f0 = phi(s * w), f1 = phi(w, 1);
  t.value = -s * p0 * f0;
  t.du = -p1 * f0;          // d/du of -s Psi(s u) Phi(s w)
  t.dw = -p0 * f1;
  if (second) {
    t.duu = -s * psi(a, 2) * f0;
    t.dww = -s * p0 * (-s * w * f1);  // Phi''(s w) = -s w Phi'(w)
    t.duw = -s * p1 * f1;
  }
  return t;
}

// f_T = sum_{i=1}^T t(x_{i-1}, x_i) with x_0 = 1 (the first link is -Psi(1) Phi(x_1)).
namespace {
double previous(const Vec& x, Index i) { return i == 0 ? 1.0 : x(i - 1); }
}  // namespace

double ZeroChain::value(const Vec& x) const {
  double v = 0;
  for (Index i = 0; i < T_; ++i) v += link(previous(x, i), x(i), false).value;
  return v;
}

void ZeroChain::gradient(const Vec& x, Vec* g) const {
  g->setZero(T_);
  for (Index i = 0; i < T_; ++i) {
    const Link t = link(previous(x, i), x(i), false);
    if (i > 0) (*g)(i - 1) += t.du;
    (*g)(i) += t.dw;
  }
}

Mat ZeroChain::hessian(const Vec& x) const {
  Mat h = Mat::Zero(T_, T_);
  for (Index i = 0; i < T_; ++i) {
    const Link t = link(previous(x, i), x(i), true);
    h(i, i) += t.dww;
    if (i == 0) continue;
    h(i - 1, i - 1) += t.duu;
    h(i - 1, i) += t.duw;
    h(i, i - 1) += t.duw;
  }
  return h;
}

void ZeroChain::hessian_product(const Vec& x, const Vec& u, Vec* out) const {
  out->setZero(T_);
  for (Index i = 0; i < T_; ++i) {
    const Link t = link(previous(x, i), x(i), true);
    (*out)(i) += t.dww * u(i);
    if (i == 0) continue;
    (*out)(i - 1) += t.duu * u(i - 1) + t.duw * u(i);
    (*out)(i) += t.duw * u(i - 1);
  }
}

Index ZeroChain::progress(const Vec& x) {
  for (Index i = x.size(); i > 0; --i)
    if (x(i - 1) != 0.0) return i;
  return 0;
}

}  // namespace bilevel::hard
