// Bounds on the oracle calls needed to reach ||grad phi|| <= eps, as the papers state them:
// a hard instance declares its lower bound (no zero-respecting method can do better on it)
// and a method its upper bound (its guarantee on every problem of its class). The complexity
// lab (lab/complexity_theory.hpp) sets measured growth exponents beside them.
//
// Exponents are of the cost in 1/eps (a sweep of eps or tol: calls ~ eps^-a, exponent a) or
// in the swept value (kappa: calls ~ kappa^b, exponent b). Logarithmic factors are dropped
// from the exponent but kept in the formula text.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace bilevel {

struct ComplexityBound {
  std::string bound;    // "lower" (an instance's) or "upper" (a method's)
  double exponent = 0;  // see above
  std::string formula;  // the bound as stated, e.g. "Omega(kappa^(3/2) eps^-2)"
  std::string source;   // paper (as cited in docs/references.md), theorem or table
};

// One stated bound of a problem or method: for a sweep of `key` ("eps" or "kappa") under exact
// (stochastic = false) or noisy oracles.
struct BoundStatement {
  std::string_view key;
  bool stochastic;
  double exponent;
  std::string_view formula;
  std::string_view source;
};

// The statements that match the sweep, as bounds of kind `bound` ("lower" or "upper").
inline std::vector<ComplexityBound> matching_bounds(std::string_view bound,
                                                    std::initializer_list<BoundStatement> rows,
                                                    std::string_view key, bool stochastic) {
  std::vector<ComplexityBound> out;
  for (const BoundStatement& r : rows)
    if (r.key == key && r.stochastic == stochastic)
      out.push_back(
          {std::string(bound), r.exponent, std::string(r.formula), std::string(r.source)});
  return out;
}

}  // namespace bilevel
