#include "bilevel/algorithms/building_blocks/f2sa_schedule.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

double PowerSequence::at(Index k) const {
  return v0 * std::pow((static_cast<double>(k) + k0) / k0, -e);
}

double F2saSchedule::lam_at(Index k) const {
  const double l = lam.at(k);
  return lam_max > 0 ? std::min(l, lam_max) : l;
}

ExponentPair RegimeExponents::of(const std::string& regime) const {
  return regime == "both" ? both : regime == "upper" ? upper : none;
}

void F2saScheduleOptions::declare(OptionList& o, const RegimeExponents& pairs) {
  using C = Constraint;
  o.add("regime", regime, std::string("noise regime choosing (a, c): ") + pairs.text,
        C::one_of({"both", "upper", "none"}))
      .add("a", a, "alpha_k decay exponent, 0 <= c <= a <= 1", C::in_range(0, 1),
           {"from regime", [this, pairs](const AutoContext&) { return pairs.of(regime).a; }})
      .add("c", c, "gamma_k decay exponent, 0 <= c <= a", C::in_range(0, 1),
           {"from regime", [this, pairs](const AutoContext&) { return pairs.of(regime).c; }})
      .add("lam0", lam0, "initial penalty multiplier (the f2ba paper's lam >= 2 L_f/mu)",
           C::positive(),
           // A linear f (L_f = 0, hard-kwon) needs no lam for f + lam g to be strongly convex,
           // but lam0 = 0 would make the y step 1/(L_f + lam0 L_g) infinite: take 1 there.
           {"2 L_f/mu_g, 1 when L_f = 0",
            [](const AutoContext& x) {
              const double lam = 2 * x.L_f() / x.mu_g();
              return lam > 0 ? lam : 1.0;
            }})
      .add("lam_max", lam_max, "cap on lam_k (0 = no cap)", C::non_negative())
      .add("alpha0", alpha0, "initial y step", C::positive(),
           {"1/(L_f + lam0 L_g)",
            [this](const AutoContext& x) { return 1.0 / (x.L_f() + *lam0 * x.L_g()); }})
      .add("gamma0", gamma0, "initial z step", C::positive(), rules::inverse_L_g())
      .add("k0", k0, "schedule offset k0: r = (k + k0)/k0", C::positive())
      .rule([this](Violations& v) {
        v.check(!a || !c || *c <= *a, "c must be <= a (got a=" + format_double(a.value_or(0)) +
                                          ", c=" + format_double(c.value_or(0)) + ")");
      });
}

F2saSchedule make_f2sa_schedule(const F2saScheduleOptions& o, const std::string& algo) {
  const double ea = *o.a;
  const double ec = *o.c;
  if (ec > ea)
    throw InvalidOptions(algo + ": c must be <= a (resolved a=" + format_double(ea) +
                         ", c=" + format_double(ec) + ")");
  F2saSchedule r;
  r.alpha = {*o.alpha0, ea, o.k0};
  r.gamma = {*o.gamma0, ec, o.k0};
  r.lam = {*o.lam0, -(ea - ec), o.k0};
  r.lam_max = o.lam_max;
  return r;
}

}  // namespace bilevel
