// Grid search over algorithm options: the step-size search of the papers' experiments (the
// f2sa-p paper searches eta_x, eta_y and nu "in a logarithmic scale with base 10") as a
// reusable, reproducible function.
//
// Every grid point runs the same algorithm on the same problem object (its data is loaded
// once), from the problem's initial point, with the same run settings and seed, so trials
// differ only in their options. A trial is scored by one column of its last trace record (a
// problem metric such as val_loss, or phi / hypergrad_norm / min_eig from the exact
// diagnostics).
// Diverged runs, non-finite scores and options an algorithm refuses (InvalidOptions from
// validation or init, e.g. a spacing too large for strong convexity) are recorded with
// their reason and never win.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bilevel/core/algorithm.hpp"

namespace bilevel {

// One option's values to try.
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// Parses "key=v1,v2,..." (values as written) or "key=lo:hi", the powers of ten from lo to hi
// (both > 0, hi / lo an integral power of ten: "eta=1e-4:1" is 1e-4, 1e-3, 1e-2, 0.1, 1).
// Throws InvalidInput naming the spec and the accepted forms.
GridAxis parse_grid_axis(std::string_view spec);

struct TuneSettings {
  RunSettings run;      // the budget and seed of every trial
  std::string metric;   // trace column to score: a problem metric, "phi", "hypergrad_norm"
                        // or "min_eig" (needs run.min_eig)
  bool maximize = false;  // true for accuracies
};

struct TuneTrial {
  KeyValues grid_values;  // this trial's grid point, in axis order
  bool valid = false;     // the algorithm accepted the options
  Status status = Status::kMaxIterations;
  std::string message;    // why the run stopped, or why the options were refused
  double score = 0;       // NaN when there is no usable score
  Index iters = 0;
  double time_s = 0;
  OracleCounts counts;
  OptionValues resolved_options;  // the algorithm's resolved options (valid trials)
};

struct TuneResult {
  std::vector<TuneTrial> trials;  // in grid order: the first axis varies slowest
  std::optional<std::size_t> best;  // index of the winning trial; none if nothing scored
  std::size_t planned = 0;  // the grid's trials; more than trials.size() when interrupted
  // settings.run.interrupt was set: the search ended early. The trial that was running is the
  // last one, with status kInterrupted and no score (a partial run must not win).
  bool interrupted = false;
};

// The score column names available for `problem`: its metrics, then phi, hypergrad_norm and
// min_eig.
std::vector<std::string> score_columns(const Problem& problem);

// The most trials a grid may have (the product of its axes' lengths): a search of days is a
// typo more often than a plan; split a larger one into several calls.
inline constexpr std::size_t kMaxGridTrials = 10000;

// Runs `algorithm` at every point of the grid (cartesian product of the axes) with its options
// plus `fixed` plus the point's values (a grid key overrides the same fixed key). `on_trial` is
// called after each trial (progress reports). When settings.run.interrupt is set the search
// stops: the running trial ends at its next iteration boundary, no further trial starts, and
// the result holds the trials so far (interrupted = true). Throws InvalidInput before any trial runs for
// an unknown metric, a metric that needs diagnostics when they are off, min_eig without
// run.min_eig, an empty grid, a key given twice in the grid, more than kMaxGridTrials trials,
// or a grid value its option can never take (not a number, not one of its choices).
TuneResult grid_search(Problem& problem, const Algorithm& algorithm, const KeyValues& fixed,
                       const std::vector<GridAxis>& grid, const TuneSettings& settings,
                       const std::function<void(const TuneTrial&, std::size_t index,
                                                std::size_t total)>& on_trial = {});

}  // namespace bilevel
