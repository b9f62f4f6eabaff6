// Default step sizes derived from a problem's known constants, shared by the methods.
#pragma once

#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

// The constant named `what` (e.g. "L_g") of the problem, or InvalidOptions telling the user
// which option of `algo` to set because the problem does not know it.
double require_constant(const std::optional<double>& c, const std::string& what,
                        const std::string& algo, const std::string& option);

// Smoothness of the hyper-objective phi: the problem's L_phi when known, else the bound
// L_f (1 + kappa)^2 valid for quadratic lower levels (kappa = L_g / mu_g).
double hyperobjective_smoothness(const ProblemConstants& c, const std::string& algo,
                                 const std::string& option);

// The auto outer step on x: 1/L_phi when the problem knows L_phi, else the problem's
// suggested x_step, else 1 / (L_f (1 + kappa)^2).
double default_outer_step(const ProblemConstants& c, const std::string& algo,
                          const std::string& option);
// The same inside an auto rule: where the last resort needs L_g and the problem does not know
// it, the context's estimate (AutoContext::L_g: power iterations at the initial point).
double default_outer_step(const AutoContext& c);

// The auto cubic regularization M of the cubic-Newton methods (fsba, lfsba, ifsba, lmcn),
// before their lazy factor m: the Hessian-Lipschitz constant rho_phi when the problem reports a
// positive one; else a curvature scale over a unit distance in x, 1/x_step (the problem's
// suggested outer step: hyperclean's n, whose mean losses make every Hessian entry O(1/n)) or
// L_phi; else 1. M's units are curvature per distance, so the fallbacks assume x moves on a
// scale of 1 (hyperclean's weight logits, dro-logistic's coefficients).
double default_cubic_regularization(const ProblemConstants& c);

// The "auto" rules the methods share, each with its text for the docs (options.hpp).
namespace rules {
// 1/L_g: the inner step on g (and the Neumann-series step).
AutoRule inverse_L_g();
// default_outer_step: the outer step on x.
AutoRule outer_step();
// scale * default_outer_step (bome's xi = 0.1 outer step).
AutoRule scaled_outer_step(double scale, std::string text);
// (*m) * default_cubic_regularization: the cubic methods' M; m is the refresh period of the
// lazy variants (nullptr: 1, fsba's every-step refresh).
AutoRule cubic_regularization(const Index* m);
// An iteration count that shrinks a contraction (1 - 1/kappa)^n below the target *eps:
// min(cap, ceil(kappa ln(kappa / *eps))), kappa = L_g/mu_g, when the problem knows both
// constants, else `fallback` (itd's unrolled steps K, the Neumann terms Q of stocbio, mrbo,
// vrbo: their biases shrink like (1 - alpha mu_g)^n with alpha = 1/L_g).
AutoRule kappa_log_count(const double* eps, Index fallback, Index cap);
}  // namespace rules

// Nesterov's momentum (sqrt(L/mu) - 1) / (sqrt(L/mu) + 1) for a mu-strongly convex, L-smooth
// function; L is usually 1/step, the smoothness the chosen step size implies.
double nesterov_momentum(double L, double mu);

}  // namespace bilevel
