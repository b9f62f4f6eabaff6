// The complexity lab: measure how an algorithm's oracle cost grows with the target accuracy
// (or the condition number, or any numeric problem option) and set the measured exponent
// beside the exponents theory states.
//
// For every value v of the sweep, a fresh problem is built through the registry with the
// fixed problem options plus key=v, and a fresh algorithm with the fixed options (expressions
// such as lam=10/eps evaluated at v; complexity_sweep.hpp) runs from the problem's initial
// point until the exact ||grad phi|| <= tol or the budget is spent, once per seed. The
// tolerance is the swept value itself when the key is `eps` (the hard instances' target:
// stop at eps-stationarity) or `tol` (one fixed problem, shrinking tolerance); otherwise it
// is the settings' tol. A run that spends its budget is a result, not an error: it is
// recorded and left out of the fit.
//
// The fit: cost = grad + hvp + hess calls, averaged over the seeds of each point whose seeds
// all converged, against 1/v (eps, tol: cost ~ v^-a, reported as a) or v (otherwise:
// cost ~ v^b), by least squares in log-log (complexity_fit.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <limits>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/lab/complexity_fit.hpp"
#include "bilevel/lab/complexity_sweep.hpp"
#include "bilevel/lab/complexity_theory.hpp"

namespace bilevel {

// What to sweep: a problem and an algorithm by registry name, with their fixed options.
struct ComplexityTask {
  std::string problem;
  KeyValues problem_options;  // must not contain the sweep key
  std::string algo;
  KeyValues algo_options;  // values may be expressions in the sweep key
  ComplexitySweep sweep;
};

// Limits of a sweep, refused before anything runs: seeds per point, and runs in all
// (points x seeds). A sweep beyond them is a typo more often than a plan.
inline constexpr Index kMaxComplexitySeeds = 1000;
inline constexpr Index kMaxComplexityRuns = 10000;

struct ComplexitySettings {
  // Budget (max_iters, max_oracle_calls, time_limit_s) and first seed of every run, and its
  // tol when the key is neither eps nor tol (then required > 0; with eps or tol it must be
  // 0, the sweep sets it). Every run evaluates every iteration (log_every = 1) with the
  // exact diagnostics, so that it stops at the first iterate within tol, and keeps only the
  // latest record (keep_trace = false: constant memory however long the run).
  RunSettings run;
  Index seeds = 1;  // runs per point, with seeds run.seed, run.seed + 1, ... (<= kMaxSeeds)
};

// grad + hvp + hess calls: the oracle cost the fit uses (function values are not counted,
// as in the papers' first-order oracle complexities).
Index complexity_cost(const OracleCounts& counts);

struct ComplexityRun {
  std::size_t point = 0;  // index of the swept value
  double value = 0;       // the swept value
  std::uint64_t seed = 0;
  double tol = 0;  // the stopping tolerance of this run
  Status status = Status::kMaxIterations;
  std::string message;
  Index iters = 0;
  double time_s = 0;
  OracleCounts counts;
  double hypergrad_norm = 0;    // exact ||grad phi|| at the final x
  // The oracle calls the problem's construction forces before phi can be eps-stationary, when
  // it states them (the lower-bound instances' derived option `chain_calls`); NaN otherwise.
  double chain_calls = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> metrics;  // the problem's metrics at the end (ComplexityResult order)
  KeyValues algo_options;       // the options set for this point (expressions evaluated)

  bool converged() const { return status == Status::kConverged; }
};

// One swept value across its seeds.
struct ComplexityPoint {
  double value = 0;
  double fit_x = 0;           // 1/value (eps, tol) or value
  std::size_t converged = 0;  // seeds that reached tol
  std::size_t runs = 0;
  double mean_cost = 0;  // over the seeds; NaN unless all converged
};

struct ComplexityResult {
  ComplexitySweep sweep;
  std::string fit_variable;   // "1/eps", "1/tol" or the key
  OptionValues problem_options;  // the first point's problem options, without the sweep key
  bool stochastic = false;    // is_stochastic(problem_options)
  std::vector<std::string> metric_names;
  std::vector<ComplexityRun> runs;  // point by point, seeds within a point
  std::size_t planned_runs = 0;     // points x seeds; more than runs.size() when interrupted
  // settings.run.interrupt was set: the sweep ended early. The run that was going is the last
  // one, with status kInterrupted (so its point has no mean cost and stays out of the fit).
  bool interrupted = false;
  std::vector<ComplexityPoint> points;
  PowerLawFit fit;  // through the points whose seeds all converged
  std::vector<ReferenceExponent> references;
};

// Called after each run with its index and the number of runs (progress reports).
using ComplexityProgress =
    std::function<void(const ComplexityRun&, std::size_t index, std::size_t total)>;

// Problems indexed by their options: how the sweep builds one per value (the registry's
// ProblemEntry::make, or a family of the caller's own).
struct ProblemFamily {
  std::function<std::unique_ptr<Problem>(const KeyValues&)> make;
  std::vector<std::string> option_names;  // the options it declares (the sweepable keys)
};

// Checks everything that can be checked before the first run (names, the key is declared by
// the problem and not fixed too, tol vs key, seeds >= 1, every point's problem options and
// algorithm options), then runs the sweep on the registered problem task.problem. Throws
// InvalidInput for bad input; never for a run that hits its budget or diverges. When
// settings.run.interrupt is set, the running run ends at its next iteration boundary, no
// further run starts, and the result (fit included) covers the runs so far.
ComplexityResult run_complexity(const ComplexityTask& task, const ComplexitySettings& settings,
                                const ComplexityProgress& on_run = {});

// The same on a family of the caller's own; task.problem only names it (in messages, and to
// look up the reference exponents).
ComplexityResult run_complexity(const ComplexityTask& task, const ProblemFamily& family,
                                const ComplexitySettings& settings,
                                const ComplexityProgress& on_run = {});

}  // namespace bilevel
