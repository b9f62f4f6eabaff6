// The step-size and multiplier schedules of the F2SA family (Kwon et al., slides
// "Fully First-Order Methods for Bilevel Optimization", parts II and III), shared by f2sa,
// f3sa and prox-f2sa.
//
// Every sequence is a power of r = (k + k0)/k0, the slides' (k + k0)^(-e) normalized so that
// the value at k = 0 is the option the user sets:
//     alpha_k = alpha0 r^-a,   gamma_k = gamma0 r^-c,   lam_k = lam0 r^(a-c)  (capped at lam_max).
// lam_{k+1} = lam_k + delta_k with the increments this implies,
//     delta_k = lam_k ((1 + 1/(k + k0))^(a-c) - 1) <= (a - c) lam_k / (k + k0).
#pragma once

#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

// v0 ((k + k0)/k0)^-e: a decaying (e > 0), constant (e = 0) or growing (e < 0) sequence.
struct PowerSequence {
  double v0 = 0, e = 0, k0 = 10;
  double at(Index k) const;
};

struct F2saSchedule {
  PowerSequence alpha, gamma, lam;  // lam has exponent -(a - c): it grows
  double lam_max = 0;               // cap on lam_k; 0 = none

  double lam_at(Index k) const;
  double alpha_at(Index k) const { return alpha.at(k); }
  double gamma_at(Index k) const { return gamma.at(k); }
  double a() const { return alpha.e; }
  double c() const { return gamma.e; }
};

// The exponent pair (a, c) a noise regime implies.
struct ExponentPair {
  double a = 0, c = 0;
};

// The slides' pairs of one method for the regimes both (f and g noisy), upper (only f) and
// none (exact), with their text for the help ("both (5/7, 4/7), upper (3/5, 2/5), ...").
struct RegimeExponents {
  ExponentPair both, upper, none;
  const char* text;
  ExponentPair of(const std::string& regime) const;
};

// The schedule's options, a member of the options of f2sa and f3sa.
struct F2saScheduleOptions {
  std::string regime = "both";
  Auto a;
  Auto c;
  Auto lam0;
  double lam_max = 0;
  Auto alpha0;
  Auto gamma0;
  double k0 = 10.0;

  // The auto a and c come from `pairs` at the chosen regime; lam0 = 2 L_f/mu_g (the f2ba
  // paper's lam >= 2 L_f/mu), alpha0 = 1/(L_f + lam0 L_g) (the y step on f + lam0 g),
  // gamma0 = 1/L_g.
  void declare(OptionList& o, const RegimeExponents& pairs);
};

// The schedule of resolved options. Throws InvalidOptions naming `algo` when the resolved c
// exceeds a.
F2saSchedule make_f2sa_schedule(const F2saScheduleOptions& resolved, const std::string& algo);

}  // namespace bilevel
