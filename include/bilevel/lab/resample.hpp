// Putting runs logged at different x (iterations, seconds, oracle calls) on one common grid,
// so that their values can be compared point by point across seeds.
//
// A run's value at grid point g is the value of its last record with x <= g: what the run
// had reached by then (a step function, never an interpolation). Before its first record and
// past its last one it has no value (NaN): resampling never invents a value a run did not
// reach, so a run that stopped early drops out of the bands instead of being extended flat.
#pragma once

#include <cstddef>
#include <vector>

namespace bilevel {

// `points` evenly spaced values from `lo` to `hi`, the last exactly `hi` (one point when
// points is 1 or lo == hi).
std::vector<double> linear_grid(double lo, double hi, std::size_t points);

// The step-function value of the run (xs non-decreasing, ys beside them) at each grid point,
// NaN outside [xs.front(), xs.back()]. Records with NaN x are skipped.
std::vector<double> resample_steps(const std::vector<double>& xs, const std::vector<double>& ys,
                                   const std::vector<double>& grid);

}  // namespace bilevel
