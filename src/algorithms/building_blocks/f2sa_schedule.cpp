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

void F2saScheduleOptions::declare_exponents(OptionList& o) {
  o.add("a", a, "alpha_k decay exponent, 0 <= c <= a <= 1; auto = from regime")
      .add("c", c, "gamma_k decay exponent, 0 <= c <= a; auto = from regime");
}

void F2saScheduleOptions::declare_steps(OptionList& o) {
  o.add("lam0", lam0, "initial penalty multiplier (> 0); auto = 2 L_f/mu_g")
      .add("lam_max", lam_max, "cap on lam_k (0 = no cap)")
      .add("alpha0", alpha0, "initial y step (> 0); auto = 1/(L_f + lam0 L_g)")
      .add("gamma0", gamma0, "initial z step (> 0); auto = 1/L_g");
}

void F2saScheduleOptions::check_schedule(Violations* v) const {
  auto in01 = [](const Auto& e) { return !e || (*e >= 0 && *e <= 1); };
  v->check(in01(a), "a must be in [0, 1] (got " + format_double(a.value_or(0)) + ")");
  v->check(in01(c), "c must be in [0, 1] (got " + format_double(c.value_or(0)) + ")");
  v->check(!a || !c || *c <= *a, "c must be <= a (got a=" + format_double(a.value_or(0)) +
                                     ", c=" + format_double(c.value_or(0)) + ")");
  v->positive_or_auto("lam0", lam0);
  v->non_negative("lam_max", lam_max);
  v->positive_or_auto("alpha0", alpha0);
  v->positive_or_auto("gamma0", gamma0);
  v->positive("k0", k0);
}

F2saSchedule resolve_f2sa_schedule(const F2saScheduleOptions& o, ExponentPair regime,
                                   const ProblemConstants& cst, const std::string& algo) {
  const double ea = o.a.value_or(regime.a);
  const double ec = o.c.value_or(regime.c);
  if (ec > ea)
    throw InvalidOptions(algo + ": c must be <= a (resolved a=" + format_double(ea) +
                         ", c=" + format_double(ec) + ")");
  const double lam0 = o.lam0 ? *o.lam0
                             : 2 * require_constant(cst.L_f, "L_f", algo, "lam0") /
                                   require_constant(cst.mu_g, "mu_g", algo, "lam0");
  const double alpha0 = o.alpha0 ? *o.alpha0
                                 : 1.0 / (require_constant(cst.L_f, "L_f", algo, "alpha0") +
                                          lam0 * require_constant(cst.L_g, "L_g", algo, "alpha0"));
  const double gamma0 =
      o.gamma0 ? *o.gamma0 : 1.0 / require_constant(cst.L_g, "L_g", algo, "gamma0");
  F2saSchedule r;
  r.alpha = {alpha0, ea, o.k0};
  r.gamma = {gamma0, ec, o.k0};
  r.lam = {lam0, -(ea - ec), o.k0};
  r.lam_max = o.lam_max;
  return r;
}

ExponentPair regime_exponents(const std::string& regime, ExponentPair both, ExponentPair upper,
                              ExponentPair none) {
  return regime == "both" ? both : regime == "upper" ? upper : none;
}

}  // namespace bilevel
