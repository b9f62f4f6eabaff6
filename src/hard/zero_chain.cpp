#include "bilevel/hard/zero_chain.hpp"

#include <cmath>
#include <numbers>

#include "bilevel/error.hpp"

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

double ZeroChain::value(const Vec& x) const {
  double v = -psi(1) * phi(x(0));
  for (Index i = 1; i < T_; ++i)
    v += psi(-x(i - 1)) * phi(-x(i)) - psi(x(i - 1)) * phi(x(i));
  return v;
}

void ZeroChain::gradient(const Vec& x, Vec* g) const {
  g->setZero(T_);
  (*g)(0) = -psi(1) * phi(x(0), 1);
  // Term i couples x_{i-1} (through Psi) and x_i (through Phi).
  for (Index i = 1; i < T_; ++i) {
    const double a = x(i - 1), b = x(i);
    (*g)(i - 1) += -psi(-a, 1) * phi(-b) - psi(a, 1) * phi(b);
    (*g)(i) += -psi(-a) * phi(-b, 1) - psi(a) * phi(b, 1);
  }
}

Mat ZeroChain::hessian(const Vec& x) const {
  Mat h = Mat::Zero(T_, T_);
  h(0, 0) = -psi(1) * phi(x(0), 2);
  for (Index i = 1; i < T_; ++i) {
    const double a = x(i - 1), b = x(i);
    h(i - 1, i - 1) += psi(-a, 2) * phi(-b) - psi(a, 2) * phi(b);
    h(i, i) += psi(-a) * phi(-b, 2) - psi(a) * phi(b, 2);
    const double cross = psi(-a, 1) * phi(-b, 1) - psi(a, 1) * phi(b, 1);
    h(i - 1, i) += cross;
    h(i, i - 1) += cross;
  }
  return h;
}

void ZeroChain::hessian_product(const Vec& x, const Vec& u, Vec* out) const {
  out->setZero(T_);
  (*out)(0) = -psi(1) * phi(x(0), 2) * u(0);
  for (Index i = 1; i < T_; ++i) {
    const double a = x(i - 1), b = x(i);
    const double daa = psi(-a, 2) * phi(-b) - psi(a, 2) * phi(b);
    const double dbb = psi(-a) * phi(-b, 2) - psi(a) * phi(b, 2);
    const double dab = psi(-a, 1) * phi(-b, 1) - psi(a, 1) * phi(b, 1);
    (*out)(i - 1) += daa * u(i - 1) + dab * u(i);
    (*out)(i) += dab * u(i - 1) + dbb * u(i);
  }
}

Index ZeroChain::progress(const Vec& x) {
  for (Index i = x.size(); i > 0; --i)
    if (x(i - 1) != 0.0) return i;
  return 0;
}

}  // namespace bilevel::hard
