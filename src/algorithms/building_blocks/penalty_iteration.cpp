#include "bilevel/algorithms/building_blocks/penalty_iteration.hpp"

#include <algorithm>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

double auto_penalty(const ProblemConstants& c, double eps) {
  constexpr double kCap = 1e8, kUnknown = 100;
  if (!c.L_g || !c.mu_g || !(*c.mu_g > 0)) return kUnknown;
  const double kappa = std::max(1.0, *c.L_g / *c.mu_g);
  double lam = std::min(kappa * kappa * kappa / eps, kCap);
  if (c.L_f) lam = std::max(lam, 2 * *c.L_f / *c.mu_g);
  return lam;
}

void PenaltyInnerOptions::declare(OptionList& o, const double* target) {
  using C = Constraint;
  if (!target) {
    o.add("eps", eps, "target ||grad phi|| the auto lam is chosen for", C::positive());
    target = &eps;
  }
  o.add("lam", lam,
        "penalty multiplier lambda: the proxy L*_lam and its gradient and Hessian are within "
        "O(kappa^3/lam) and O(kappa^6/lam) of phi's (f2ba paper, Lemmas 4.1 and 5.1); its "
        "Theorem 4.1 sets lam ~ kappa^3/eps (the experiments tune it in {10, 100, 1000})",
        C::positive(),
        {"max(2 L_f/mu_g, min(kappa^3/eps, 1e8)) with kappa = L_g/mu_g, else 100",
         [target](const AutoContext& c) { return auto_penalty(c.constants(), *target); }})
      .add("K", K, "inner gradient steps per outer iteration", C::at_least(1))
      .add("alpha", alpha, "step of the z sequence on g (Prop. 4.2)", C::positive(),
           rules::inverse_L_g())
      .add("tau", tau, "step of the y sequence on f + lam g (Prop. 4.2)", C::positive(),
           {"1/(L_f + lam L_g)",
            [this](const AutoContext& c) { return 1.0 / (c.L_f() + *lam * c.L_g()); }})
      .add("inner", inner,
           "inner solver: gd (gradient descent, the f2ba paper's Algorithm 1) or agd "
           "(Nesterov, restarted each outer iteration; needs f + lam g strongly convex in y: "
           "lam mu_g + mu_fy > 0, with mu_fy = -L_f when the problem does not state it)",
           C::one_of({"gd", "agd"}))
      .add("inner_tol", inner_tol,
           "end the inner loop before K steps once ||grad_y g(x,z)|| and ||grad_y (f/lam + g)"
           "(x,y)|| are both <= inner_tol (the check uses the gradients the step computes "
           "anyway; 0 = always K steps)",
           C::non_negative());
}

PenaltyIteration::PenaltyIteration(const PenaltyInnerOptions& resolved, const Problem& p,
                                   const Vec& x0, const Vec& y0, RunContext& context,
                                   Comm* comm)
    : o_(resolved), lam_(*resolved.lam), alpha_(*resolved.alpha), tau_(*resolved.tau),
      comm_(comm) {
  const ProblemConstants c = p.constants();
  const std::string& algo = context.algo;
  // The analysis needs f + lam g strongly convex in y (f2ba paper: lam >= 2 L_f / mu_g). L_f is
  // a worst-case bound (a convex f is fine with less), so a smaller lam is allowed, with a
  // warning: when f really is that curved, the y sequence runs away.
  // A problem whose f is known to be convex in y (mu_fy >= 0) needs no such lam.
  const bool f_convex_in_y = c.mu_fy && *c.mu_fy >= 0;
  if (c.L_f && c.mu_g && !f_convex_in_y && lam_ < 2 * *c.L_f / *c.mu_g)
    context.warn(
        "lam=" + format_double(lam_) +
        " is below the f2ba paper's 2 L_f/mu_g = " + format_short(2 * *c.L_f / *c.mu_g) +
        ": f + lam g may not be strongly convex in y; if the run blows up, raise lam (and K)");
  if (o_.inner == "agd") {
    const double mu = require_constant(c.mu_g, "mu_g", algo, "inner=agd");
    // f's curvature floor in y: the problem's mu_fy, else the worst case -L_f.
    const double floor_f = c.mu_fy ? *c.mu_fy : -require_constant(c.L_f, "L_f", algo, "inner=agd");
    if (lam_ * mu + floor_f <= 0)
      throw InvalidOptions(algo + ": inner=agd needs lam > " + format_short(-floor_f / mu) +
                           " (-mu_fy/mu_g, or L_f/mu_g when mu_fy is unknown) so that f + "
                           "lam g is strongly convex in y");
    // Momentum from the condition numbers the chosen steps imply: 1/step is the smoothness.
    beta_z_ = nesterov_momentum(1.0 / alpha_, mu);
    beta_y_ = nesterov_momentum(1.0 / tau_, lam_ * mu + floor_f);
  }
  sf_ = Sampler(p.num_samples(Fn::kF), 0);
  sg_ = Sampler(p.num_samples(Fn::kG), 0);
  x_ = x0;
  y_ = y0;
  z_ = y0;  // Alg. 1, line 1: z_0 = y_0
}

