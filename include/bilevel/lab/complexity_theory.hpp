// The exponents theory predicts for a complexity sweep, with where each is stated.
//
// Two kinds of reference: the lower bound of a hard instance (no zero-respecting method can
// reach ||grad phi|| <= eps on it with fewer calls; the instance is rebuilt for every eps, so
// this applies to sweeps of the problem option `eps` or `kappa`, never to a `tol` sweep of one
// fixed problem) and a method's upper bound (its guarantee on any problem of the class, so
// it applies to `tol` sweeps too). Only exponents the papers of docs/references.md state
// are listed; logarithmic factors are dropped from the exponent but kept in the formula text.
// Exponents are of the cost in 1/eps (key eps or tol: calls ~ eps^-a, exponent a) or in the
// swept value (kappa: calls ~ kappa^b, exponent b).
#pragma once

#include <string>
#include <vector>

#include "bilevel/core/problem.hpp"

namespace bilevel {

struct ReferenceExponent {
  std::string bound;    // "lower" (the instance's) or "upper" (the method's)
  double exponent = 0;  // see above
  std::string formula;  // the bound as stated, e.g. "Omega(kappa^(3/2) eps^-2)"
  std::string source;   // paper (as cited in docs/references.md), theorem or table
};

struct TheoryQuery {
  std::string algo;
  std::string problem;
  std::string key;          // the swept variable: eps, tol, kappa, ...
  bool stochastic = false;  // see is_stochastic
  KeyValues algo_options;   // the algorithm's option values (f2sa-p's exponent needs p)
};

// True when the resolved problem options set a gradient noise: `sigma` > 0 (the hard
// instances and quadratic use sigma = 0 for exact oracles).
bool is_stochastic(const KeyValues& problem_options);

// The references that apply to the query, lower bounds first; empty when none is known.
std::vector<ReferenceExponent> reference_exponents(const TheoryQuery& query);

}  // namespace bilevel
