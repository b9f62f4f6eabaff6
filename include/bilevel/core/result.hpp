// What a run returns: final iterate, why it stopped, exact cost, and the per-iteration trace.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "bilevel/core/oracle_counts.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

enum class Status {
  kConverged,      // exact ||grad phi|| <= tol
  kMaxIterations,  // iteration limit reached
  kOracleBudget,   // oracle-call budget spent
  kTimeLimit,      // wall-time limit reached
  kDiverged,       // a non-finite iterate or value, or ||grad phi|| grew 1e6-fold
  kUserStop,       // a callback asked to stop
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
};

struct Trace {
  std::vector<std::string> metric_names;
  bool has_min_eig = false;  // the run computed IterRecord::min_eig (a trace column)
  std::vector<IterRecord> records;
};

struct Result {
  Vec x;  // final upper-level iterate
  Vec y;  // the method's final estimate of y*(x)
  Status status = Status::kMaxIterations;
  std::string message;  // one line: why the run stopped
  Index iters = 0;      // outer iterations performed
  double time_s = 0;    // algorithm wall time, diagnostics excluded
  OracleCounts counts;  // oracle calls made by this run
  double phi = 0;       // exact phi at x (NaN if unknown)
  double hypergrad_norm = 0;
  double min_eig = std::numeric_limits<double>::quiet_NaN();  // at x, when asked for
  KeyValues options;  // the algorithm's resolved options ("auto" replaced by values)
  std::vector<std::string> warnings;  // settings outside the method's theory, one line each
  Trace trace;

  // A short human-readable report (Ceres-style BriefReport).
  std::string brief_report() const;
};

}  // namespace bilevel
