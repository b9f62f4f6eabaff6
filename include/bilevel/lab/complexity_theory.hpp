// The exponents theory predicts for a complexity sweep, gathered from where they are declared:
// a hard instance declares its lower bound (a static lower_bounds(key, stochastic) of the
// problem class, reached through the registry) and a method its upper bound
// (Algorithm::upper_bounds, which may read the method's options: f2sa-p's depends on p).
//
// A lower bound applies to sweeps of the problem option `eps` or `kappa` (the instance is
// rebuilt for every value), never to a `tol` sweep of one fixed problem; a method's upper bound
// applies to `tol` sweeps too (core/complexity_bounds.hpp says what the exponents measure).
#pragma once

#include <string>
#include <vector>

#include "bilevel/core/complexity_bounds.hpp"
#include "bilevel/core/options.hpp"

namespace bilevel {

// Kept under its former name: what the lab reports beside a fit.
using ReferenceExponent = ComplexityBound;

struct TheoryQuery {
  std::string algo;     // a registered method (none if unknown: no upper bound)
  std::string problem;  // a registered problem (none if unknown: no lower bound)
  std::string key;      // the swept variable: eps, tol, kappa, ...
  bool stochastic = false;  // see is_stochastic
  KeyValues algo_options;   // the method's options (f2sa-p's exponent needs p)
};

// True when the problem options set a gradient noise: `sigma` > 0 (the hard instances and
// quadratic use sigma = 0 for exact oracles).
bool is_stochastic(const KeyValues& problem_options);

// The references that apply to the query, lower bounds first; empty when none is known.
std::vector<ReferenceExponent> reference_exponents(const TheoryQuery& query);

}  // namespace bilevel
