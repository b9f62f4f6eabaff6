// The outputs of a complexity sweep (`bilevel complexity --csv/--summary`).
//
// CSV, one row per run:
//     key,value,seed,tol,status,iters,grad_calls,hvp_calls,hess_calls,calls,samples,time_s,
//     hypergrad_norm[,metric...]
// where calls = grad_calls + hvp_calls + hess_calls (the cost that is fitted) and the
// metrics are the problem's (e.g. the hard instances' active_x, active_y) at the end of the
// run. Unknown values are empty fields; doubles are in shortest round-trip form.
//
// JSON keys: algo, problem, key, values, fit_variable, problem_options {} (without the key),
// algo_options {} (as given, expressions unevaluated), seed, seeds, stopping {...},
// stochastic, metric_names, runs [{value, seed, tol, status, message, converged, iters,
// time_s, grad_calls, hvp_calls, hess_calls, calls, samples, hypergrad_norm, metrics {},
// options {}}], runs_planned (points x seeds), interrupted (SIGINT/SIGTERM ended the sweep
// early: runs holds fewer than runs_planned), points [{value, x, runs, converged, mean_calls}], fit {ok, message, points,
// exponent, log_constant, r2, rms_residual}, references [{bound, exponent, formula, source}].
// NaN becomes null.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "bilevel/lab/complexity.hpp"

namespace bilevel {

std::string complexity_csv(const ComplexityResult& result);

// Writes complexity_csv(result) to `path` atomically (atomic_file.hpp).
void write_complexity_csv(const ComplexityResult& result, const std::string& path);

nlohmann::json complexity_summary(const ComplexityTask& task, const ComplexitySettings& settings,
                                  const ComplexityResult& result);

}  // namespace bilevel