void PenaltyIteration::average_inner() {
  if (!comm_) return;
  const Index dy = ghy_.size();
  stacked_.resize(2 * dy);
  stacked_.head(dy) = inner_.ggz;
  stacked_.tail(dy) = ghy_;
  comm_->allreduce_mean(stacked_);
  inner_.ggz = stacked_.head(dy);
  ghy_ = stacked_.tail(dy);
}

bool PenaltyIteration::inner_converged(const Vec& grad_h_y) const {
  return o_.inner_tol > 0 && inner_.ggz.norm() <= o_.inner_tol &&
         grad_h_y.norm() <= o_.inner_tol * lam_;
}

const Vec& PenaltyIteration::direction(Problem& p, Rng& rng) {
  const double lam = lam_;
  if (o_.inner == "gd") {
    for (Index k = 0; k < o_.K; ++k) {
      penalty_inner_gradients(p, rng, sf_, sg_, x_, z_, y_, &inner_);
      ghy_ = inner_.gfy + lam * inner_.ggy;
      average_inner();
      if (inner_converged(ghy_)) break;
      z_ -= alpha_ * inner_.ggz;
      y_ -= tau_ * ghy_;
      ++inner_steps_;
    }
  } else {
    // Accelerated: gradients at the extrapolated points w, momentum restarted per outer step.
    wz_ = z_;
    wy_ = y_;
    for (Index k = 0; k < o_.K; ++k) {
      z_prev_ = z_;
      y_prev_ = y_;
      penalty_inner_gradients(p, rng, sf_, sg_, x_, wz_, wy_, &inner_);
      ghy_ = inner_.gfy + lam * inner_.ggy;
      average_inner();
      if (inner_converged(ghy_)) {
        // The extrapolated points already meet the tolerance: keep them.
        z_ = wz_;
        y_ = wy_;
        break;
      }
      ++inner_steps_;
      z_ = wz_ - alpha_ * inner_.ggz;
      wz_ = z_ + beta_z_ * (z_ - z_prev_);
      y_ = wy_ - tau_ * ghy_;
      wy_ = y_ + beta_y_ * (y_ - y_prev_);
    }
  }
  // Alg. 1, line 9: the proxy gradient at the new inner iterates.
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, nullptr);
  p.grad(Fn::kG, x_, y_, sg_.draw(rng), &ggx_, nullptr);
  p.grad(Fn::kG, x_, z_, sg_.draw(rng), &ggxz_, nullptr);
  d_ = gfx_ + lam * (ggx_ - ggxz_);
  // Alg. 3: the agents' x-directions averaged (none to send when x is split with the samples).
  if (comm_) mean_over_ranks_x(*comm_, p.shard(), d_);
  return d_;
}

}  // namespace bilevel
