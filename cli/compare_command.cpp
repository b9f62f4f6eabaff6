#include "compare_command.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>

#include "bilevel/core/error.hpp"
#include "bilevel/io/compare_output.hpp"
#include "bilevel/lab/compare.hpp"
#include "compare_flags.hpp"
#include "interrupt.hpp"
#include "progress_bar.hpp"
#include "python_tool.hpp"
#include "run_arguments.hpp"
#include "run_command.hpp"

namespace bilevel::cli {

namespace {

constexpr const char* kPlotTool = "plot_compare.py";

void plot(const CompareArguments& args, const CompareConfig& c) {
  const std::filesystem::path dir = args.out_dir;
  std::string y;
  for (const auto& col : c.y) y += (y.empty() ? "" : ",") + col;
  std::vector<std::string> tool_args = {(dir / "bands.csv").string(), "--out",
                                        (dir / kComparePlotName).string(), "--x", c.x, "--y", y};
  if (args.log_y) tool_args.push_back("--log-y");
  run_python_tool(kPlotTool, tool_args, "cannot plot");
}

}  // namespace

void add_compare_flags(CLI::App& cmd, CompareArguments& args) {
  cmd.add_option("--config", args.config_path,
                 "JSON config of the comparison (docs/cli.md); flags given too override it")
      ->option_text("FILE.json");
  add_problem_flags(cmd, args.problem, args.problem_options);
  cmd.add_option("--algo", args.algos, "Methods to compare, a,b,c (repeatable)")
      ->option_text("A,B,...")
      ->allow_extra_args(false);
  cmd.add_option("-A,--algo-option", args.algo_options,
                 "Option of the methods of one algorithm, algo:key=value (key=value: of all "
                 "methods; repeatable)")
      ->option_text("[ALGO:]KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("-G,--grid", args.grids,
                 "Grid of one algorithm's option, algo:key=v1,v2 or algo:key=lo:hi (powers of "
                 "ten): one method per value, labelled 'algo key=value' (repeatable)")
      ->option_text("[ALGO:]KEY=VALUES")
      ->allow_extra_args(false);
  cmd.add_option("--seeds", args.seeds,
                 "Seeds: a count N (0..N-1) or a list 0,3,7 [default: 5]")
      ->option_text("N|LIST");
  cmd.add_option("--max-iters", args.max_iters, "Iteration limit of each run [default: 1000]")
      ->option_text("N");
  cmd.add_option("--max-oracle-calls", args.max_oracle_calls,
                 "Oracle-call budget of each run (0: none) [default: 0]")
      ->option_text("N");
  cmd.add_option("--time-limit", args.time_limit_s,
                 "Wall-time limit of each run in seconds (0: none) [default: 0]")
      ->option_text("SEC");
  cmd.add_option("--tol", args.tol, "Stop a run at exact ||grad phi|| <= EPS (0: off)")
      ->option_text("EPS");
  cmd.add_option("--log-every", args.log_every, "Trace record every N iterations [default: 1]")
      ->option_text("N");
  cmd.add_option("--max-memory", args.max_memory, "Memory budget of the problems [default: auto]")
      ->option_text("SIZE");
  cmd.add_flag("--no-diagnostics", args.no_diagnostics,
               "Skip the exact phi and ||grad phi|| (then not usable as y)");
  cmd.add_option("--x", args.x,
                 "x-axis column: iter, time_s, grad_calls, hvp_calls, hess_calls, samples, "
                 "comm_rounds, comm_bytes [default: iter]")
      ->option_text("COLUMN");
  cmd.add_option("--y", args.y,
                 "y columns a,b (phi, hypergrad_norm, the problem's metrics) [default: the "
                 "problem's first metric, else phi]")
      ->option_text("A,B")
      ->allow_extra_args(false);
  cmd.add_option("--target", args.target,
                 "Report the x needed to reach COLUMN=VALUE (at or below; COLUMN>=VALUE: at "
                 "or above)")
      ->option_text("COLUMN=VALUE");
  cmd.add_option("--grid-points", args.grid_points,
                 "Points of the common x grid of bands.csv [default: 100]")
      ->option_text("N");
  cmd.add_option("--jobs", args.jobs,
                 "Runs at once, each on one thread (results do not change) [default: 1]")
      ->option_text("N");
  cmd.add_option("--out", args.out_dir,
                 "Folder of the outputs (created if absent; existing outputs are never "
                 "replaced)")
      ->option_text("DIR");
  cmd.add_flag("--no-plot", args.no_plot, "Write no compare.png");
  cmd.add_flag("--log-y", args.log_y, "Log-scale y axes in compare.png");
  cmd.add_flag("-q,--quiet", args.quiet, "No progress bar, no table on stdout");
}

ExitCode execute_compare(const CompareArguments& args) {
  require_one_process("compare");
  if (args.out_dir.empty())
    throw InvalidInput("compare needs --out DIR, the folder of its outputs");
  const CompareConfig config = compare_config_from(args);
  const bool with_plot = !args.no_plot;
  // Fail before the runs, not after them: existing or unwritable outputs, a missing plotter.
  check_compare_outputs(args.out_dir, with_plot);
  if (with_plot) run_python_tool(kPlotTool, {"--check"}, "cannot plot");

  const InterruptHandler interrupt;
  std::unique_ptr<ProgressBar> bar;
  const auto start = std::chrono::steady_clock::now();
  auto on_run = [&](const CompareRun&, std::size_t done, std::size_t total) {
    if (!bar && progress_bar_wanted(args.quiet))
      bar = std::make_unique<ProgressBar>(static_cast<Index>(total), "runs");
    if (bar)
      bar->advance(static_cast<Index>(done),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  const CompareResult result = run_compare(config, interrupt.flag(), on_run);
  if (bar) bar->finish();

  write_compare_outputs(args.out_dir, result);
  for (const auto& run : result.runs)
    if (run.ran && !run.finished() && !args.quiet)
      std::cerr << "bilevel: note: " << result.entries[run.entry].label << " seed " << run.seed
                << ": " << (run.valid ? to_string(run.status) : "refused") << ": " << run.message
                << '\n';
  if (!args.quiet) std::cout << compare_table(result) << std::flush;
  if (result.interrupted) {
    std::cerr << "bilevel: interrupted after " << result.runs_done() << " of "
              << result.runs.size() << " runs; the outputs hold those\n";
    return static_cast<ExitCode>(kExitSignalBase + interrupt.signal());
  }
  std::size_t finished = 0, diverged = 0;
  for (const auto& run : result.runs) {
    if (run.finished()) ++finished;
    else if (run.valid && run.status == Status::kDiverged) ++diverged;
  }
  if (finished == 0) {
    if (diverged == 0)
      throw InvalidInput("no run could start: " + result.runs.front().message);
    std::cerr << "bilevel: every run diverged or was refused (" << diverged << " diverged)\n";
    return kExitDiverged;
  }
  if (with_plot) plot(args, result.config);
  return kExitOk;
}

}  // namespace bilevel::cli
