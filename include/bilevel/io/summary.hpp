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

// What was run, by name, with the problem's resolved options (Problem::option_values()).
struct RunIdentity {
  std::string algo;
  std::string problem;
  KeyValues problem_options;
};

nlohmann::json run_summary(const RunIdentity& run, const RunSettings& settings,
                           const Result& result, double peak_rss_mb);

// Writes summary.dump(2) to `path` atomically (see atomic_file.hpp). Throws
// InvalidInput("cannot write summary file '<path>': <reason>"); an existing file is then intact.
void write_summary_json(const nlohmann::json& summary, const std::string& path);

// NaN and infinities have no JSON form: null says "unknown".
nlohmann::json json_number(double v);
// Options as a JSON object with typed values (see above).
nlohmann::json json_key_values(const KeyValues& kv);
// The stopping rules: {max_iters, max_oracle_calls, time_limit_s, tol}.
nlohmann::json json_stopping(const Stopping& stop);

// The process's peak resident memory so far, in MiB (getrusage RUSAGE_SELF; NaN if unknown).
double peak_rss_mb();

}  // namespace bilevel
