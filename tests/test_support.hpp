// Shared helpers for the test suite: finite differences and small fixtures.
#pragma once

#include <functional>

#include "bilevel/problems/quadratic.hpp"
#include "bilevel/types.hpp"

namespace bilevel::testing {

// Central-difference gradient of a scalar function.
inline Vec fd_gradient(const std::function<double(const Vec&)>& fn, const Vec& x,
                       double h = 1e-5) {
  Vec g(x.size());
  Vec xp = x, xm = x;
  for (Index i = 0; i < x.size(); ++i) {
    xp(i) = x(i) + h;
    xm(i) = x(i) - h;
    g(i) = (fn(xp) - fn(xm)) / (2 * h);
    xp(i) = xm(i) = x(i);
  }
  return g;
}

// Central-difference Jacobian of a vector function (columns = input coordinates).
inline Mat fd_jacobian(const std::function<Vec(const Vec&)>& fn, const Vec& x,
                       double h = 1e-5) {
  const Index m = fn(x).size();
  Mat j(m, x.size());
  Vec xp = x, xm = x;
  for (Index i = 0; i < x.size(); ++i) {
    xp(i) = x(i) + h;
    xm(i) = x(i) - h;
    j.col(i) = (fn(xp) - fn(xm)) / (2 * h);
    xp(i) = xm(i) = x(i);
  }
  return j;
}

inline double rel_err(const Vec& a, const Vec& b) {
  return (a - b).norm() / std::max(1.0, b.norm());
}

// The quadratic problem with its closed forms hidden, so Diagnostics must use its generic
// Newton-CG / CG path.
class QuadraticWithoutClosedForms : public Quadratic {
 public:
  using Quadratic::Quadratic;
  bool closed_form_solution(const Vec&, double, Vec*) const override { return false; }
  bool closed_form_hypergradient(const Vec&, Vec*) const override { return false; }
  bool closed_form_hessian_phi(const Vec&, Mat*) const override { return false; }
};

inline QuadraticOptions small_quadratic(std::uint64_t seed = 1) {
  QuadraticOptions o;
  o.dx = 6;
  o.dy = 5;
  o.n_f = 7;
  o.n_g = 9;
  o.seed = seed;
  return o;
}

}  // namespace bilevel::testing
