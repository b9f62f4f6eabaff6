#include "bilevel/algorithms/soba.hpp"

#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void SobaOptions::declare(OptionList& o) {
  o.add("rho0", rho0, "initial step of y and v (> 0); auto = 1/L_g")
      .add("gamma0", gamma0,
           "initial step of x (> 0); auto = 1/L_phi, else the problem's suggested step, else "
           "1/(L_f (1+kappa)^2)")
      .add("a_rho", a_rho, "rho_k = rho0/(k+1)^a_rho (>= 0; paper: 2/5)")
      .add("a_gamma", a_gamma, "gamma_k = gamma0/(k+1)^a_gamma (>= 0; paper: 3/5)")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)");
}

std::vector<std::string> SobaOptions::validate() const {
  Violations v;
  v.positive_or_auto("rho0", rho0);
  v.positive_or_auto("gamma0", gamma0);
  v.non_negative("a_rho", a_rho);
  v.non_negative("a_gamma", a_gamma);
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
  return v.list();
}

KeyValues Soba::resolved_options() {
  SobaOptions r = o_;
  r.rho0 = rho0_;
  r.gamma0 = gamma0_;
  return echo(r);
}

double Soba::rho_at(Index k) const {
  return rho0_ / std::pow(static_cast<double>(k + 1), o_.a_rho);
}

double Soba::gamma_at(Index k) const {
  return gamma0_ / std::pow(static_cast<double>(k + 1), o_.a_gamma);
}

void Soba::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  rho0_ = o_.rho0 ? *o_.rho0 : 1.0 / require_constant(c.L_g, "L_g", name(), "rho0");
  gamma0_ = o_.gamma0 ? *o_.gamma0 : default_outer_step(c, name(), "gamma0");
  // The paper's analysis needs the x step to decay faster than the inner steps.
  if (o_.a_gamma < o_.a_rho)
    warn("a_gamma=" + format_double(o_.a_gamma) + " is below a_rho=" + format_double(o_.a_rho) +
         ": SOBA's analysis needs x to move on a slower time scale than y and v");
  sf_ = Sampler(p.num_samples(Fn::kF), o_.batch_f);
  sg_ = Sampler(p.num_samples(Fn::kG), o_.batch_g);
  x_ = x0;
  y_ = y0;
  v_ = Vec::Zero(p.dim_y());
}

void Soba::step(Problem& p, Rng& rng, Index k) {
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
