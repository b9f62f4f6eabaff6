#include "bilevel/linalg/finite_difference.hpp"

#include <cstdint>
#include <string>

#include "bilevel/core/error.hpp"

namespace bilevel {

std::vector<int> FiniteDifferenceStencil::active_nodes() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (alpha[i] != 0.0) out.push_back(nodes[i]);
  return out;
}

FiniteDifferenceStencil finite_difference_stencil(int p) {
  if (p < 1 || p > kMaxFiniteDifferenceOrder)
    throw InvalidOptions("finite-difference order p must be in [1, " +
                         std::to_string(kMaxFiniteDifferenceOrder) + "] (got " +
                         std::to_string(p) + ")");
  FiniteDifferenceStencil s;
  s.order = p;
  const int lo = p % 2 == 0 ? -p / 2 : -(p - 1) / 2;
  const int hi = p % 2 == 0 ? p / 2 : (p + 1) / 2;
  for (int j = lo; j <= hi; ++j) s.nodes.push_back(j);
  // L_j(t) = prod_{l != j} (t - x_l) / (x_j - x_l), so
  // L_j'(0) = [sum_{m != j} prod_{l != j, m} (-x_l)] / prod_{l != j} (x_j - x_l).
  for (int xj : s.nodes) {
    std::int64_t numerator = 0, denominator = 1;
    for (int xm : s.nodes) {
      if (xm == xj) continue;
      denominator *= xj - xm;
      std::int64_t term = 1;
      for (int xl : s.nodes)
        if (xl != xj && xl != xm) term *= -xl;
      numerator += term;
    }
    s.alpha.push_back(static_cast<double>(numerator) / static_cast<double>(denominator));
  }
  return s;
}

}  // namespace bilevel
