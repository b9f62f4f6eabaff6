#include "bilevel/lab/complexity_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace bilevel {

PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& cost) {
  if (x.size() != cost.size()) throw std::invalid_argument("fit_power_law: sizes differ");
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  PowerLawFit fit;
  fit.points = x.size();
  fit.exponent = fit.log_constant = fit.r2 = fit.rms_residual = fit.last_exponent = kNaN;
  if (x.size() < 2) {
    fit.message =
        "not enough converged points (" + std::to_string(x.size()) + " of the 2 a slope needs)";
    return fit;
  }
  const auto n = static_cast<double>(x.size());
  double mu = 0, mv = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !(cost[i] > 0) || !std::isfinite(x[i]) || !std::isfinite(cost[i]))
      throw std::invalid_argument("fit_power_law: points must be positive and finite");
    mu += std::log(x[i]) / n;
    mv += std::log(cost[i]) / n;
  }
  // Centred sums: better conditioned than the textbook n*sum(uv) - sum(u)sum(v) form.
  double suu = 0, suv = 0, svv = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = std::log(x[i]) - mu, v = std::log(cost[i]) - mv;
    suu += u * u;
    suv += u * v;
    svv += v * v;
  }
  if (suu == 0) {
    fit.message = "the converged points all have the same swept value";
    return fit;
  }
  fit.ok = true;
  fit.exponent = suv / suu;
  fit.log_constant = mv - fit.exponent * mu;
  const double ss_res = std::max(0.0, svv - fit.exponent * suv);
  fit.r2 = svv > 0 ? 1 - ss_res / svv : kNaN;
  fit.rms_residual = std::sqrt(ss_res / n);
  std::vector<std::size_t> order(x.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  const std::size_t hi = order[order.size() - 1], lo = order[order.size() - 2];
  if (x[hi] > x[lo]) fit.last_exponent = std::log(cost[hi] / cost[lo]) / std::log(x[hi] / x[lo]);
  return fit;
}

}  // namespace bilevel
