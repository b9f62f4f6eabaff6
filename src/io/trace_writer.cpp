#include "bilevel/io/trace_writer.hpp"

#include <cmath>

#include "bilevel/io/atomic_file.hpp"
#include "bilevel/core/options.hpp"

namespace bilevel {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

namespace {

void append_number(std::string* line, double v) {
  *line += ',';
  if (!std::isnan(v)) *line += format_double(v);
}

void append_count(std::string* line, Index v) {
  *line += ',';
  *line += std::to_string(v);
}

}  // namespace

std::string trace_csv_row(const IterRecord& r, bool comm, bool min_eig, std::size_t num_metrics) {
  std::string line = std::to_string(r.iter);
  append_number(&line, r.time_s);
  append_count(&line, r.counts.grad_calls());
  append_count(&line, r.counts.hvp_calls());
  append_count(&line, r.counts.hess_calls());
  append_count(&line, r.counts.samples());
  append_number(&line, r.phi);
  append_number(&line, r.hypergrad_norm);
  if (comm) {
    append_count(&line, r.comm.rounds);
    append_count(&line, r.comm.bytes);
  }
  if (min_eig) append_number(&line, r.min_eig);
  for (std::size_t i = 0; i < num_metrics; ++i)
    append_number(&line, i < r.metrics.size() ? r.metrics[i] : std::nan(""));
  line += '\n';
  return line;
}

std::string trace_csv_header(const Trace& trace) {
  std::string header(kTraceColumns);
  if (trace.has_comm) header += ",comm_rounds,comm_bytes";
  if (trace.has_min_eig) header += ",min_eig";
  for (const auto& name : trace.metric_names) header += ',' + csv_field(name);
  return header;
}

std::string trace_csv(const Trace& trace) {
  std::string text = trace_csv_header(trace) + '\n';
  for (const auto& r : trace.records) text += trace_csv_row(r, trace.has_comm, trace.has_min_eig, trace.metric_names.size());
  return text;
}

void write_trace_csv(const Trace& trace, const std::string& path) {
  write_file_atomically(path, trace_csv(trace), "trace file");
}

}  // namespace bilevel
