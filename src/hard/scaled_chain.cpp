#include "bilevel/hard/scaled_chain.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/hard/probability_p.hpp"

namespace bilevel::hard {

namespace {
constexpr double kHessBound = 152;  // Carmon et al., Lemma 3: ||Hess f_T|| <= 152
constexpr double kGapPerLink = 12;  // f_T(0) - inf f_T <= 12 T
}  // namespace

Index scaled_chain_length(double L, double delta, double eps) {
  const double lam = kHessBound * eps / L;
  const double T = std::floor(delta * kHessBound / (kGapPerLink * L * lam * lam) * (1 + 1e-12));
  // Saturated: converting a double beyond the range of Index is undefined, and a chain of
  // 2^62 links is refused by the memory check anyway.
  if (!(T < 0x1p62)) return std::numeric_limits<Index>::max();
  return static_cast<Index>(T);
}

namespace {
Index checked_length(double L, double delta, double eps) {
  if (!(L > 0) || !(delta > 0) || !(eps > 0))
    throw InvalidInput("zero chain: L_f, delta and eps must be > 0 (got L_f=" +
                       format_double(L) + ", delta=" + format_double(delta) +
                       ", eps=" + format_double(eps) + ")");
  const Index T = scaled_chain_length(L, delta, eps);
  if (T < 1)
    throw InvalidInput("zero chain: eps=" + format_double(eps) +
                       " is too large for delta=" + format_double(delta) + " and L_f=" +
                       format_double(L) + ": the chain would be empty; use eps <= " +
                       format_double(std::sqrt(delta * L / (kGapPerLink * kHessBound))));
  // x and y both have T coordinates.
  check_problem_memory("zero chain: eps=" + format_double(eps) + " (delta=" + format_double(delta) +
                           ", L_f=" + format_double(L) + ") gives a chain of T = " +
                           std::to_string(T) + " links (dim x = dim y = T)",
                       T, T);
  return T;
}
}  // namespace

ScaledChain::ScaledChain(double L, double delta, double eps)
    : chain_(checked_length(L, delta, eps)), L_(L), lam_(kHessBound * eps / L) {}

double ScaledChain::value(const Vec& x) const {
  return L_ * lam_ * lam_ / kHessBound * chain_.value(x / lam_);
}

void ScaledChain::gradient(const Vec& x, Vec* g) const {
  chain_.gradient(x / lam_, g);
  *g *= L_ * lam_ / kHessBound;
}

void ScaledChain::stochastic_gradient(const Vec& x, const std::optional<std::uint64_t>& seed,
                                      double p, Vec* g) const {
  gradient(x, g);
  const Index i = next_coordinate(x);
  if (i < g->size()) (*g)(i) *= bernoulli_scale(seed, p);
}

void ScaledChain::hessian_product(const Vec& x, const Vec& u, Vec* out) const {
  chain_.hessian_product(x / lam_, u, out);
  *out *= L_ / kHessBound;
}

Mat ScaledChain::hessian(const Vec& x) const {
  return L_ / kHessBound * chain_.hessian(x / lam_);
}

}  // namespace bilevel::hard
