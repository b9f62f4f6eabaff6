// The trace columns `compare` can put on its axes, by the names of the trace CSV header
// (io/trace_writer.hpp), and their values in a record.
#include <algorithm>
#include <limits>

#include "bilevel/lab/compare.hpp"

namespace bilevel {

const std::vector<std::string>& compare_x_columns() {
  static const std::vector<std::string> columns = {
      "iter", "time_s", "grad_calls", "hvp_calls", "hess_calls", "samples", "comm_rounds",
      "comm_bytes"};
  return columns;
}

std::vector<std::string> compare_y_columns(const Problem& problem) {
  std::vector<std::string> columns = {"phi", "hypergrad_norm"};
  for (const auto& m : problem.metric_names()) columns.push_back(m);
  return columns;
}

double trace_column_value(const IterRecord& r, const std::vector<std::string>& metric_names,
                          const std::string& name) {
  if (name == "iter") return static_cast<double>(r.iter);
  if (name == "time_s") return r.time_s;
  if (name == "grad_calls") return static_cast<double>(r.counts.grad_calls());
  if (name == "hvp_calls") return static_cast<double>(r.counts.hvp_calls());
  if (name == "hess_calls") return static_cast<double>(r.counts.hess_calls());
  if (name == "samples") return static_cast<double>(r.counts.samples());
  if (name == "comm_rounds") return static_cast<double>(r.comm.rounds);
  if (name == "comm_bytes") return static_cast<double>(r.comm.bytes);
  if (name == "phi") return r.phi;
  if (name == "hypergrad_norm") return r.hypergrad_norm;
  const auto it = std::find(metric_names.begin(), metric_names.end(), name);
  const auto i = static_cast<std::size_t>(it - metric_names.begin());
  return i < r.metrics.size() ? r.metrics[i] : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace bilevel
