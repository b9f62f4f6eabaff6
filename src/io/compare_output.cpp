#include "bilevel/io/compare_output.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"
#include "bilevel/io/compare_config.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/io/trace_writer.hpp"

namespace bilevel {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

void append_number(std::string* line, double v) {
  *line += ',';
  if (!std::isnan(v)) *line += format_double(v);
}

bool any_comm(const CompareResult& res) {
  for (const auto& run : res.runs)
    if (run.trace.has_comm) return true;
  return false;
}

Json quantiles_json(const Quantiles& q) {
  return {{"q20", json_number(q.q20)},
          {"median", json_number(q.median)},
          {"q80", json_number(q.q80)},
          {"n", q.n}};
}

std::string run_status(const CompareRun& run) {
  if (!run.ran) return "not run";
  if (!run.valid) return "refused";
  return to_string(run.status);
}

// The final values of a run: its last record's x columns, phi, ||grad phi|| and metrics.
Json final_values(const CompareResult& res, const CompareRun& run) {
  Json out = Json::object();
  if (run.trace.records.empty()) return out;
  const IterRecord& last = run.trace.records.back();
  std::vector<std::string> names = compare_x_columns();
  if (!run.trace.has_comm) names.resize(names.size() - 2);  // comm_rounds, comm_bytes
  for (const auto& n : {"phi", "hypergrad_norm"}) names.push_back(n);
  for (const auto& m : res.metric_names) names.push_back(m);
  for (const auto& n : names) out[n] = json_number(trace_column_value(last, run.trace.metric_names, n));
  return out;
}

Json method_json(const CompareResult& res, std::size_t e) {
  const CompareEntry& entry = res.entries[e];
  const CompareMethodStats& s = res.stats[e];
  Json options = Json::object();
  for (const auto& [k, v] : entry.options) options[k] = v;
  Json finals = Json::object();
  for (std::size_t k = 0; k < res.config.y.size(); ++k)
    finals[res.config.y[k]] = quantiles_json(s.final_y[k]);
  Json m = {{"label", entry.label},    {"algo", entry.algo},         {"options", options},
            {"runs", s.planned},       {"finished", s.finished},     {"final", finals},
            {"final_x", quantiles_json(s.final_x)}, {"target", nullptr}};
  if (res.config.target)
    m["target"] = {{"reached", s.reached}, {"of", s.planned}, {"x", quantiles_json(s.x_to_target)}};
  return m;
}

}  // namespace

std::vector<std::string> compare_output_names(bool plot) {
  std::vector<std::string> names = {"runs.csv", "bands.csv", "summary.json", "table.md",
                                    "config.json"};
  if (plot) names.push_back(kComparePlotName);
  return names;
}

void check_compare_outputs(const std::string& dir, bool plot) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw InvalidInput("--out '" + dir + "' is not a directory; give a new or existing folder");
    for (const auto& name : compare_output_names(plot)) {
      const fs::path file = fs::path(dir) / name;
      if (fs::exists(fs::symlink_status(file, ec)))
        throw InvalidInput("'" + file.string() +
                           "' already exists; compare never replaces earlier results: give "
                           "another --out folder or remove it");
      check_writable(file.string(), name);
    }
    return;
  }
  // A new folder: its nearest existing parent must let us create it.
  fs::path parent = fs::absolute(dir, ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.root_path())
    parent = parent.parent_path();
  if (!fs::is_directory(parent, ec) || ::access(parent.c_str(), W_OK | X_OK) != 0)
    throw InvalidInput("cannot create the --out folder '" + dir + "': '" + parent.string() +
                       "' is not a folder this user may write");
}

std::string compare_runs_csv(const CompareResult& res) {
  const bool comm = any_comm(res);
  Trace shape;
  shape.has_comm = comm;
  shape.metric_names = res.metric_names;
  std::string text = "method,algo,seed," + trace_csv_header(shape) + '\n';
  for (const auto& run : res.runs) {
    const CompareEntry& e = res.entries[run.entry];
    const std::string prefix = csv_field(e.label) + ',' + csv_field(e.algo) + ',' +
                               std::to_string(run.seed) + ',';
    for (const auto& r : run.trace.records)
      text += prefix + trace_csv_row(r, comm, false, res.metric_names.size());
  }
  return text;
}

std::string compare_bands_csv(const CompareResult& res) {
  std::string text = "method,x";
  for (const auto& y : res.config.y)
    for (const char* part : {"_n", "_q20", "_median", "_q80"}) text += ',' + csv_field(y + part);
  text += '\n';
  for (std::size_t e = 0; e < res.entries.size(); ++e)
    for (std::size_t g = 0; g < res.bands.x.size(); ++g) {
      std::string line = csv_field(res.entries[e].label);
      append_number(&line, res.bands.x[g]);
      for (const auto& band : res.bands.bands[e]) {
        line += ',' + std::to_string(band[g].n);
        append_number(&line, band[g].q20);
        append_number(&line, band[g].median);
        append_number(&line, band[g].q80);
      }
      text += line + '\n';
    }
  return text;
}

nlohmann::ordered_json compare_summary(const CompareResult& res) {
  Json methods = Json::array();
  for (std::size_t e = 0; e < res.entries.size(); ++e) methods.push_back(method_json(res, e));
  Json runs = Json::array();
  for (const auto& run : res.runs)
    runs.push_back({{"method", res.entries[run.entry].label},
                    {"algo", res.entries[run.entry].algo},
                    {"seed", run.seed},
                    {"status", run_status(run)},
                    {"message", run.message},
                    {"finished", run.finished()},
                    {"iters", run.iters},
                    {"time_s", json_number(run.time_s)},
                    {"final", final_values(res, run)}});
  return {{"problem", res.config.problem},
          {"x", res.config.x},
          {"y", res.config.y},
          {"runs_planned", res.runs.size()},
          {"runs_done", res.runs_done()},
          {"interrupted", res.interrupted},
          {"methods", methods},
          {"runs", runs},
          {"config", compare_config_json(res.config)}};
}

void write_compare_outputs(const std::string& dir, const CompareResult& res) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InvalidInput("cannot create the --out folder '" + dir + "': " + ec.message());
  auto path = [&](const char* name) { return (fs::path(dir) / name).string(); };
  write_file_atomically(path("runs.csv"), compare_runs_csv(res), "runs file");
  write_file_atomically(path("bands.csv"), compare_bands_csv(res), "bands file");
  write_file_atomically(path("summary.json"), compare_summary(res).dump(2, ' ', false, Json::error_handler_t::replace) + '\n', "summary file");
  write_file_atomically(path("table.md"), compare_table(res), "table file");
  write_file_atomically(path("config.json"), compare_config_json(res.config).dump(2, ' ', false, Json::error_handler_t::replace) + '\n',
                        "config file");
}

}  // namespace bilevel
