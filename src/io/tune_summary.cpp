#include "bilevel/io/tune_summary.hpp"

namespace bilevel {

using nlohmann::json;

nlohmann::json tune_summary(const RunIdentity& run, const KeyValues& fixed,
                            const std::vector<GridAxis>& grid, const TuneSettings& settings,
                            const TuneResult& result) {
  json axes = json::array();
  for (const auto& a : grid) axes.push_back({{"key", a.key}, {"values", a.values}});
  json trials = json::array();
  for (const auto& t : result.trials) {
    trials.push_back({
        {"values", json_key_values(t.grid_values)},
        {"valid", t.valid},
        {"status", t.valid ? json(to_string(t.status)) : json("refused")},
        {"message", t.message},
        {"score", json_number(t.score)},
        {"iters", t.iters},
        {"time_s", json_number(t.time_s)},
        {"grad_calls", t.counts.grad_calls()},
        {"hvp_calls", t.counts.hvp_calls()},
        {"hess_calls", t.counts.hess_calls()},
        {"samples", t.counts.samples()},
        {"options", json_option_values(t.resolved_options)},
    });
  }
  return {
      {"algo", run.algo},
      {"problem", run.problem},
      {"problem_options", json_option_values(run.problem_options)},
      {"fixed_options", json_key_values(fixed)},
      {"grid", axes},
      {"metric", settings.metric},
      {"maximize", settings.maximize},
      {"seed", settings.run.seed},
      {"stopping", json_stopping(settings.run.stopping)},
      {"trials", trials},
      {"trials_planned", result.planned},
      {"interrupted", result.interrupted},
      {"best", result.best ? json(*result.best) : json(nullptr)},
      {"best_options",
       result.best ? json_key_values(result.trials[*result.best].grid_values) : json::object()},
  };
}

}  // namespace bilevel
