// Exact evaluation of the bilevel quantities, never counted in OracleCounts.
//
// y*(x) and the penalty solution y*_lam(x) = argmin_y f + lam g come from the problem's closed
// form when it has one, else from Newton-CG (with backtracking on the value) to a gradient
// tolerance of 1e-12 (relative). The hypergradient is
//     grad phi(x) = grad_x f - Hxy g [Hyy g]^{-1} grad_y f      at (x, y*(x)),
// with the linear system solved by CG to 1e-12. Results warm-start the next solve: y*(x) the
// next Newton solve, the solution of the linear system the next hypergradient's CG (trace rows
// at nearby points cost a fraction of the first; stats() counts the products).
//
// Second order (second-order stationarity: ||grad phi|| <= eps and lambda_min(Hess phi) >=
// -sqrt(rho eps)): the Hessian of phi is the problem's closed form, else central differences
// of the exact hypergradient. Its smallest eigenvalue comes from a dense symmetric eigensolve
// of the whole Hessian (closed form, or dim_x <= dense_min_eig_limit: dim_x columns of
// differences, 2 dim_x hypergradients) or else from Lanczos on Hessian-vector products (2
// hypergradients per product, typically tens of products).
//
// Accuracy of the differences: with h ||v|| = fd_step max(1, ||x||), a product is
//     Hess phi(x) v ~ (grad phi(x + h v) - grad phi(x - h v)) / 2h,
// whose error is about
//     (h ||v||)^2 / 6 * ||third derivative of phi|| * ||v||  +  e_g ||v|| / (h ||v||),
// truncation plus the hypergradient's own error e_g (solves to 1e-12 relative) amplified by
// 1/h: with the default fd_step = 1e-5, about 1e-7 times the scale of grad phi (measured on
// quadratic without its closed forms: docs/linalg.md). The dense path differences each
// coordinate with h = fd_step max(1, |x_i|) and symmetrizes.
#pragma once

#include <limits>

#include "bilevel/linalg/lanczos.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/state_archive.hpp"

namespace bilevel {

// How min_eig_phi finds the smallest eigenvalue of Hess phi.
enum class MinEigMethod {
  kAuto,     // kDense with a closed-form Hessian of phi or dim_x <= dense_min_eig_limit
  kDense,    // symmetric eigensolve of hessian_phi(x)
  kLanczos,  // Lanczos on hessian_phi_product(x, .) (the closed form times v when known)
};

struct DiagnosticsOptions {
  double tol = 1e-12;        // relative gradient / residual tolerance
  Index max_newton = 100;    // Newton iterations for y*(x)
  Index max_cg = 10000;      // CG iterations per linear solve
  double fd_step = 1e-5;     // central-difference step for Hess phi without closed form
  MinEigMethod min_eig_method = MinEigMethod::kAuto;
  // Largest dim_x that kAuto solves densely without a closed form. The dense path needs no
  // convergence test and no random start; its 2 dim_x hypergradients grow past Lanczos's
  // (2 per product, tens of products) with dim_x: docs/linalg.md has both measured.
  Index dense_min_eig_limit = 200;
  // Lanczos residual tolerance relative to ||Hess phi|| (an eigenvalue error of at most that
  // much, far below what second-order stationarity asks, and near the accuracy of the
  // difference products) and its product budget.
  double lanczos_tol = 1e-8;
  Index lanczos_max_iters = 300;
  // Solve the last Newton step's system just accurately enough to pass the gradient test
  // (diagnostics.cpp); false: the plain forcing term there (for comparisons).
  bool aim_last_newton_step = true;
};

// What the solves have cost so far (never oracle counts, and not part of a checkpoint): for
// measurements and tests.
struct DiagnosticsStats {
  Index newton_steps = 0;  // Newton iterations for y*(x) and y*_lam(x)
  Index cg_solves = 0;     // linear solves (one per Newton step, one per hypergradient)
  Index hvp = 0;           // Hessian-vector products of every kind (CG's and Hxy's)
  Index gradients = 0;     // gradient evaluations (of g, and of f for the penalty solution)
  Index values = 0;        // value evaluations (line searches)
};

// The smallest eigenvalue of Hess phi(x) and how it was found.
struct MinEigPhi {
  double value = std::numeric_limits<double>::quiet_NaN();  // NaN if Hess phi is not finite
  Vec vector;                                  // a unit eigenvector
  MinEigMethod method = MinEigMethod::kDense;  // the path taken: kDense or kLanczos
  Index products = 0;                          // Hessian-vector products (Lanczos path)
  bool converged = true;                       // false: Lanczos ran out of products
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
  // Hess phi(x) v: the closed form times v, else a central difference of the exact
  // hypergradient along v (accuracy above).
  Vec hessian_phi_product(const Vec& x, const Vec& v);
  // lambda_min(Hess phi(x)), by the method chosen in the options.
  MinEigPhi min_eig_phi(const Vec& x);

  // The warm starts, which set the last digits of the next results (checkpoints).
  void visit(StateArchive& a);
  const DiagnosticsStats& stats() const { return stats_; }

 private:
  const Problem& p_;
  DiagnosticsOptions o_;
  Vec y_warm_, y_warm_pen_, v_warm_;
  double last_sigma_ = -1;
  DiagnosticsStats stats_;
};

}  // namespace bilevel
