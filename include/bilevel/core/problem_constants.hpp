// The constants a problem knows about itself. Methods derive their "auto" step sizes from them
// (see the rules in algorithms/building_blocks/step_defaults.hpp).
#pragma once

#include <optional>

namespace bilevel {

// Constants a problem knows about itself; algorithms derive default step sizes from them.
struct ProblemConstants {
  std::optional<double> mu_g;   // strong convexity of g(x, .) in y
  std::optional<double> L_g;    // Lipschitz constant of grad_y g(x, .) in y (inner step 1/L_g)
  std::optional<double> L_f;    // Lipschitz constant of grad f (jointly in x, y)
  // A lower bound on the eigenvalues of Hyy f: 0 when f is convex in y, negative when it is
  // not. f + lam g is then (lam mu_g + mu_fy)-strongly convex in y; unknown means -L_f.
  std::optional<double> mu_fy;
  std::optional<double> L_phi;  // Lipschitz constant of grad phi, when known exactly
  // Lipschitz constant of Hess phi (the rho of second-order stationarity: a point with
  // ||grad phi|| <= eps and lambda_min(Hess phi) >= -sqrt(rho eps)); cubic-regularized
  // methods take their default M from it. 0 for a quadratic phi.
  std::optional<double> rho_phi;
  // A suggested outer step on x derived from the problem's scale, not a bound: what the auto
  // outer steps use when L_phi is unknown (hyperclean: g is a mean over n samples, so its
  // hypergradient entries are O(1/n) and the step is O(n)).
  std::optional<double> x_step;
};

}  // namespace bilevel
