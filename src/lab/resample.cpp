#include "bilevel/lab/resample.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bilevel {

std::vector<double> linear_grid(double lo, double hi, std::size_t points) {
  if (points == 0) return {};
  if (points == 1 || !(hi > lo)) return {hi};
  std::vector<double> grid(points);
  const double step = (hi - lo) / static_cast<double>(points - 1);
  for (std::size_t i = 0; i + 1 < points; ++i) grid[i] = lo + step * static_cast<double>(i);
  grid.back() = hi;  // not lo + (points - 1) step, which may round past the last run's end
  return grid;
}

std::vector<double> resample_steps(const std::vector<double>& xs, const std::vector<double>& ys,
                                   const std::vector<double>& grid) {
  std::vector<double> x, y;
  for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    if (!std::isnan(xs[i])) {
      x.push_back(xs[i]);
      y.push_back(ys[i]);
    }
  std::vector<double> out(grid.size(), std::numeric_limits<double>::quiet_NaN());
  if (x.empty()) return out;
  for (std::size_t g = 0; g < grid.size(); ++g) {
    if (grid[g] < x.front() || grid[g] > x.back()) continue;
    // The last record with x <= grid[g].
    const auto after = std::upper_bound(x.begin(), x.end(), grid[g]);
    out[g] = y[static_cast<std::size_t>(after - x.begin()) - 1];
  }
  return out;
}

}  // namespace bilevel
