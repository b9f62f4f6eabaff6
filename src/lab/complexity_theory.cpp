#include "bilevel/lab/complexity_theory.hpp"

#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/lab/complexity_sweep.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {

bool is_stochastic(const KeyValues& problem_options) {
  for (const auto& [key, value] : problem_options)
    if (key == "sigma") {
      double s = 0;
      return parse_finite(value, &s) && s > 0;
    }
  return false;
}

std::vector<ReferenceExponent> reference_exponents(const TheoryQuery& q) {
  // A tol sweep measures one fixed problem against accuracy: the methods' eps bounds apply,
  // the instances' lower bounds (rebuilt per eps) do not.
  const bool tol_sweep = q.key == kToleranceKey;
  const std::string key = tol_sweep ? "eps" : q.key;
  std::vector<ReferenceExponent> out;
  if (!tol_sweep)
    for (const auto& e : problem_registry())
      if (e.name == q.problem && e.lower_bounds) out = e.lower_bounds(key, q.stochastic);
  for (const auto& e : algorithm_registry()) {
    if (e.name != q.algo) continue;
    std::unique_ptr<Algorithm> algo;
    try {
      algo = e.make()->with_options(q.algo_options);
    } catch (const InvalidInput&) {
      break;  // options it does not take: no bound to look up
    }
    for (auto& b : algo->upper_bounds(key, q.stochastic)) out.push_back(std::move(b));
  }
  return out;
}

}  // namespace bilevel
