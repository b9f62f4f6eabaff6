#include "bilevel/algorithms/baseline.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void BaselineOptions::declare(OptionList& o) {
  o.add("K", K, "inner gradient steps on g per outer iteration (>= 1)")
      .add("alpha", alpha, "step on g(x0, .); auto = 1/L_g")
      .add("inner", inner, "inner solver: gd or agd (Nesterov, momentum kept across iterations)",
           {"gd", "agd"});
}

std::vector<std::string> BaselineOptions::validate() const {
  Violations v;
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.check(inner == "gd" || inner == "agd", "inner must be gd or agd (got " + inner + ")");
  return v.list();
}

KeyValues Baseline::resolved_options() {
  BaselineOptions r = o_;
  r.alpha = alpha_;
  return echo(r);
}

void Baseline::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  alpha_ = o_.alpha ? *o_.alpha : 1.0 / require_constant(c.L_g, "L_g", name(), "alpha");
  beta_ = 0;
  if (o_.inner == "agd") {
    if (!c.mu_g)
      throw InvalidOptions(name() + ": inner=agd needs the problem's constant mu_g for its "
                           "momentum, which this problem does not know; use -A inner=gd");
    beta_ = nesterov_momentum(1.0 / alpha_, *c.mu_g);
  }
  sg_ = Sampler(p.num_samples(Fn::kG), 0);
  x_ = x0;
  y_ = y0;
  w_ = y0;  // AGD's extrapolated point; unused by gd
}

void Baseline::step(Problem& p, Rng& rng, Index) {
  for (Index k = 0; k < o_.K; ++k) {
    if (o_.inner == "gd") {
      p.grad(Fn::kG, x_, y_, sg_.draw(rng), nullptr, &ggy_);
      y_ -= alpha_ * ggy_;
    } else {
      y_prev_ = y_;
      p.grad(Fn::kG, x_, w_, sg_.draw(rng), nullptr, &ggy_);
      y_ = w_ - alpha_ * ggy_;
      w_ = y_ + beta_ * (y_ - y_prev_);
    }
  }
}

}  // namespace bilevel
