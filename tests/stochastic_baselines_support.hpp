// Shared helpers of the stochastic baselines' tests (stocbio, mrbo, vrbo, soba, bome): runs on
// `quadratic` with noise and minibatches, the exact ||grad phi|| reduction, and the implicit
// hypergradient at any (x, y) for checking the estimators.
#pragma once

#include <gtest/gtest.h>

#include "bilevel/problems/quadratic.hpp"
#include "test_support.hpp"

namespace bilevel::testing {

// The default quadratic (dx = dy = 20, kappa = 10) with additive gradient noise sigma.
inline QuadraticOptions noisy_quadratic(double sigma) {
  QuadraticOptions qo;
  qo.sigma = sigma;
  return qo;
}

// One run of method A with options o on a fresh quadratic built from qo.
template <class A, class Options>
Result run_on_quadratic(const Options& o, const QuadraticOptions& qo, const RunSettings& s) {
  Quadratic q(qo);
  A a(o);
  return a.solve(q, s);
}

// Exact ||grad phi|| at the end over ||grad phi|| at the start (diagnostics on).
inline double hypergradient_reduction(const Result& r) {
  return r.hypergrad_norm / r.trace.records.front().hypergrad_norm;
}

// v is grad_y g(x, y) and u the implicit-function hypergradient at the same (x, y) (y need
// not be y*(x)), grad_x f - Hxy g [Hyy g]^{-1} grad_y f from the dense full-batch blocks:
// what the recursive estimates of mrbo and vrbo must equal without noise when Q is large.
inline void expect_exact_estimates(Quadratic& q, const Vec& x, const Vec& y, const Vec& v,
                                   const Vec& u) {
  Vec ggy, gfx, gfy;
  Mat hxy, hyy;
  q.grad(Fn::kG, x, y, Batch{}, nullptr, &ggy);
  q.grad(Fn::kF, x, y, Batch{}, &gfx, &gfy);
  q.hessian(Fn::kG, x, y, Batch{}, nullptr, &hxy, &hyy);
  EXPECT_LT(rel_err(v, ggy), 1e-10);
  EXPECT_LT(rel_err(u, gfx - hxy * hyy.llt().solve(gfy)), 1e-8);
}

}  // namespace bilevel::testing
