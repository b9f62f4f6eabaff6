#include "bilevel/io/complexity_output.hpp"

#include <cmath>

#include "bilevel/io/atomic_file.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/core/options.hpp"

namespace bilevel {

using nlohmann::json;

namespace {

constexpr const char* kColumns =
    "key,value,seed,tol,status,iters,grad_calls,hvp_calls,hess_calls,calls,samples,time_s,"
    "hypergrad_norm,chain_calls";

std::string number_field(double v) { return std::isnan(v) ? "" : format_double(v); }

std::string csv_row(const std::string& key, const ComplexityRun& r) {
  const OracleCounts& c = r.counts;
  std::string line = key + ',' + format_double(r.value) + ',' + std::to_string(r.seed) + ',' +
                     format_double(r.tol) + ',' + to_string(r.status) + ',' +
                     std::to_string(r.iters) + ',' + std::to_string(c.grad_calls()) + ',' +
                     std::to_string(c.hvp_calls()) + ',' + std::to_string(c.hess_calls()) + ',' +
                     std::to_string(complexity_cost(c)) + ',' + std::to_string(c.samples()) + ',' +
                     number_field(r.time_s) + ',' + number_field(r.hypergrad_norm) + ',' +
                     number_field(r.chain_calls);
  for (double m : r.metrics) line += ',' + number_field(m);
  return line + '\n';
}

json metrics_json(const std::vector<std::string>& names, const std::vector<double>& values) {
  json out = json::object();
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
    out[names[i]] = json_number(values[i]);
  return out;
}

json run_json(const ComplexityResult& result, const ComplexityRun& r) {
  const OracleCounts& c = r.counts;
  return {
      {"value", r.value},
      {"seed", r.seed},
      {"tol", r.tol},
      {"status", to_string(r.status)},
      {"message", r.message},
      {"converged", r.converged()},
      {"iters", r.iters},
      {"time_s", json_number(r.time_s)},
      {"grad_calls", c.grad_calls()},
      {"hvp_calls", c.hvp_calls()},
      {"hess_calls", c.hess_calls()},
      {"calls", complexity_cost(c)},
      {"samples", c.samples()},
      {"hypergrad_norm", json_number(r.hypergrad_norm)},
      {"chain_calls", json_number(r.chain_calls)},
      {"metrics", metrics_json(result.metric_names, r.metrics)},
      {"options", json_key_values(r.algo_options)},
  };
}

json fit_json(const PowerLawFit& f) {
  return {
      {"ok", f.ok},
      {"message", f.message},
      {"points", f.points},
      {"exponent", json_number(f.exponent)},
      {"log_constant", json_number(f.log_constant)},
      {"r2", json_number(f.r2)},
      {"rms_residual", json_number(f.rms_residual)},
      {"last_exponent", json_number(f.last_exponent)},
  };
}

}  // namespace

std::string complexity_csv(const ComplexityResult& result) {
  std::string text = kColumns;
  // Metric names are identifiers (active_x, val_loss): no CSV quoting is needed.
  for (const auto& name : result.metric_names) text += ',' + name;
  text += '\n';
  for (const auto& r : result.runs) text += csv_row(result.sweep.key, r);
  return text;
}

void write_complexity_csv(const ComplexityResult& result, const std::string& path) {
  write_file_atomically(path, complexity_csv(result), "CSV file");
}

nlohmann::json complexity_summary(const ComplexityTask& task, const ComplexitySettings& settings,
                                  const ComplexityResult& result) {
  json runs = json::array();
  for (const auto& r : result.runs) runs.push_back(run_json(result, r));
  json points = json::array();
  for (const auto& p : result.points)
    points.push_back({{"value", p.value},
                      {"x", p.fit_x},
                      {"runs", p.runs},
                      {"converged", p.converged},
                      {"mean_calls", json_number(p.mean_cost)}});
  json references = json::array();
  for (const auto& r : result.references)
    references.push_back({{"bound", r.bound},
                          {"exponent", r.exponent},
                          {"formula", r.formula},
                          {"source", r.source}});
  return {
      {"algo", task.algo},
      {"problem", task.problem},
      {"key", result.sweep.key},
      {"values", result.sweep.values},
      {"fit_variable", result.fit_variable},
      {"problem_options", json_option_values(result.problem_options)},
      {"algo_options", json_key_values(task.algo_options)},
      {"seed", settings.run.seed},
      {"seeds", settings.seeds},
      {"stopping", json_stopping(settings.run.stopping)},
      {"stochastic", result.stochastic},
      {"metric_names", result.metric_names},
      {"runs", runs},
      {"runs_planned", result.planned_runs},
      {"interrupted", result.interrupted},
      {"points", points},
      {"fit", fit_json(result.fit)},
      {"references", references},
  };
}

}  // namespace bilevel
