// The JSON summary of a grid search (`bilevel tune --summary`): what was searched, every
// trial with its score and cost, and the winner.
//
// Keys: algo, problem, problem_options {}, fixed_options {}, grid [{key, values}], metric,
// maximize, seed, stopping {...}, trials [{values {}, valid, status, message, score, iters,
// time_s, grad_calls, hvp_calls, hess_calls, samples, options {}}], trials_planned (the grid's
// size), interrupted (SIGINT/SIGTERM ended the search early), best (index or null),
// best_options {} (the grid values of the winner, empty if none).
#pragma once

#include <nlohmann/json.hpp>

#include "bilevel/io/summary.hpp"
#include "bilevel/lab/tune.hpp"

namespace bilevel {

nlohmann::json tune_summary(const RunIdentity& run, const KeyValues& fixed,
                            const std::vector<GridAxis>& grid, const TuneSettings& settings,
                            const TuneResult& result);

}  // namespace bilevel
