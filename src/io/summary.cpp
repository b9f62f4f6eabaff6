#include "bilevel/io/summary.hpp"

#include <sys/resource.h>

#include <charconv>
#include <cmath>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/io/atomic_file.hpp"

namespace bilevel {

using nlohmann::json;

json json_number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

namespace {

json number(double v) { return json_number(v); }

// Text as the user typed it, as a JSON value a consumer can plot.
json typed_value(const std::string& s) {
  if (s == "true") return true;
  if (s == "false") return false;
  if (Index i; parse_integer(s, &i)) return i;
  if (std::uint64_t u; parse_unsigned(s, &u)) return u;
  if (double d; parse_finite(s, &d)) return d;
  return s;
}

}  // namespace

json json_stopping(const Stopping& stop) {
  return {{"max_iters", stop.max_iters},
          {"max_oracle_calls", stop.max_oracle_calls},
          {"time_limit_s", stop.time_limit_s},
          {"tol", stop.tol}};
}

json json_option_values(const OptionValues& values) {
  json out = json::object();
  for (const auto& [name, value] : values)
    out[name] = std::visit(
        [](const auto& v) -> json {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return "auto";
          } else if constexpr (std::is_same_v<T, double>) {
            // As `bilevel list` and the docs write it: the shortest round-trip form, so an
            // integral value without an exponent (100, not 100.0) is a JSON integer.
            if (Index i; std::isfinite(v) && parse_integer(format_double(v), &i)) return i;
            return json_number(v);
          } else {
            return v;
          }
        },
        value);
  return out;
}

json json_key_values(const KeyValues& kv) {
  json out = json::object();
  for (const auto& [key, value] : kv) out[key] = typed_value(value);
  return out;
}

namespace {

json function_counts(const FunctionCounts& c) {
  return {{"value", c.value},
          {"grad", c.grad},
          {"hvp", c.hvp},
          {"hess", c.hess},
          {"samples", c.samples}};
}

json final_metrics(const Trace& trace) {
  json out = json::object();
  if (trace.records.empty()) return out;
  const auto& last = trace.records.back().metrics;
  for (std::size_t i = 0; i < trace.metric_names.size(); ++i)
    out[trace.metric_names[i]] = i < last.size() ? number(last[i]) : json(nullptr);
  return out;
}

}  // namespace

nlohmann::json run_summary(const Result& result, const RunSettings& settings,
                           double peak_rss_mb) {
  const OracleCounts& c = result.counts;
  json out = {
      {"algo", result.algorithm},
      {"problem", result.problem},
      {"status", to_string(result.status)},
      {"message", result.message},
      {"iters", result.iters},
      {"time_s", number(result.time_s)},
      {"grad_calls", c.grad_calls()},
      {"hvp_calls", c.hvp_calls()},
      {"hess_calls", c.hess_calls()},
      {"value_calls", c.value_calls()},
      {"samples", c.samples()},
      {"phi", number(result.phi)},
      {"hypergrad_norm", number(result.hypergrad_norm)},
      {"counts", {{"f", function_counts(c.f)}, {"g", function_counts(c.g)}}},
      {"metrics", final_metrics(result.trace)},
      {"options", json_option_values(result.options)},
      {"warnings", result.warnings},
      {"problem_options", json_option_values(result.problem_options)},
      {"seed", settings.seed},
      {"stopping", json_stopping(settings.stopping)},
      {"log_every", settings.log_every},
      {"diagnostics", settings.diagnostics},
      {"peak_rss_mb", number(peak_rss_mb)},
  };
  // Only when asked for, like the trace column: a summary without it reads as before.
  if (settings.min_eig) out["min_eig"] = number(result.min_eig);
  // A distributed method's communication, like the trace's columns: only when it communicates.
  if (result.trace.has_comm) {
    out["comm_rounds"] = result.comm.rounds;
    out["comm_bytes"] = result.comm.bytes;
  }
  // The ranks of a distributed run (the oracle counts above are one rank's; every rank makes
  // the same calls).
  if (settings.comm && settings.comm->size() > 1) out["ranks"] = settings.comm->size();
  out["timings"] = {{"start_s", number(result.timings.start_s)},
                    {"steps_s", number(result.timings.steps_s)},
                    {"diagnostics_s", number(result.timings.diagnostics_s)},
                    {"callbacks_s", number(result.timings.callbacks_s)}};
  json counters = json::object();
  for (const auto& [name, value] : result.method_counters) counters[name] = number(value);
  out["method_counters"] = counters;
  return out;
}

void write_summary_json(const nlohmann::json& summary, const std::string& path) {
  write_file_atomically(path, summary.dump(2) + "\n", "summary file");
}

double peak_rss_mb() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return std::nan("");
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace bilevel
