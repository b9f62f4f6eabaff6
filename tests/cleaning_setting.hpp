// The f2ba setting that cleans australian (hyperclean's defaults: half the training labels
// corrupted, sigmoid weights, c = 1e-3) within 200 iterations, shared by the tests that check
// cleaning against the no-cleaning baseline.
#pragma once

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel::testing {

// Steps: alpha = 1/L_g and tau = 1/(L_f + lam L_g) (the paper's defaults); eta = 100 by hand,
// since the auto value 1/(L_f (1 + kappa)^2) with kappa = L_g / (2c) ~ 1300 is ~1e-7: the
// hypergradient entries are O(1/n), so a useful outer step is O(n).
inline F2baOptions f2ba_cleaning_options(const Problem& p) {
  const ProblemConstants k = p.constants();
  F2baOptions fo;
  fo.penalty.lam = 100;
  fo.penalty.K = 10;
  fo.penalty.alpha = 1.0 / *k.L_g;
  fo.penalty.tau = 1.0 / (*k.L_f + *fo.penalty.lam * *k.L_g);
  fo.eta = 100;
  return fo;
}

constexpr Index kCleaningIterations = 200;

}  // namespace bilevel::testing
