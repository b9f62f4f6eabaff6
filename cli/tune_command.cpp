#include "tune_command.hpp"

#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include "bilevel/core/error.hpp"
#include "bilevel/io/output_files.hpp"
#include "bilevel/io/tune_summary.hpp"
#include "bilevel/registry.hpp"
#include "bilevel/lab/tune.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "run_command.hpp"

namespace bilevel::cli {

namespace {

std::string flags_of(const KeyValues& kv) {
  std::string s;
  for (const auto& [key, value] : kv) s += (s.empty() ? "" : " ") + ("-A " + key + "=" + value);
  return s;
}

std::string values_of(const KeyValues& kv) {
  std::string s;
  for (const auto& [key, value] : kv) s += (s.empty() ? "" : " ") + (key + "=" + value);
  return s;
}

std::string trial_line(const TuneTrial& t, std::size_t index, std::size_t total,
                       const std::string& metric) {
  std::ostringstream out;
  out << "trial " << index + 1 << "/" << total << ": " << values_of(t.grid_values) << " -> ";
  if (!t.valid) {
    out << "refused: " << t.message;
  } else if (t.status == Status::kDiverged || t.status == Status::kInterrupted) {
    out << t.message << " (" << t.iters << " iters)";
  } else {
    out << metric << " " << t.score << " (" << t.message << ", " << t.iters << " iters, "
        << t.time_s << " s)";
  }
  return out.str();
}

}  // namespace

void add_tune_flags(CLI::App& cmd, TuneArguments& args) {
  add_run_flags(cmd, args.run, /*for_tune=*/true);
  cmd.add_option("-G,--grid", args.grid,
                 "Grid axis key=v1,v2,... or key=lo:hi (powers of ten; repeatable)")
      ->option_text("KEY=VALUES")
      ->allow_extra_args(false);
  cmd.add_option("--metric", args.metric,
                 "Trace column to score (default: the problem's first metric, else phi)")
      ->option_text("NAME");
  cmd.add_flag("--maximize", args.maximize, "Higher scores win (e.g. for val_acc)");
}

ExitCode execute_tune(const TuneArguments& args) {
  require_one_process("tune");
  const RunArguments& ra = args.run;
  if (ra.problem.empty() || ra.algo.empty())
    throw InvalidInput("tune needs --problem NAME and --algo NAME (see 'bilevel list')");
  if (args.grid.empty())
    throw InvalidInput("tune needs at least one -G key=values axis (e.g. -G eta=1e-3:1)");
  const KeyValues problem_kv = parse_key_values(ra.problem_options, "-P");
  const KeyValues fixed = parse_key_values(ra.algo_options, "-A");
  std::vector<GridAxis> grid;
  for (const auto& spec : args.grid) grid.push_back(parse_grid_axis(spec));
  TuneSettings settings;
  settings.run = run_settings(ra);
  settings.maximize = args.maximize;
  const std::vector<OutputFile> outputs = {{"--summary", ra.summary_path, "summary file"}};
  check_output_files(outputs);
  // Data on the standard output ("-") must not be mixed with the report.
  std::ostream& out = writes_standard_output(outputs) ? std::cerr : std::cout;

  const std::string algo_name = ra.algo;
  make_algorithm(algo_name);  // an unknown name fails before the problem is built
  std::unique_ptr<Problem> problem = make_problem(ra.problem, problem_kv);
  if (args.metric.empty()) {
    const auto metrics = problem->metric_names();
    settings.metric = metrics.empty() ? "phi" : metrics.front();
  } else {
    settings.metric = args.metric;
  }

  auto report = [&](const TuneTrial& t, std::size_t i, std::size_t n) {
    if (!ra.quiet) out << trial_line(t, i, n, settings.metric) << std::endl;
  };
  // SIGINT/SIGTERM: the running trial ends at its next iteration boundary, no other starts,
  // and the summary of the trials so far is written.
  const InterruptHandler interrupt;
  settings.run.interrupt = interrupt.flag();
  const TuneResult result =
      grid_search(*problem, *make_algorithm(algo_name), fixed, grid, settings, report);

  if (!ra.summary_path.empty())
    write_summary_json(tune_summary({algo_name, problem->name(), problem->option_values()}, fixed,
                                    grid, settings, result),
                       ra.summary_path);
  if (result.interrupted) {
    if (result.best)
      out << "best so far: " << settings.metric << " " << result.trials[*result.best].score
          << " with " << flags_of(result.trials[*result.best].grid_values) << std::endl;
    std::cerr << "bilevel: interrupted after " << result.trials.size() << " of "
              << result.planned << " trials\n";
    return static_cast<ExitCode>(kExitSignalBase + interrupt.signal());
  }
  if (!result.best) {
    std::size_t diverged = 0, refused = 0;
    for (const auto& t : result.trials) {
      if (!t.valid) ++refused;
      else if (t.status == Status::kDiverged) ++diverged;
    }
    const std::string why = "no trial gave a finite " + settings.metric + " (" +
                            std::to_string(diverged) + " diverged, " + std::to_string(refused) +
                            " refused)";
    if (diverged == 0) throw InvalidInput(why);
    std::cerr << "bilevel: " << why << '\n';
    return kExitDiverged;
  }
  const TuneTrial& best = result.trials[*result.best];
  out << "best: " << settings.metric << " " << best.score << " with " << flags_of(best.grid_values)
      << std::endl;
  return kExitOk;
}

}  // namespace bilevel::cli
