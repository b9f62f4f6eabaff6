// The flags of `bilevel run`, and their translation into library inputs.
//
// CLI11 only collects the raw text here. Numbers are parsed by the conversion functions rather
// than by CLI11, so that every malformed or out-of-range value (CLI11 2.1 wraps "-1" into an
// unsigned and saturates overflowing integers) gets one InvalidInput line naming the flag and
// what it accepts. Integer flags accept what option values accept: "1000", and "1e5".
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"

namespace bilevel::cli {

struct RunArguments {
  std::string problem;
  std::vector<std::string> problem_options;  // raw -P values, "key=value"
  std::string algo;
  std::vector<std::string> algo_options;  // raw -A values, "key=value"
  // Raw numeric flags, parsed and checked by run_settings().
  std::string seed = "0";
  std::string max_iters = "1000";
  std::string max_oracle_calls = "0";
  std::string time_limit_s = "0";
  std::string tol = "0";
  std::string log_every = "1";
  std::string max_memory = "auto";
  std::string threads;
  bool no_diagnostics = false;
  bool min_eig = false;
  std::string trace_path;
  std::string summary_path;
  bool quiet = false;
  bool report = false;  // --report: the full report instead of the one-line summary
  std::string checkpoint_path;        // --checkpoint FILE
  std::string checkpoint_every = "";  // --checkpoint-every N (raw; empty = on interruption only)
  std::string resume_path;            // --resume FILE
  // Starting point and saved iterates (bilevel/io/vector_file.hpp: text or .npy).
  std::string x0_path;            // --x0 FILE
  std::string y0_path;            // --y0 FILE
  std::string save_x_path;        // --save-x FILE: the final x
  std::string save_y_path;        // --save-y FILE: the final y
  std::string save_every;         // --save-every N (raw; empty = no history)
  std::string save_history_path;  // --save-history FILE: x every N iterations
};

// --problem NAME and -P key=value (repeatable), bound to `problem` and `options`.
void add_problem_flags(CLI::App& cmd, std::string& problem, std::vector<std::string>& options);

// Declares the flags shared by every command that runs an algorithm: --problem, -P, --algo,
// -A, --seed, --max-iters, --max-oracle-calls, --time-limit, --tol and --max-memory.
void add_problem_algo_budget_flags(CLI::App& cmd, RunArguments& args);

// Declares the flags of `run` on `cmd`, bound to `args`. `tune` shares them except --trace
// (a search writes no trace), and an empty log_every means "the last iteration only".
void add_run_flags(CLI::App& cmd, RunArguments& args, bool for_tune = false);

// Splits each "key=value" at its first '='. `flag` ("-P" or "-A") names the flag in errors.
KeyValues parse_key_values(const std::vector<std::string>& raw, const std::string& flag);

// An integer >= `min`, also written as an integral number such as 1e5; otherwise throws
// InvalidInput("<flag> '<text>' is not allowed; give <expected>").
Index parse_integer_flag(const std::string& flag, const std::string& text, Index min,
                         const std::string& expected);

// The stopping rules and run settings the flags ask for (no callbacks yet), parsed and
// checked by the settings' declarations (RunSettings::declare); errors name the flag. Also
// sets the process-wide memory budget (--max-memory), so that the problem built next is
// checked against it.
RunSettings run_settings(const RunArguments& args);

}  // namespace bilevel::cli
