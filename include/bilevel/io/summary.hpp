// The JSON summary of one run: what was run (algorithm, problem, their resolved options, seed,
// stopping rules), why it stopped, its exact cost and final quality, and its peak memory.
//
// Keys (numbers unless noted; NaN becomes null):
//   algo, problem, status, message (strings), iters, time_s, grad_calls, hvp_calls,
//   hess_calls, value_calls, samples, phi, hypergrad_norm,
//   counts {f, g: {value, grad, hvp, hess, samples}}, metrics {name: final value},
//   options {key: value} (the algorithm's resolved options), problem_options {key: value},
//   seed, stopping {max_iters, max_oracle_calls, time_limit_s, tol}, log_every,
//   diagnostics (bool), peak_rss_mb; and min_eig (lambda_min(Hess phi) at the final x) only
//   when RunSettings::min_eig asked for it.
// Option values are typed: a value that reads as an integer or a number becomes one,
// "true"/"false" become booleans, anything else stays a string.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/result.hpp"

namespace bilevel {

// What was run, by name, with the problem's options (Problem::option_values()).
struct RunIdentity {
  std::string algo;
  std::string problem;
  OptionValues problem_options;
};

// The summary of one run (docs/cli.md): the result (its method, problem and options included)
// and the settings it ran with.
nlohmann::json run_summary(const Result& result, const RunSettings& settings,
                           double peak_rss_mb);

// Writes summary.dump(2) to `path` atomically (see atomic_file.hpp). Throws
// InvalidInput("cannot write summary file '<path>': <reason>"); an existing file is then intact.
void write_summary_json(const nlohmann::json& summary, const std::string& path);

// NaN and infinities have no JSON form: null says "unknown".
nlohmann::json json_number(double v);
// Option values as a JSON object, each with its type (an unresolved "auto" is the string).
nlohmann::json json_option_values(const OptionValues& values);
// key=value text (grid points, expressions) as a JSON object: numbers and booleans written as
// such become JSON numbers and booleans, everything else stays a string.
nlohmann::json json_key_values(const KeyValues& kv);
// The stopping rules: {max_iters, max_oracle_calls, time_limit_s, tol}.
nlohmann::json json_stopping(const Stopping& stop);

// The process's peak resident memory so far, in MiB (getrusage RUSAGE_SELF; NaN if unknown).
double peak_rss_mb();

}  // namespace bilevel
