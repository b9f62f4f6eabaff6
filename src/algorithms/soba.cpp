#include "bilevel/algorithms/soba.hpp"

#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

AutoRule SobaOptions::exponent_rule(double paper) const {
  // Decreasing steps tame minibatch noise; with full batches the oracles are exact (unless
  // the problem adds gradient noise) and SOBA with constant steps is a deterministic
  // single-loop method that converges linearly on strongly convex phi (4e-15 on the default
  // quadratic in 3000 iterations, where 2/5 and 3/5 stop at 5e-3).
  return {"0 (constant steps) with full batches (batch_f = batch_g = 0), else " +
              format_double(paper) + " (the paper's)",
          [this, paper](const AutoContext&) { return batch_f == 0 && batch_g == 0 ? 0.0 : paper; }};
}

void SobaOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("rho0", rho0, "initial step of y and v", C::positive(), rules::inverse_L_g())
      .add("gamma0", gamma0, "initial step of x", C::positive(), rules::outer_step())
      .add("a_rho", a_rho, "rho_k = rho0/(k+1)^a_rho (paper: 2/5, for stochastic oracles)",
           C::non_negative(), exponent_rule(0.4))
      .add("a_gamma", a_gamma,
           "gamma_k = gamma0/(k+1)^a_gamma (paper: 3/5; 0 with a_rho = 0: constant steps); a "
           "warning if a_gamma < a_rho",
           C::non_negative(), exponent_rule(0.6))
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)", C::non_negative());
}

SobaRun::SobaRun(const SobaOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : o_(r),
      sf_(p.num_samples(Fn::kF), r.batch_f),
      sg_(p.num_samples(Fn::kG), r.batch_g),
      x_(x0),
      y_(y0),
      v_(Vec::Zero(p.dim_y())) {
  // The paper's analysis needs the x step to decay faster than the inner steps.
  if (*o_.a_gamma < *o_.a_rho)
    context.warn("a_gamma=" + format_double(*o_.a_gamma) +
                 " is below a_rho=" + format_double(*o_.a_rho) +
                 ": SOBA's analysis needs x to move on a slower time scale than y and v");
}

double SobaRun::rho_at(Index k) const {
  return *o_.rho0 / std::pow(static_cast<double>(k + 1), *o_.a_rho);
}

double SobaRun::gamma_at(Index k) const {
  return *o_.gamma0 / std::pow(static_cast<double>(k + 1), *o_.a_gamma);
}

void SobaRun::step(Problem& p, Rng& rng, Index k) {
  // All directions at the same (x, y, v); one g batch shared by its three oracles.
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, &gfy_);
  const Batch bg = sg_.draw(rng);
  p.grad(Fn::kG, x_, y_, bg, nullptr, &ggy_);
  p.hyy(Fn::kG, x_, y_, v_, bg, &hyv_);
  p.hxy(Fn::kG, x_, y_, v_, bg, &hxv_);
  const double rho = rho_at(k), gamma = gamma_at(k);
  y_ -= rho * ggy_;
  v_ -= rho * (hyv_ + gfy_);
  x_ -= gamma * (gfx_ + hxv_);
}

}  // namespace bilevel
