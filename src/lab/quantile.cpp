#include "bilevel/lab/quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bilevel {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * q;
  const double below = std::floor(h);
  const std::size_t i = static_cast<std::size_t>(below);
  if (i + 1 >= values.size()) return values.back();
  const double t = h - below;
  const double a = values[i], b = values[i + 1];
  // numpy's _lerp: from a for t < 1/2, from b otherwise (exact at both ends, monotone).
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

Quantiles quantiles_of(const std::vector<double>& values) {
  std::vector<double> kept;
  kept.reserve(values.size());
  for (double v : values)
    if (!std::isnan(v)) kept.push_back(v);
  return {quantile(kept, 0.2), quantile(kept, 0.5), quantile(kept, 0.8), kept.size()};
}

}  // namespace bilevel
