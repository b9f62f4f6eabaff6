// Exact evaluation of the bilevel quantities, never counted in OracleCounts.
//
// y*(x) and the penalty solution y*_lam(x) = argmin_y f + lam g come from the problem's closed
// form when it has one, else from Newton-CG (with backtracking on the value) to a gradient
// tolerance of 1e-12 (relative). The hypergradient is
//     grad phi(x) = grad_x f - Hxy g [Hyy g]^{-1} grad_y f      at (x, y*(x)),
// with the linear system solved by CG to 1e-12. Results warm-start the next solve.
#pragma once

#include "bilevel/problem.hpp"

namespace bilevel {

struct DiagnosticsOptions {
  double tol = 1e-12;        // relative gradient / residual tolerance
  Index max_newton = 100;    // Newton iterations for y*(x)
  Index max_cg = 10000;      // CG iterations per linear solve
  double fd_step = 1e-5;     // central-difference step for hessian_phi without closed form
};

class Diagnostics {
 public:
  explicit Diagnostics(const Problem& p, DiagnosticsOptions o = {});

  // argmin_y sigma f(x, y) + g(x, y): sigma = 0 gives y*(x), sigma = 1/lam gives y*_lam(x).
  Vec lower_solution(const Vec& x, double sigma = 0.0);
  Vec penalty_solution(const Vec& x, double lam) { return lower_solution(x, 1.0 / lam); }

  double phi(const Vec& x);
  Vec hypergradient(const Vec& x);
  // L*_lam(x) = min_y [f + lam (g - g*)] and its gradient
  // grad_x f(x, y_lam) + lam (grad_x g(x, y_lam) - grad_x g(x, y*)).
  double penalty_value(const Vec& x, double lam);
  Vec penalty_gradient(const Vec& x, double lam);
  // The Hessian of phi (closed form, else symmetrized central differences of the exact
  // hypergradient; meant for small dim_x).
  Mat hessian_phi(const Vec& x);

 private:
  const Problem& p_;
  DiagnosticsOptions o_;
  Vec y_warm_, y_warm_pen_, v_warm_;
  double last_sigma_ = -1;
};

}  // namespace bilevel
