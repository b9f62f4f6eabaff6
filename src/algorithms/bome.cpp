#include "bilevel/algorithms/bome.hpp"

#include <algorithm>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void BomeOptions::declare(OptionList& o) {
  o.add("T", T, "inner gradient steps on g for y_T, from the current y (>= 1)")
      .add("alpha", alpha, "inner step on g; auto = 1/L_g")
      .add("eta", eta, "barrier coefficient, phi_k = eta ||grad q||^2 (> 0)")
      .add("xi", xi,
           "joint step on (x, y); auto = 0.1/L_phi, else a tenth of the problem's suggested "
           "step, else 0.1/(L_f (1+kappa)^2)")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)");
}

std::vector<std::string> BomeOptions::validate() const {
  Violations v;
  v.at_least("T", T, 1);
  v.positive_or_auto("alpha", alpha);
  v.positive("eta", eta);
  v.positive_or_auto("xi", xi);
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
  return v.list();
}

KeyValues Bome::resolved_options() {
  BomeOptions r = o_;
  r.alpha = alpha_;
  r.xi = xi_;
  return echo(r);
}

void Bome::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  alpha_ = o_.alpha ? *o_.alpha : 1.0 / require_constant(c.L_g, "L_g", name(), "alpha");
  // A tenth of the hypergradient methods' outer step: lambda grad q stiffens the joint
  // step (at 1/L_phi the iterates fall into a 2-cycle on quadratic).
  xi_ = o_.xi ? *o_.xi : 0.1 * default_outer_step(c, name(), "xi");
  sf_ = Sampler(p.num_samples(Fn::kF), o_.batch_f);
  sg_ = Sampler(p.num_samples(Fn::kG), o_.batch_g);
  x_ = x0;
  y_ = y0;
  lambda_ = 0;
}

void Bome::step(Problem& p, Rng& rng, Index) {
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

}  // namespace bilevel
