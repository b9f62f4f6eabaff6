// Cubic-regularized Newton subproblems:  min_s  m(s) = <g, s> + 1/2 s'Hs + M/6 ||s||^3,
// with H symmetric (possibly indefinite) and M > 0.
//
// Cubic-regularized Newton methods (Nesterov & Polyak 2006; FSBA/LFSBA for bilevel problems)
// take this step at every iteration. m is nonconvex when H is indefinite, but its global
// minimizers are characterized (Nesterov & Polyak, Theorem 10) by
//     (H + sigma I) s = -g,   sigma = M ||s|| / 2,   H + sigma I positive semidefinite,
// and both solvers below aim at a global minimizer, not merely a stationary point.
//
//  - DenseCubicSolver factorizes H once (eigen-decomposition, O(d^3)) and then solves for
//    any g in O(d^2). Lazy-Hessian methods keep one Hessian for many steps, each with a new
//    gradient: build the solver once per Hessian and call solve(g) per step.
//  - cubic_gradient_descent needs only Hessian-vector products (Carmon & Duchi 2019), for
//    dimensions where H cannot be formed or factorized.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/state_archive.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

// m(s) evaluated directly (one product with H); for checks and reports.
double cubic_model_value(const Mat& H, const Vec& g, double M, const Vec& s);

struct CubicSolution {
  Vec s;                   // the global minimizer
  double sigma = 0;        // the multiplier: (H + sigma I) s = -g, sigma = M ||s|| / 2
  double model_value = 0;  // m(s)
  Index iterations = 0;    // root-finding steps on the secular equation (0 when closed form)
  bool hard_case = false;  // g had no (numerically meaningful) component along the eigenspace
                           // of a negative lambda_min: sigma = -lambda_min, s completed by a
                           // multiple of the bottom eigenvector
};

// Exact solver on the eigen-decomposition H = Q diag(lambda) Q'.
//
// In the eigenbasis, s(sigma) = -(diag(lambda) + sigma)^{-1} Q'g, and sigma is the root of the
// secular equation ||s(sigma)|| = 2 sigma / M on sigma >= max(0, -lambda_min); the left side
// decreases and the right side increases, so the root is unique. It is found by Newton's
// method on 1/||s|| - M / (2 sigma), started from a lower bound on the root and kept inside a
// bracket (bisection when Newton would leave it). The unknown is the shift delta = sigma -
// max(0, -lambda_min): near the hard case the root sits just above -lambda_min, and delta keeps
// its full relative precision where sigma itself would round to -lambda_min.
//
// If g has no component along the bottom eigenspace and s(-lambda_min) is shorter than
// 2 (-lambda_min) / M, there is no root (the hard case): sigma = -lambda_min and s is the
// minimum-norm solution plus the bottom eigenvector scaled to reach ||s|| = 2 sigma / M. When
// the component is merely small (g = (1e-12, 1, 1) for H = diag(-1, 2, 3)), the root exists and
// is found as above, close to the hard-case answer; only components at the rounding level of
// the eigenvectors (below d * eps * ||g||) are treated as zero.
class DenseCubicSolver {
 public:
  // Throws InvalidInput for M <= 0 (or not finite), a non-square, empty, non-finite or
  // non-symmetric H (|H - H'| above 1e-10 max |H|; rounding-level asymmetry is averaged out).
  DenseCubicSolver(const Mat& H, double M);
  // An empty solver whose state a checkpoint then restores (visit).
  DenseCubicSolver() = default;

  // The global minimizer of m for this g; O(d^2). Throws InvalidInput if g has the wrong size
  // or is not finite.
  CubicSolution solve(const Vec& g) const;

  Index dim() const { return lambda_.size(); }
  double M() const { return M_; }
  const Vec& eigenvalues() const { return lambda_; }  // ascending
  const Mat& eigenvectors() const { return Q_; }      // columns, matching eigenvalues()
  void visit(StateArchive& a) { a("M", M_)("eigenvalues", lambda_)("eigenvectors", Q_); }

 private:
  double M_ = 0;
  Vec lambda_;
  Mat Q_;
};

// Options of cubic_gradient_descent. The defaults aim at about 1e-9 relative accuracy of the
// model value; `scale` below is ||g||, or L^2 / M when g = 0.
struct CubicGdOptions {
  double tol = 1e-10;          // stop when ||grad m(s)|| <= tol * scale (> 0), or at the
                               // gradient's rounding level 32 eps ((L + M ||s|| / 2) ||s|| +
                               // ||g||) when that is larger (g tiny next to H s)
  Index max_iters = 200000;    // gradient steps, one Hessian-vector product each (>= 1)
  double L = 0;                // an upper bound on ||H||; 0 = estimate by power iteration
  Index power_iters = 30;      // products spent on that estimate when L = 0 (>= 1)
  double step = 0;             // 0 = 1 / (4 (L + M R / 2)), R a bound on ||s*|| (Carmon-Duchi)
  double perturbation = 1e-6;  // size of the random perturbation of g, times scale (>= 0)

  void declare(OptionList& o);
  // The violated constraints, one message each (empty when valid).
  std::vector<std::string> validate() const {
    return option_violations(*this, "cubic_gradient_descent");
  }
};

struct CubicGdResult {
  Vec s;
  double model_value = 0;  // m(s) with the unperturbed g
  double grad_norm = 0;    // ||grad m(s)|| with the unperturbed g
  Index iterations = 0;    // gradient steps
  Index hvps = 0;          // all Hessian-vector products (power iteration, Cauchy point, steps)
  bool converged = false;  // grad_norm reached the stopping bound within max_iters
  double L = 0;            // the bound on ||H|| used (given or estimated)
  double step = 0;         // the step used
  void visit(StateArchive& a) {
    a("s", s)("model_value", model_value)("grad_norm", grad_norm)("iterations", iterations);
    a("hvps", hvps)("converged", converged)("L", L)("step", step);
  }
};

// Gradient descent on the cubic model from Hessian-vector products only (Carmon & Duchi,
// "Gradient descent finds the cubic-regularized nonconvex Newton step", SIAM J. Optim. 2019).
// `hvp(v, out)` sets out = H v. Starting from the Cauchy point (the minimizer of m along -g),
// descent converges to the global minimizer unless g is (nearly) orthogonal to the bottom
// eigenvector of H, where it can stall at a saddle; as in the paper, g is therefore replaced by
// g + perturbation * scale * u, u uniform on the unit sphere (drawn from rng), which makes that
// event have probability zero. Unlike the paper, the perturbed solution is then refined by
// descent on the unperturbed model. One limit remains: when g's component along the bottom
// eigenvector is smaller than the perturbation, descent may settle at the minimizer on the
// other side of that eigenvector, whose value is worse by about 2 |that component| ||s||
// (seen: 1.2e-8 relative with a component of 1e-8 and the default perturbation).
// Throws InvalidOptions for invalid options, InvalidInput for M <= 0, a non-finite g, or a
// product of the wrong size.
CubicGdResult cubic_gradient_descent(const std::function<void(const Vec&, Vec*)>& hvp,
                                     const Vec& g, double M, Rng& rng,
                                     const CubicGdOptions& options = {});

}  // namespace bilevel
