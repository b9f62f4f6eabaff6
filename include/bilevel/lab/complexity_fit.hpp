// The measured exponent of a complexity sweep: a least-squares power law cost ~ C * x^a
// through points (x, cost), i.e. a straight line log(cost) = log(C) + a log(x).
#pragma once

#include <string>
#include <vector>

namespace bilevel {

struct PowerLawFit {
  bool ok = false;          // false: too few usable points (see message)
  std::string message;      // why there is no fit, or "" when ok
  std::size_t points = 0;   // points the line was fitted through
  double exponent = 0;      // a (NaN when !ok)
  double log_constant = 0;  // log(C)
  // Quality of the line in log space: coefficient of determination (1 = the points lie on
  // it; NaN when the costs are all equal, so there is nothing to explain) and the root mean
  // square of the residuals log(cost) - line (0.1 ~ points within 10% of the line).
  double r2 = 0;
  double rms_residual = 0;
  // The slope between the two points with the largest x: the local growth at the hard end of
  // the sweep, which approaches the asymptotic exponent when the smaller values are still
  // pre-asymptotic (a chain of a few links).
  double last_exponent = 0;
};

// Fits log(cost) = log(C) + a log(x) by least squares. Needs at least two points with
// distinct x; every x and cost must be > 0 and finite (others are a bug of the caller:
// std::invalid_argument).
PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& cost);

}  // namespace bilevel
