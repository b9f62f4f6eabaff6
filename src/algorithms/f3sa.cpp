#include "bilevel/algorithms/f3sa.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/core/error.hpp"

namespace bilevel {

void F3saOptions::declare(OptionList& o) {
  o.add("regime", regime,
        "noise regime choosing (a, c): both (3/5, 2/5), upper (1/2, 1/4), none (1/3, 0)",
        {"both", "upper", "none"});
  declare_exponents(o);
  declare_steps(o);
  o.add("xi", xi, "x step / y step ratio (> 0)")
      .add("k0", k0, "schedule offset k0 (> 0): r = (k + k0)/k0")
      .add("eta0", eta0, "momentum weight eta_0 in (0, 1]; eta_k = min(1, eta0 r^-eta_decay)")
      .add("eta_decay", eta_decay, "decay exponent of eta_k (>= 0); auto = 2c (slides)")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)");
}

std::vector<std::string> F3saOptions::validate() const {
  Violations v;
  check_schedule(&v);
  v.positive("xi", xi);
  v.check(eta0 > 0 && eta0 <= 1, "eta0 must be in (0, 1] (got " + format_double(eta0) + ")");
  v.check(!eta_decay || *eta_decay >= 0,
          "eta_decay must be >= 0 or auto (got " + format_double(eta_decay.value_or(0)) + ")");
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
  return v.list();
}

double F3sa::eta_at(Index k) const { return std::min(1.0, eta_.at(k)); }

KeyValues F3sa::resolved_options() {
  F3saOptions r = o_;
  r.a = sched_.a();
  r.c = sched_.c();
  r.lam0 = sched_.lam.v0;
  r.alpha0 = sched_.alpha.v0;
  r.gamma0 = sched_.gamma.v0;
  r.eta_decay = eta_.e;
  return echo(r);
}

void F3sa::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants cst = p.constants();
  // The slides' F3SA exponent pairs (momentum allows larger steps than F2SA's).
  sched_ = resolve_f2sa_schedule(
      o_, regime_exponents(o_.regime, {3.0 / 5, 2.0 / 5}, {1.0 / 2, 1.0 / 4}, {1.0 / 3, 0.0}),
      cst, name());
  eta_ = {o_.eta0, o_.eta_decay.value_or(2 * sched_.c()), o_.k0};
  if (cst.L_g && cst.mu_g && o_.k0 < (sched_.a() - sched_.c()) * *cst.L_g / *cst.mu_g)
    warn(name() + ": k0 = " + format_short(o_.k0) + " < (a - c) kappa = " +
         format_short((sched_.a() - sched_.c()) * *cst.L_g / *cst.mu_g) +
         ": the early increments delta_k exceed the slides' O(lam_k / kappa)");
  sf_ = Sampler(p.num_samples(Fn::kF), o_.batch_f);
  sg_ = Sampler(p.num_samples(Fn::kG), o_.batch_g);
  x_ = x0;
  y_ = y0;
  z_ = y0;
  for (StormEstimator* s : {&gz_, &fy_, &gy_, &fx_, &gxy_, &gxz_}) s->reset();
}

void F3sa::step(Problem& p, Rng& rng, Index k) {
  const double lam = sched_.lam_at(k), alpha = sched_.alpha_at(k), gamma = sched_.gamma_at(k),
               eta = eta_at(k);
  // Each batch is used at once (it views the sampler's buffer until the next draw), at the
  // current and the previous point. The draw order z (g), y (f), y (g), x (f, g, g) is
  // f2sa's with T = 1, so eta = 1 reproduces its iterates.
  const Vec& hgz = gz_.update(p, sg_.draw(rng), x_, z_, eta);
  const Vec& hfy = fy_.update(p, sf_.draw(rng), x_, y_, eta);
  const Vec& hgy = gy_.update(p, sg_.draw(rng), x_, y_, eta);
  z_ -= gamma * hgz;
  y_ -= alpha * (hfy + lam * hgy);
  const Vec& hfx = fx_.update(p, sf_.draw(rng), x_, y_, eta);
  const Vec& hgxy = gxy_.update(p, sg_.draw(rng), x_, y_, eta);
  const Vec& hgxz = gxz_.update(p, sg_.draw(rng), x_, z_, eta);
  x_ -= o_.xi * alpha * (hfx + lam * (hgxy - hgxz));
}

}  // namespace bilevel
