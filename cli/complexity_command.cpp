#include "complexity_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "bilevel/lab/complexity.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"
#include "bilevel/io/complexity_output.hpp"
#include "bilevel/io/output_files.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/core/options.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "python_tool.hpp"
#include "run_command.hpp"

namespace bilevel::cli {

namespace {

constexpr const char* kPlotTool = "plot_complexity.py";

std::string run_line(const std::string& key, const ComplexityRun& r, std::size_t index,
                     std::size_t total) {
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "run %zu/%zu: %s=%-10s seed %-3llu %-15s iters %-8lld calls %-10lld ||grad phi|| %.3e",
      index + 1, total, key.c_str(), format_short(r.value).c_str(),
      static_cast<unsigned long long>(r.seed), to_string(r.status), static_cast<long long>(r.iters),
      static_cast<long long>(complexity_cost(r.counts)), r.hypergrad_norm);
  return buf;
}

void print_fit(const ComplexityResult& result, std::ostream& out) {
  const PowerLawFit& fit = result.fit;
  const std::string var = result.fit_variable;
  if (fit.ok) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "fit: calls ~ (%s)^%.3f over %zu of %zu points (R^2 %.4f, rms log residual "
                  "%.3f); last two points: %.3f",
                  var.c_str(), fit.exponent, fit.points, result.points.size(), fit.r2,
                  fit.rms_residual, fit.last_exponent);
    out << buf << '\n';
  } else {
    out << "fit: none: " << fit.message << '\n';
  }
  if (result.references.empty()) {
    out << "theory: no reference exponent known for this algorithm, problem and sweep ("
        << (result.stochastic ? "stochastic" : "deterministic") << ")\n";
    return;
  }
  for (const auto& ref : result.references) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "theory: %s bound exponent %-6g ", ref.bound.c_str(),
                  ref.exponent);
    out << buf << ref.formula << "  [" << ref.source << "]\n";
  }
}

std::string read_binary_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in) throw InvalidInput("cannot plot: the plotting tool wrote no image '" + path + "'");
  return content.str();
}

// The plot tool reads the summary JSON and writes the image to scratch files beside the image
// (the summary's own file when --summary names one); the image is then put in place like any
// other output (atomic_file.hpp), so that a link, a read-only file or a device is treated the
// same way.
void plot(const ComplexityArguments& args, const nlohmann::json& summary) {
  const std::string scratch = temporary_path_for(args.plot_path);
  std::string json_path = args.run.summary_path;
  const bool temporary_json = json_path.empty() || is_standard_output(json_path);
  if (temporary_json) {
    json_path = scratch + ".json";
    write_file_atomically(json_path, summary.dump(2) + "\n", "plot data file");
  }
  const std::string image = scratch + ".png";
  auto clean_up = [&] {
    if (temporary_json) std::remove(json_path.c_str());
    std::remove(image.c_str());
  };
  try {
    run_python_tool(kPlotTool, {json_path, "--out", image}, "cannot plot");
    write_file_atomically(args.plot_path, read_binary_file(image), "plot file");
  } catch (...) {
    clean_up();
    throw;
  }
  clean_up();
}

// The files a sweep writes; they are checked together before the sweep.
std::vector<OutputFile> output_files(const ComplexityArguments& args) {
  if (is_standard_output(args.plot_path))
    throw InvalidInput("--plot cannot be '-': the plot is a PNG image; give a file name");
  return {{"--csv", args.csv_path, "CSV file"},
          {"--summary", args.run.summary_path, "summary file"},
          {"--plot", args.plot_path, "plot file"}};
}

}  // namespace

void add_complexity_flags(CLI::App& cmd, ComplexityArguments& args) {
  add_problem_algo_budget_flags(cmd, args.run);
  cmd.add_option("--sweep", args.sweep,
                 "Problem option to sweep: KEY=v1,v2,... or KEY=lo:hi:N (N log-spaced values); "
                 "KEY=eps (or tol) also sets each run's tolerance")
      ->option_text("KEY=VALUES");
  cmd.add_option("--seeds", args.seeds,
                 "Runs per value, seeds --seed, --seed + 1, ... [default: 1]")
      ->option_text("N");
  cmd.add_option("--csv", args.csv_path, "Write one row per run as CSV")->option_text("FILE.csv");
  cmd.add_option("--summary", args.run.summary_path,
                 "Write the runs, the fit and the reference exponents as JSON")
      ->option_text("FILE.json");
  cmd.add_option("--plot", args.plot_path,
                 "Write a log-log plot of calls vs 1/eps (or the value) with the fit and the "
                 "reference slopes (PNG; needs /usr/bin/python3 with matplotlib)")
      ->option_text("FILE.png");
  cmd.add_flag("-q,--quiet", args.run.quiet, "No per-run lines (the fit is still printed)");
}

ExitCode execute_complexity(const ComplexityArguments& args) {
  require_one_process("complexity");
  const RunArguments& ra = args.run;
  if (ra.problem.empty() || ra.algo.empty())
    throw InvalidInput("complexity needs --problem NAME and --algo NAME (see 'bilevel list')");
  if (args.sweep.empty())
    throw InvalidInput("complexity needs --sweep KEY=VALUES (e.g. --sweep eps=0.1:0.001:5)");
  ComplexityTask task;
  task.problem = ra.problem;
  task.problem_options = parse_key_values(ra.problem_options, "-P");
  task.algo = ra.algo;
  task.algo_options = parse_key_values(ra.algo_options, "-A");
  task.sweep = parse_complexity_sweep(args.sweep);
  ComplexitySettings settings;
  settings.run = run_settings(ra);
  settings.seeds = parse_integer_flag("--seeds", args.seeds, 1, "an integer >= 1");

  // Fail before the sweep, not after it: unwritable outputs, a missing plotting tool.
  const std::vector<OutputFile> outputs = output_files(args);
  check_output_files(outputs);
  if (!args.plot_path.empty()) run_python_tool(kPlotTool, {"--check"}, "cannot plot");
  // Data on the standard output ("-") must not be mixed with the report.
  std::ostream& out = writes_standard_output(outputs) ? std::cerr : std::cout;

  // SIGINT/SIGTERM: the running run ends at its next iteration boundary, no other starts, and
  // the outputs (fit included) cover the runs so far.
  const InterruptHandler interrupt;
  settings.run.interrupt = interrupt.flag();
  const ComplexityResult result =
      run_complexity(task, settings, [&](const ComplexityRun& r, std::size_t i, std::size_t n) {
        if (!ra.quiet) out << run_line(task.sweep.key, r, i, n) << std::endl;
      });
  print_fit(result, out);

  nlohmann::json summary = complexity_summary(task, settings, result);
  summary["bilevel_version"] = BILEVEL_VERSION;
  if (!args.csv_path.empty()) write_complexity_csv(result, args.csv_path);
  if (!ra.summary_path.empty()) write_summary_json(summary, ra.summary_path);
  if (!args.plot_path.empty()) plot(args, summary);
  if (result.interrupted) {
    std::cerr << "bilevel: interrupted after " << result.runs.size() << " of "
              << result.planned_runs << " runs\n";
    return static_cast<ExitCode>(kExitSignalBase + interrupt.signal());
  }
  return kExitOk;
}

}  // namespace bilevel::cli
