#include "bilevel/algorithms/baseline.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void BaselineOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "inner gradient steps on g per outer iteration", C::at_least(1))
      .add("alpha", alpha, "step on g(x0, .)", C::positive(), rules::inverse_L_g())
      .add("inner", inner, "inner solver: gd or agd (Nesterov, momentum kept across iterations)",
           C::one_of({"gd", "agd"}));
}

BaselineRun::BaselineRun(const BaselineOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                         RunContext& context)
    : o_(r), alpha_(*r.alpha), sg_(p.num_samples(Fn::kG), 0), x_(x0), y_(y0), w_(y0) {
  // w_ is AGD's extrapolated point; unused by gd.
  if (o_.inner == "agd") {
    const ProblemConstants c = p.constants();
    if (!c.mu_g)
      throw InvalidOptions(context.algo +
                           ": inner=agd needs the problem's constant mu_g for "
                           "its momentum, which this problem does not know; use -A inner=gd");
    beta_ = nesterov_momentum(1.0 / alpha_, *c.mu_g);
  }
}

void BaselineRun::step(Problem& p, Rng& rng, Index) {
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
