// Quantiles as numpy computes them by default (np.quantile, method="linear", Hyndman and Fan's
// type 7): for n sorted values v[0..n-1] and q in [0, 1], h = (n - 1) q and the quantile is
// v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]). The same arithmetic as numpy's
// (its lerp from the nearer end), so that a reader checking our tables with numpy gets the
// same doubles, not merely close ones (the file is compiled without fused multiply-adds,
// CMakeLists.txt).
#pragma once

#include <cstddef>
#include <vector>

namespace bilevel {

// The type-7 quantile of `values` (any order; NaNs are not allowed). NaN for no values.
double quantile(std::vector<double> values, double q);

// The summary statistics of `compare`: the median and the 20% and 80% quantiles, and how many
// values they are over.
struct Quantiles {
  double q20;
  double median;
  double q80;
  std::size_t n = 0;
};

// Quantiles of the non-NaN entries of `values` (all NaN when there are none).
Quantiles quantiles_of(const std::vector<double>& values);

}  // namespace bilevel
