#include "run_arguments.hpp"

#include <cctype>
#include <cstdint>
#include <iterator>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"

namespace bilevel::cli {

namespace {

// The run settings' declarations (RunSettings::declare) as the flags show them.
const std::vector<OptionDoc>& setting_docs() {
  static const std::vector<OptionDoc> docs = option_docs(RunSettings{}, "run");
  return docs;
}

// A flag's help: the declared help of its setting, with its default (option_text() replaces
// CLI11's own default column).
std::string setting_help(const std::string& name, const std::string& default_text = "") {
  for (const OptionDoc& d : setting_docs())
    if (d.name == name) {
      std::string help = d.help;
      help[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(help[0])));
      return help + " [default: " + (default_text.empty() ? d.value : default_text) + "]";
    }
  return name;
}

// The value flags of the run settings: flag -> declared name.
struct SettingFlag {
  const char* flag;
  const char* name;
};
constexpr SettingFlag kSettingFlags[] = {
    {"--seed", "seed"},
    {"--max-iters", "max_iters"},
    {"--max-oracle-calls", "max_oracle_calls"},
    {"--time-limit", "time_limit"},
    {"--tol", "tol"},
    {"--log-every", "log_every"},
    {"--max-memory", "max_memory"},
    {"--threads", "threads"},
};

// The text after "<owner>: " of a library message.
std::string without_owner(const std::string& message) {
  const auto colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

}  // namespace

Index parse_integer_flag(const std::string& flag, const std::string& text, Index min,
                         const std::string& expected) {
  Index value = 0;
  if (!parse_integral(text, &value) || value < min)
    throw InvalidInput(flag + " '" + text + "' is not allowed; give " + expected);
  return value;
}

void add_problem_flags(CLI::App& cmd, std::string& problem, std::vector<std::string>& options) {
  cmd.add_option("--problem", problem, "Problem to solve (see 'bilevel list problems')")
      ->option_text("NAME");
  cmd.add_option("-P,--problem-option", options, "Problem option key=value (repeatable)")
      ->option_text("KEY=VALUE")
      ->allow_extra_args(false);
}

void add_problem_algo_budget_flags(CLI::App& cmd, RunArguments& args) {
  add_problem_flags(cmd, args.problem, args.problem_options);
  cmd.add_option("--algo", args.algo, "Algorithm to run (see 'bilevel list algorithms')")
      ->option_text("NAME");
  cmd.add_option("-A,--algo-option", args.algo_options, "Algorithm option key=value (repeatable)")
      ->option_text("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--seed", args.seed, setting_help("seed"))->option_text("N");
  cmd.add_option("--max-iters", args.max_iters, setting_help("max_iters"))->option_text("N");
  cmd.add_option("--max-oracle-calls", args.max_oracle_calls, setting_help("max_oracle_calls"))
      ->option_text("N");
  cmd.add_option("--time-limit", args.time_limit_s, setting_help("time_limit"))->option_text("SEC");
  cmd.add_option("--tol", args.tol, setting_help("tol"))->option_text("EPS");
  cmd.add_option("--max-memory", args.max_memory, setting_help("max_memory"))->option_text("SIZE");
  cmd.add_option("--threads", args.threads, setting_help("threads"))->option_text("N");
}

void add_run_flags(CLI::App& cmd, RunArguments& args, bool for_tune) {
  add_problem_algo_budget_flags(cmd, args);
  cmd.add_option("--log-every", args.log_every,
                 setting_help("log_every", for_tune ? "the last only" : ""))
      ->option_text("N");
  cmd.add_flag("--no-diagnostics", args.no_diagnostics,
               "Skip the exact phi and ||grad phi|| (left empty in the trace)");
  cmd.add_flag("--min-eig", args.min_eig,
               "Also record the smallest eigenvalue of the Hessian of phi (column min_eig; "
               "needs the diagnostics)");
  if (!for_tune)
    cmd.add_flag("--report", args.report,
                 "Print the full report of the run (options, oracle calls by function and "
                 "kind, time by phase, termination) instead of the one-line summary");
  if (!for_tune)
    cmd.add_option("--trace", args.trace_path, "Write the per-iteration trace as CSV")
        ->option_text("FILE.csv");
  if (!for_tune) {
    cmd.add_option("--checkpoint", args.checkpoint_path,
                   "Write the run's full state to FILE when it is interrupted (SIGINT, "
                   "SIGTERM), and every --checkpoint-every iterations")
        ->option_text("FILE");
    cmd.add_option("--checkpoint-every", args.checkpoint_every,
                   "Write the --checkpoint file after every N iterations")
        ->option_text("N");
    cmd.add_option("--resume", args.resume_path,
                   "Continue the run saved in a checkpoint FILE (same problem, algorithm, "
                   "options, seed and --log-every; the limits may differ); the trace and "
                   "summary cover the whole run")
        ->option_text("FILE");
    cmd.add_option("--x0", args.x0_path,
                   "Start from the x in FILE (one number per line, or .npy) instead of the "
                   "problem's initial point")
        ->option_text("FILE");
    cmd.add_option("--y0", args.y0_path, "Start from the y in FILE (one number per line, or .npy)")
        ->option_text("FILE");
    cmd.add_option("--save-x", args.save_x_path,
                   "Write the final x to FILE (.npy by that extension, else one number per line)")
        ->option_text("FILE");
    cmd.add_option("--save-y", args.save_y_path, "Write the final y to FILE (as --save-x)")
        ->option_text("FILE");
    cmd.add_option("--save-every", args.save_every,
                   "With --save-history: keep x every N iterations (a multiple of --log-every)")
        ->option_text("N");
    cmd.add_option("--save-history", args.save_history_path,
                   "Write x at every --save-every-th iteration and at the end: one row per "
                   "iterate, the iteration first (.npy: a 2-D array; else CSV)")
        ->option_text("FILE");
  }
  cmd.add_option(
         "--summary", args.summary_path,
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
    std::string key = item.substr(0, eq);
    // Two values for one key: the last would win silently, hiding a typo or a stale flag.
    for (const auto& [k, v] : kv)
      if (k == key)
        throw InvalidInput(flag + " gives '" + key + "' twice (" + key + "=" + v + " and " + item +
                           "); give it once");
    kv.emplace_back(std::move(key), item.substr(eq + 1));
  }
  return kv;
}

RunSettings run_settings(const RunArguments& args) {
  if (args.min_eig && args.no_diagnostics)
    throw InvalidInput(
        "--min-eig needs the diagnostics (the Hessian of phi is one of them); "
        "drop --no-diagnostics or --min-eig");
  RunSettings s;
  OptionList list("run");
  s.declare(list);
  const std::string* texts[] = {&args.seed,         &args.max_iters, &args.max_oracle_calls,
                                &args.time_limit_s, &args.tol,       &args.log_every,
                                &args.max_memory,   &args.threads};
  for (std::size_t i = 0; i < std::size(kSettingFlags); ++i) {
    const std::string& text = *texts[i];
    const SettingFlag& f = kSettingFlags[i];
    if (text.empty()) continue;  // tune's --log-every: the last iteration only (below)
    try {
      list.set(f.name, text);
    } catch (const InvalidOptions& e) {
      throw InvalidInput(std::string(f.flag) + " '" + text +
                         "' is not allowed: " + without_owner(e.what()));
    }
  }
  if (args.log_every.empty()) s.log_every = s.stopping.max_iters;
  // The tolerance tests the exact ||grad phi||, which only the diagnostics compute: without
  // them the run would silently go on to its other limits.
  if (args.no_diagnostics && s.stopping.tol > 0)
    throw InvalidInput(
        "--tol needs the exact ||grad phi||, which --no-diagnostics turns off; "
        "drop one of them");
  s.diagnostics = !args.no_diagnostics;
  s.min_eig = args.min_eig;
  // One violation at a time, named by its flag.
  for (const std::string& v : list.violations())
    for (const SettingFlag& f : kSettingFlags)
      if (v.rfind(std::string(f.name) + " ", 0) == 0) {
        const std::string& text = *texts[&f - kSettingFlags];
        throw InvalidInput(std::string(f.flag) + " '" + text + "' is not allowed: " + v);
      }
  s.apply_memory_limit();
  s.apply_threads();
  return s;
}

}  // namespace bilevel::cli
