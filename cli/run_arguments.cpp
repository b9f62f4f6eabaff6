#include "run_arguments.hpp"

#include <cstdint>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"

namespace bilevel::cli {

namespace {

// Defaults are spelled out in the help text: option_text() replaces CLI11's own default column.
std::string with_default(const std::string& help, const std::string& value) {
  return help + " [default: " + value + "]";
}

InvalidInput bad_flag(const std::string& flag, const std::string& text,
                      const std::string& expected) {
  return InvalidInput(flag + " '" + text + "' is not allowed; give " + expected);
}

// A finite number >= 0.
double parse_nonnegative(const std::string& flag, const std::string& text,
                         const std::string& expected) {
  double value = 0;
  if (!parse_finite(text, &value) || value < 0)
    throw bad_flag(flag, text, expected);
  return value;
}

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  if (!parse_unsigned(text, &seed))
    throw bad_flag("--seed", text, "an integer from 0 to " + std::to_string(UINT64_MAX));
  return seed;
}

}  // namespace

Index parse_integer_flag(const std::string& flag, const std::string& text, Index min,
                         const std::string& expected) {
  Index value = 0;
  if (!parse_integral(text, &value) || value < min) throw bad_flag(flag, text, expected);
  return value;
}

void add_problem_algo_budget_flags(CLI::App& cmd, RunArguments& args) {
  cmd.add_option("--problem", args.problem, "Problem to solve (see 'bilevel list problems')")
      ->option_text("NAME");
  cmd.add_option("-P,--problem-option", args.problem_options,
                 "Problem option key=value (repeatable)")
      ->option_text("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--algo", args.algo, "Algorithm to run (see 'bilevel list algorithms')")
      ->option_text("NAME");
  cmd.add_option("-A,--algo-option", args.algo_options, "Algorithm option key=value (repeatable)")
      ->option_text("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--seed", args.seed,
                 with_default("Seed of the run's random generator (0 to 2^64-1)", args.seed))
      ->option_text("N");
  cmd.add_option("--max-iters", args.max_iters,
                 with_default("Outer-iteration limit (>= 1)", args.max_iters))
      ->option_text("N");
  cmd.add_option(
         "--max-oracle-calls", args.max_oracle_calls,
         with_default("Budget on all counted oracle calls (0 = none)", args.max_oracle_calls))
      ->option_text("N");
  cmd.add_option("--time-limit", args.time_limit_s,
                 with_default("Wall-time limit in seconds, diagnostics excluded (0 = none)",
                              args.time_limit_s))
      ->option_text("SEC");
  cmd.add_option("--tol", args.tol,
                 with_default("Stop when the exact ||grad phi|| <= EPS (0 = off)", args.tol))
      ->option_text("EPS");
}

void add_run_flags(CLI::App& cmd, RunArguments& args, bool for_tune) {
  add_problem_algo_budget_flags(cmd, args);
  if (for_tune)
    cmd.add_option("--log-every", args.log_every,
                   "Trace row (and diagnostics) every N iterations [default: the last only]")
        ->option_text("N");
  else
    cmd.add_option("--log-every", args.log_every,
                   with_default("Trace row (and diagnostics) every N iterations", args.log_every))
        ->option_text("N");
  cmd.add_flag("--no-diagnostics", args.no_diagnostics,
               "Skip the exact phi and ||grad phi|| (left empty in the trace)");
  cmd.add_flag("--min-eig", args.min_eig,
               "Also record the smallest eigenvalue of the Hessian of phi (column min_eig; "
               "needs the diagnostics)");
  if (!for_tune)
    cmd.add_option("--trace", args.trace_path, "Write the per-iteration trace as CSV")
        ->option_text("FILE.csv");
  cmd.add_option("--summary", args.summary_path,
                 for_tune ? "Write every trial and the winner as JSON" : "Write the run summary as JSON")
      ->option_text("FILE.json");
  cmd.add_flag("-q,--quiet", args.quiet, "No progress bar and no report on stdout");
}

KeyValues parse_key_values(const std::vector<std::string>& raw, const std::string& flag) {
  KeyValues kv;
  for (const auto& item : raw) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InvalidInput(flag + " '" + item + "' is not of the form key=value (e.g. " + flag +
                         " K=10)");
    kv.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return kv;
}

RunSettings run_settings(const RunArguments& args) {
  RunSettings s;
  s.stopping.max_iters = parse_integer_flag("--max-iters", args.max_iters, 1, "an integer >= 1");
  s.stopping.max_oracle_calls = parse_integer_flag("--max-oracle-calls", args.max_oracle_calls, 0,
                                                   "an integer >= 0 (0 = no budget)");
  s.stopping.time_limit_s = parse_nonnegative("--time-limit", args.time_limit_s,
                                              "a number of seconds >= 0 (0 = no limit)");
  s.stopping.tol = parse_nonnegative("--tol", args.tol, "a number >= 0 (0 = off)");
  s.seed = parse_seed(args.seed);
  s.log_every = args.log_every.empty()
                    ? s.stopping.max_iters
                    : parse_integer_flag("--log-every", args.log_every, 1, "an integer >= 1");
  s.diagnostics = !args.no_diagnostics;
  if (args.min_eig && args.no_diagnostics)
    throw InvalidInput("--min-eig needs the diagnostics (the Hessian of phi is one of them); "
                       "drop --no-diagnostics or --min-eig");
  s.min_eig = args.min_eig;
  return s;
}

}  // namespace bilevel::cli
