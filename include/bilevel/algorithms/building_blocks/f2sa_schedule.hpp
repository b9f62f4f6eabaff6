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

// The schedule's options, a base of the options structs of f2sa and f3sa ("auto" where unset).
struct F2saScheduleOptions {
  Auto a;               // decay exponent of alpha_k; auto = from regime
  Auto c;               // decay exponent of gamma_k; auto = from regime
  Auto lam0;            // initial multiplier; auto = 2 L_f / mu_g
  double lam_max = 0;   // cap on lam_k; 0 = no cap
  Auto alpha0;          // initial y step; auto = 1/(L_f + lam0 L_g)
  Auto gamma0;          // initial z step; auto = 1/L_g
  double k0 = 10.0;     // schedule offset (instance-dependent constant)

  // Declare a and c; the multiplier and the steps (each list in the methods' option order).
  void declare_exponents(OptionList& o);
  void declare_steps(OptionList& o);
  // The common constraints: 0 <= c <= a <= 1, positive lam0, alpha0, gamma0, k0 (or auto),
  // lam_max >= 0.
  void check_schedule(Violations* v) const;
};

// Resolves the autos against the problem's constants: a, c from the regime's pair, lam0 =
// 2 L_f/mu_g (the f2ba paper's lam >= 2 L_f/mu), alpha0 = 1/(L_f + lam0 L_g) (the y step on
// f + lam0 g), gamma0 = 1/L_g. Throws InvalidOptions naming `algo` when a needed constant is
// unknown or the resolved c exceeds a.
F2saSchedule resolve_f2sa_schedule(const F2saScheduleOptions& o, ExponentPair regime,
                                   const ProblemConstants& cst, const std::string& algo);

// The exponent pair of the regime name ("both", "upper", "none") from three pairs.
ExponentPair regime_exponents(const std::string& regime, ExponentPair both, ExponentPair upper,
                              ExponentPair none);

}  // namespace bilevel
