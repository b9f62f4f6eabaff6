// What a run returns: final iterate, why it stopped, exact cost, and the per-iteration trace.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/oracle_counts.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class StateArchive;

enum class Status {
  kConverged,      // exact ||grad phi|| <= tol
  kMaxIterations,  // iteration limit reached
  kOracleBudget,   // oracle-call budget spent
  kTimeLimit,      // wall-time limit reached
  kDiverged,       // a non-finite iterate or value, or ||grad phi|| grew 1e6-fold
  kUserStop,       // a callback asked to stop, or the run was cancelled
  kUserAbort,      // a callback aborted the run: its iterate must not be used
  kInterrupted,    // RunSettings::interrupt was set (the CLI's SIGINT/SIGTERM handler)
};

const char* to_string(Status s);

// One trace record (one outer iteration, or one per logging interval). Values that are not
// known are NaN (written as empty CSV fields).
struct IterRecord {
  Index iter = 0;
  double time_s = 0;  // algorithm wall time so far, diagnostics excluded
  OracleCounts counts;
  double phi = 0;             // exact phi(x) = f(x, y*(x))  (Diagnostics, uncounted)
  double hypergrad_norm = 0;  // exact ||grad phi(x)||        (Diagnostics, uncounted)
  // lambda_min(Hess phi(x)) (Diagnostics::min_eig_phi, uncounted); NaN unless
  // RunSettings::min_eig asked for it.
  double min_eig = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> metrics;  // problem metrics, in Trace::metric_names order
  // The method's communication so far (a distributed method's; zero otherwise): collective
  // rounds and payload bytes per rank (comm.hpp). Like the oracle counts, the exact
  // diagnostics' own communication is not in it.
  CommCounts comm;

  void visit(StateArchive& a);  // every member (checkpoints)
};

struct Trace {
  std::vector<std::string> metric_names;
  bool has_min_eig = false;  // the run computed IterRecord::min_eig (a trace column)
  bool has_comm = false;     // the method communicates: comm_rounds, comm_bytes columns
  std::vector<IterRecord> records;
};

class MethodRun;

// Wall time of a run by phase.
struct Timings {
  double start_s = 0;        // resolving the options and creating the run's state
  double steps_s = 0;        // the method's iterations
  double diagnostics_s = 0;  // exact phi, ||grad phi|| and min_eig for the trace (uncounted)
  double callbacks_s = 0;    // the callbacks, trace writing and progress bars among them

  void visit(StateArchive& a);  // every member (checkpoints)
};

struct Result {
  std::string algorithm;  // the method's name
  std::string problem;    // the problem's name
  Vec x;                  // final upper-level iterate
  Vec y;                  // the method's final estimate of y*(x)
  Status status = Status::kMaxIterations;
  std::string message;  // one line: why the run stopped
  Index iters = 0;      // outer iterations performed
  double time_s = 0;    // algorithm wall time (start and steps), diagnostics excluded
  Timings timings;
  OracleCounts counts;  // oracle calls made by this run
  CommCounts comm;  // a distributed method's communication (Trace::has_comm), else zero
  double phi = 0;       // exact phi at x (NaN if unknown)
  double hypergrad_norm = 0;
  double min_eig = std::numeric_limits<double>::quiet_NaN();  // at x, when asked for
  OptionValues options;          // the algorithm's resolved options ("auto" replaced by values)
  OptionValues problem_options;  // the problem's options
  // Counters the method reports about its run (pf2ba's perturbations, the Hessian refreshes
  // of the lazy methods, ...), in the order it reports them.
  std::vector<std::pair<std::string, double>> method_counters;
  std::vector<std::string> warnings;  // settings outside the method's theory, one line each
  Trace trace;
  // The run's final state (iterates, workspaces, method-specific records), for inspection;
  // reset it to free its memory.
  std::shared_ptr<const MethodRun> state;

  // False when the run aborted or diverged: x is then not a usable answer.
  bool usable() const { return status != Status::kUserAbort && status != Status::kDiverged; }
  // One line (Ceres-style BriefReport).
  std::string brief_report() const;
  // Everything about the run in a fixed-width table (Ceres-style FullReport): the method and
  // problem with their options, the termination and why, iterations, oracle calls by
  // function and kind, time by phase, the method's counters and warnings.
  std::string full_report() const;
  // The final state as the method's run type, or nullptr (for tests and experiments that
  // inspect a method's internals: state_as<Pf2baRun>()->perturbations()).
  template <class Run>
  const Run* state_as() const {
    return dynamic_cast<const Run*>(state.get());
  }
};

}  // namespace bilevel
