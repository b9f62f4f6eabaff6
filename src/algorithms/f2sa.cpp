#include "bilevel/algorithms/f2sa.hpp"

#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void F2saOptions::declare(OptionList& o) {
  o.add("regime", regime,
        "noise regime choosing (a, c): both (5/7, 4/7), upper (3/5, 2/5), none (1/3, 0)",
        {"both", "upper", "none"});
  declare_exponents(o);
  o.add("T", T, "inner steps per outer iteration (>= 1); auto = ceil(L_g/mu_g)");
  declare_steps(o);
  o.add("xi", xi, "x step / y step ratio (> 0)")
      .add("k0", k0, "schedule offset k0 (> 0): r = (k + k0)/k0")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)")
      .add("common_batch", common_batch,
           "x step: share one g minibatch between h_gx(x, y) and h_gx(x, z)");
}

std::vector<std::string> F2saOptions::validate() const {
  Violations v;
  check_schedule(&v);
  v.check(!T || (*T >= 1 && *T == std::floor(*T)),
          "T must be an integer >= 1 or auto (got " + format_double(T.value_or(0)) + ")");
  v.positive("xi", xi);
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
  return v.list();
}

KeyValues F2sa::resolved_options() {
  F2saOptions r = o_;
  r.a = sched_.a();
  r.c = sched_.c();
  r.T = static_cast<double>(T_);
  r.lam0 = sched_.lam.v0;
  r.alpha0 = sched_.alpha.v0;
  r.gamma0 = sched_.gamma.v0;
  return echo(r);
}

void F2sa::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants cst = p.constants();
  // ceil(kappa), forgiving the rounding of a computed kappa (10.000000000000002 is 10).
  T_ = o_.T ? static_cast<Index>(*o_.T)
            : static_cast<Index>(std::ceil(require_constant(cst.L_g, "L_g", name(), "T") /
                                           require_constant(cst.mu_g, "mu_g", name(), "T") -
                                           1e-9));
  // The slides' exponent pairs for the three noise regimes.
  sched_ = resolve_f2sa_schedule(
      o_, regime_exponents(o_.regime, {5.0 / 7, 4.0 / 7}, {3.0 / 5, 2.0 / 5}, {1.0 / 3, 0.0}),
      cst, name());
  sf_ = Sampler(p.num_samples(Fn::kF), o_.batch_f);
  sg_ = Sampler(p.num_samples(Fn::kG), o_.batch_g);
  x_ = x0;
  y_ = y0;
  z_ = y0;
}

void F2sa::step(Problem& p, Rng& rng, Index k) {
  const double lam = lam_at(k), alpha = alpha_at(k), gamma = gamma_at(k);
  for (Index t = 0; t < T_; ++t) {
    penalty_inner_gradients(p, rng, sf_, sg_, x_, z_, y_, &inner_);
    z_ -= gamma * inner_.ggz;
    y_ -= alpha * (inner_.gfy + lam * inner_.ggy);
  }
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, nullptr);
  if (o_.common_batch) {
    const Batch b = sg_.draw(rng);
    p.grad(Fn::kG, x_, y_, b, &ggx_, nullptr);
    p.grad(Fn::kG, x_, z_, b, &ggxz_, nullptr);
  } else {
    p.grad(Fn::kG, x_, y_, sg_.draw(rng), &ggx_, nullptr);
    p.grad(Fn::kG, x_, z_, sg_.draw(rng), &ggxz_, nullptr);
  }
  x_ -= o_.xi * alpha * (gfx_ + lam * (ggx_ - ggxz_));
}

}  // namespace bilevel
