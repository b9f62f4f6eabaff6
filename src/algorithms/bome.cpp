#include "bilevel/algorithms/bome.hpp"

#include <algorithm>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void BomeOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("T", T, "inner gradient steps on g for y_T, from the current y", C::at_least(1))
      .add("alpha", alpha, "inner step on g", C::positive(), rules::inverse_L_g())
      .add("eta", eta, "barrier coefficient, phi_k = eta ||grad q||^2", C::positive())
      .add("xi", xi,
           "joint step on (x, y): a tenth of the hypergradient methods' outer step because "
           "lambda grad q stiffens the step (at 1/L_phi the default quadratic's iterates fall "
           "into a 2-cycle at ||grad phi|| ~ 4-6)",
           C::positive(),
           rules::scaled_outer_step(0.1,
                                    "0.1/L_phi, else a tenth of the problem's suggested "
                                    "step, else 0.1/(L_f (1+kappa)^2)"))
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)", C::non_negative());
}

BomeRun::BomeRun(const BomeOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&, RunContext&)
    : o_(r),
      alpha_(*r.alpha),
      xi_(*r.xi),
      sf_(p.num_samples(Fn::kF), r.batch_f),
      sg_(p.num_samples(Fn::kG), r.batch_g),
      x_(x0),
      y_(y0) {}

void BomeRun::step(Problem& p, Rng& rng, Index) {
  yT_ = y_;
  for (Index t = 0; t < o_.T; ++t) {
    p.grad(Fn::kG, x_, yT_, sg_.draw(rng), nullptr, &ggyT_);
    yT_ -= alpha_ * ggyT_;
  }
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, &gfy_);
  const Batch bg = sg_.draw(rng);  // q on one sample: both of its g gradients share it
  p.grad(Fn::kG, x_, y_, bg, &qx_, &qy_);
  p.grad(Fn::kG, x_, yT_, bg, &ggxT_, nullptr);
  qx_ -= ggxT_;
  const double q2 = qx_.squaredNorm() + qy_.squaredNorm();
  const double dot = gfx_.dot(qx_) + gfy_.dot(qy_);
  lambda_ = q2 > 0 ? std::max(o_.eta * q2 - dot, 0.0) / q2 : 0.0;
  x_ -= xi_ * (gfx_ + lambda_ * qx_);
  y_ -= xi_ * (gfy_ + lambda_ * qy_);
}

std::vector<ComplexityBound> Bome::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 6, "O~(poly(kappa) eps^-6)", "Chen, Ma & Zhang 2025, Table 1 (BOME)"}}, key,
      stochastic);
}

}  // namespace bilevel
