// Comparing methods over seeds: "which method wins on my problem, and how sure am I?"
//
// Every method entry runs once per seed on the same problem under one budget. The seed is the
// run's seed (minibatches, noise) and, when the problem declares a `seed` option that the
// user did not fix, the problem's too (its split and label corruption): one problem is built
// per seed, and each run takes a clone() of it, so data is loaded once per seed. Runs may go
// on several threads (jobs); their results do not depend on it, nor on the order they end in.
//
// The runs are summarised by order statistics over the seeds (median and the 20% and 80%
// quantiles, numpy's default "linear" definition): of each y column's final value, of the
// final x, and of the x at which a target is first reached; and, along a common grid of the
// x-axis, by bands of the same quantiles of each run's value there (resample.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/lab/quantile.hpp"
#include "bilevel/lab/tune.hpp"

namespace bilevel {

// One method as the user gives it. A grid expands it into one entry per grid point.
struct CompareMethod {
  std::string label;  // empty: the algorithm's name (plus the grid values, "f2ba eta=0.1")
  std::string algo;
  KeyValues options;
  std::vector<GridAxis> grid;  // may be empty
};

// "x needed to reach target": the first record whose `column` is <= value (or >= with above).
struct CompareTarget {
  std::string column;
  double value = 0;
  bool above = false;  // direction: false "below" (losses), true "above" (accuracies)
};

struct CompareConfig {
  std::string problem;
  KeyValues problem_options;
  std::vector<CompareMethod> methods;
  std::vector<std::uint64_t> seeds = {0, 1, 2, 3, 4};
  Stopping budget;  // max_iters, max_oracle_calls, time_limit_s, tol of every run
  Index log_every = 1;
  bool diagnostics = true;
  std::string x = "iter";      // one of compare_x_columns()
  std::vector<std::string> y;  // empty: the problem's first metric, else phi
  Index grid_points = 100;
  std::optional<CompareTarget> target;
  Index jobs = 1;  // runs at once (threads); each then uses one kernel thread
};

// The trace columns that may be an x-axis: they never decrease along a run.
const std::vector<std::string>& compare_x_columns();
// The trace columns a y column or a target may name on `problem`: phi, hypergrad_norm and the
// problem's metrics.
std::vector<std::string> compare_y_columns(const Problem& problem);
// The value of trace column `name` in record `r` of a trace with `metric_names` (NaN when the
// record lacks it).
double trace_column_value(const IterRecord& r, const std::vector<std::string>& metric_names,
                          const std::string& name);

// One method entry after grids are expanded, with its final label.
struct CompareEntry {
  std::string label;
  std::string algo;
  KeyValues options;
};

// The grid-expanded entries of `config`, labelled. Throws InvalidInput for an empty method
// list, a method without algo, or two entries with one label.
std::vector<CompareEntry> expand_methods(const CompareConfig& config);

struct CompareRun {
  std::size_t entry = 0;  // index in CompareResult::entries
  std::uint64_t seed = 0;
  bool ran = false;       // false: not started (the comparison was interrupted first)
  bool valid = false;     // the algorithm accepted the options
  Status status = Status::kMaxIterations;
  std::string message;    // why the run stopped, or why its options were refused
  Index iters = 0;
  double time_s = 0;
  Trace trace;
  // Counted in the statistics: valid, neither diverged nor interrupted, with a record.
  bool finished() const;
};

// Per method entry: order statistics over its finished runs.
struct CompareMethodStats {
  std::vector<Quantiles> final_y;  // per y column, of each run's last record
  Quantiles final_x;
  Quantiles x_to_target;        // over the runs that reached the target
  std::size_t reached = 0;      // runs that reached the target
  std::size_t finished = 0;     // runs counted
  std::size_t planned = 0;      // seeds
};

// The resampled curves: bands[entry][y column][grid point].
struct CompareBands {
  std::vector<double> x;
  std::vector<std::vector<std::vector<Quantiles>>> bands;
};

struct CompareResult {
  CompareConfig config;  // resolved: y filled in, methods expanded (no grids), labels set
  std::vector<CompareEntry> entries;
  std::vector<std::string> metric_names;  // the problem's
  std::vector<CompareRun> runs;           // entry-major, then seed order; always all planned
  std::vector<CompareMethodStats> stats;  // per entry
  CompareBands bands;
  bool interrupted = false;  // the interrupt flag ended the comparison early
  std::size_t runs_done() const;
};

// Progress after each run (from whichever thread ran it, one call at a time).
using CompareProgress = std::function<void(const CompareRun& run, std::size_t done,
                                           std::size_t total)>;

// Checks `config` against the registry and the problem (names, option keys and value types,
// columns, budget) and returns it resolved (what CompareResult::config holds), without
// running anything. Throws InvalidInput with one line naming what is wrong.
CompareConfig resolve_compare_config(const CompareConfig& config);

// Runs every method entry on every seed. `interrupt` (may be null), when set, ends the
// running runs at their next iteration and starts no other: the result then holds the runs
// that finished, flagged interrupted. A refused or diverged run is recorded with its reason.
// Throws InvalidInput before any run for what resolve_compare_config refuses.
CompareResult run_compare(const CompareConfig& config,
                          const std::atomic<bool>* interrupt = nullptr,
                          const CompareProgress& on_run = {});

}  // namespace bilevel
