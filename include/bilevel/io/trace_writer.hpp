// The trace of a run as CSV, in the column contract other tools rely on (DESIGN.md section 7):
//
//     iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,hypergrad_norm
//         [,comm_rounds,comm_bytes][,min_eig][,metric...]
//
// one row per IterRecord; comm_rounds and comm_bytes only for a method that communicates
// (Trace::has_comm: a distributed method's collective rounds and payload bytes per rank so
// far), min_eig only when the run computed it (Trace::has_min_eig), both placed before the
// problem metrics so that the contract's first eight columns never move. Counts are
// the run's cumulative totals over f and g; unknown values (NaN) are empty fields; doubles are
// written in shortest round-trip form, so reading a field back gives exactly the double that
// was recorded.
#pragma once

#include <string>
#include <string_view>

#include "bilevel/core/result.hpp"

namespace bilevel {

// The fixed leading columns, in contract order.
inline constexpr std::string_view kTraceColumns =
    "iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,hypergrad_norm";

// kTraceColumns, then comm_rounds,comm_bytes and min_eig if the trace has them, then the metric
// names (no trailing newline).
std::string trace_csv_header(const Trace& trace);

// The whole CSV text: header line, then one line per record, each ending in '\n'. A record
// with fewer metrics than metric names gets empty fields for the missing ones.
std::string trace_csv(const Trace& trace);

// One record as a CSV line ending in '\n', with the comm and min_eig columns when asked for
// and `num_metrics` metric fields (empty where the record has fewer): what trace_csv writes
// per record, for writers that put several traces in one file (compare's runs.csv).
std::string trace_csv_row(const IterRecord& r, bool comm, bool min_eig, std::size_t num_metrics);

// A text as a CSV field: quoted only when it contains a separator, quote or newline.
std::string csv_field(const std::string& s);

// Writes trace_csv(trace) to `path` atomically (see atomic_file.hpp). Throws
// InvalidInput("cannot write trace file '<path>': <reason>"); an existing file is then intact.
void write_trace_csv(const Trace& trace, const std::string& path);

}  // namespace bilevel
