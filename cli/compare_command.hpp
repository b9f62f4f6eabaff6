// `bilevel compare`: several methods over several seeds on one problem, with order statistics
// and bands (library: bilevel/lab/compare.hpp; files: bilevel/io/compare_output.hpp).
//
// The comparison comes from a JSON config (--config FILE, bilevel/io/compare_config.hpp), from
// flags, or both: flags given beside --config override the file's values.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "exit_codes.hpp"

namespace bilevel::cli {

// Raw flag text; an empty string (or list) is a flag not given.
struct CompareArguments {
  std::string config_path;
  std::string problem;
  std::vector<std::string> problem_options;  // -P key=value
  std::vector<std::string> algos;            // --algo a,b (repeatable)
  std::vector<std::string> algo_options;     // -A [algo:]key=value
  std::vector<std::string> grids;            // -G [algo:]key=values
  std::string seeds;                         // "5" (0..4) or "0,3,7"
  std::string max_iters, max_oracle_calls, time_limit_s, tol, log_every, max_memory;
  bool no_diagnostics = false;
  std::string x;
  std::vector<std::string> y;  // --y a,b
  std::string target;          // col=value, col<=value, col>=value
  std::string grid_points;
  std::string jobs;
  std::string out_dir;
  bool no_plot = false;
  bool log_y = false;
  bool quiet = false;
};

void add_compare_flags(CLI::App& cmd, CompareArguments& args);

// kExitOk when some run finished; kExitDiverged when none did and some diverged; 128 + the
// signal after SIGINT/SIGTERM (the runs so far written); bad input throws InvalidInput.
ExitCode execute_compare(const CompareArguments& args);

}  // namespace bilevel::cli
