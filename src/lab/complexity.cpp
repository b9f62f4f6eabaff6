#include "bilevel/lab/complexity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <variant>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/suggest.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {

namespace {

// The sweep key must be a number the problem declares (or the pseudo-key tol), and not be
// fixed by -P as well.
void check_key(const ComplexityTask& task, const ProblemFamily& family) {
  const std::string& key = task.sweep.key;
  for (const auto& [k, v] : task.problem_options)
    if (k == key)
      throw InvalidInput("the sweep key '" + key + "' is also given as a problem option (" + k +
                         "=" + v + "); give its values in the sweep only");
  if (key == kToleranceKey) return;
  std::string names;
  for (const auto& name : family.option_names) {
    if (name == key) return;
    names += (names.empty() ? "" : ", ") + name;
  }
  std::vector<std::string> keys = family.option_names;
  keys.emplace_back(kToleranceKey);
  throw InvalidInput("problem '" + task.problem + "' has no option '" + key +
                     "' to sweep; its options: " + names +
                     " (or sweep tol, the stopping tolerance)" + did_you_mean(key, keys));
}

void check_tolerance(const std::string& key, double tol) {
  if (is_accuracy_key(key) && tol > 0)
    throw InvalidInput("a sweep of " + key +
                       " sets each run's tolerance to the swept value; "
                       "drop the fixed tol (--tol)");
  if (!is_accuracy_key(key) && !(tol > 0))
    throw InvalidInput("a sweep of " + key +
                       " needs a stopping tolerance on ||grad phi|| "
                       "(--tol EPS > 0; on a hard instance usually its -P eps); only eps and tol "
                       "sweeps set it themselves");
}

KeyValues with_value(KeyValues options, const std::string& key, double value) {
  if (key != kToleranceKey) options.emplace_back(key, format_double(value));
  return options;
}

OptionValues without_key(const OptionValues& options, const std::string& key) {
  OptionValues out;
  for (const auto& s : options)
    if (s.name != key) out.push_back(s);
  return out;
}

KeyValues as_text(const OptionValues& values) {
  KeyValues out;
  for (const auto& s : values) out.emplace_back(s.name, format_value(s.value));
  return out;
}

std::vector<ComplexityPoint> summarize_points(const ComplexitySweep& sweep,
                                              const std::vector<ComplexityRun>& runs) {
  std::vector<ComplexityPoint> points(sweep.values.size());
  std::vector<double> total(points.size(), 0);
  for (std::size_t i = 0; i < points.size(); ++i) {
    points[i].value = sweep.values[i];
    points[i].fit_x = is_accuracy_key(sweep.key) ? 1 / sweep.values[i] : sweep.values[i];
  }
  for (const auto& r : runs) {
    ComplexityPoint& p = points[r.point];
    ++p.runs;
    if (r.converged()) ++p.converged;
    total[r.point] += static_cast<double>(complexity_cost(r.counts));
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    ComplexityPoint& p = points[i];
    // A point with a seed that spent its budget has no cost to report: the budget would
    // stand in for it and bend the line down.
    p.mean_cost = p.runs > 0 && p.converged == p.runs ? total[i] / static_cast<double>(p.runs)
                                                      : std::numeric_limits<double>::quiet_NaN();
  }
  return points;
}

PowerLawFit fit_points(const std::vector<ComplexityPoint>& points) {
  std::vector<double> x, cost;
  for (const auto& p : points)
    if (std::isfinite(p.mean_cost) && p.mean_cost > 0) {
      x.push_back(p.fit_x);
      cost.push_back(p.mean_cost);
    }
  return fit_power_law(x, cost);
}

// An expression for an integer option (K=10*kappa, a count of inner steps) is rounded to
// the nearest integer: 31.6 steps are meant as 32, not as bad input.
KeyValues integral_where_needed(KeyValues evaluated, const KeyValues& given,
                                const std::string& algo) {
  const OptionValues defaults = make_algorithm(algo)->option_values();
  for (std::size_t k = 0; k < evaluated.size(); ++k) {
    if (evaluated[k].second == given[k].second) continue;  // a plain value
    const OptionValue* v = find_value(defaults, evaluated[k].first);
    if (v && std::holds_alternative<Index>(*v))
      evaluated[k].second = std::to_string(std::llround(std::stod(evaluated[k].second)));
  }
  return evaluated;
}

}  // namespace

Index complexity_cost(const OracleCounts& counts) {
  return counts.grad_calls() + counts.hvp_calls() + counts.hess_calls();
}

ProblemFamily registered_problem(const std::string& name) {
  for (const auto& e : problem_registry()) {
    if (e.name != name) continue;
    ProblemFamily family{e.make, {}};
    for (const auto& doc : e.options()) family.option_names.push_back(doc.name);
    return family;
  }
  make_problem(name);  // throws the registry's "unknown problem" error with the known names
  throw InvalidInput("unknown problem '" + name + "'");
}

ComplexityResult run_complexity(const ComplexityTask& task, const ComplexitySettings& settings,
                                const ComplexityProgress& on_run) {
  make_algorithm(task.algo);  // an unknown name fails before anything is built
  return run_complexity(task, registered_problem(task.problem), settings, on_run);
}

ComplexityResult run_complexity(const ComplexityTask& task, const ProblemFamily& family,
                                const ComplexitySettings& settings,
                                const ComplexityProgress& on_run) {
  const ComplexitySweep& sweep = task.sweep;
  if (sweep.values.empty()) throw InvalidInput("the sweep of '" + sweep.key + "' has no values");
  if (settings.seeds < 1 || settings.seeds > kMaxComplexitySeeds)
    throw InvalidInput("seeds must be in [1, " + std::to_string(kMaxComplexitySeeds) + "] (got " +
                       std::to_string(settings.seeds) + ")");
  if (static_cast<Index>(sweep.values.size()) * settings.seeds > kMaxComplexityRuns)
    throw InvalidInput("the sweep has " + std::to_string(sweep.values.size()) + " values x " +
                       std::to_string(settings.seeds) + " seeds, more than the " +
                       std::to_string(kMaxComplexityRuns) + " runs a sweep may make");
  make_algorithm(task.algo);  // an unknown name fails before anything is built
  check_key(task, family);
  check_tolerance(sweep.key, settings.run.stopping.tol);

  // Every point's options, checked before the first run: an option value or a problem that
  // fails at the last point must not cost the whole sweep first.
  std::vector<KeyValues> algo_options(sweep.values.size());
  OptionValues first_problem_options;
  std::vector<std::string> metric_names;
  for (std::size_t i = 0; i < sweep.values.size(); ++i) {
    const double v = sweep.values[i];
    algo_options[i] = integral_where_needed(options_at(task.algo_options, sweep.key, v),
                                            task.algo_options, task.algo);
    auto algo = make_algorithm(task.algo, algo_options[i]);
    Violations violations;
    violations.add_all(algo->validate());
    violations.throw_if_any(task.algo + " at " + sweep.key + " = " + format_double(v));
    auto problem = family.make(with_value(task.problem_options, sweep.key, v));
    if (i == 0) {
      first_problem_options = without_key(problem->option_values(), sweep.key);
      metric_names = problem->metric_names();
    }
  }

  ComplexityResult out;
  out.sweep = sweep;
  out.fit_variable = is_accuracy_key(sweep.key) ? "1/" + sweep.key : sweep.key;
  out.problem_options = first_problem_options;
  out.stochastic = is_stochastic(as_text(first_problem_options));
  out.metric_names = metric_names;

  const auto seeds = static_cast<std::size_t>(settings.seeds);
  const std::size_t total = sweep.values.size() * seeds;
  out.planned_runs = total;
  auto interrupted = [&] {
    return settings.run.interrupt && settings.run.interrupt->load(std::memory_order_relaxed);
  };
  for (std::size_t i = 0; i < sweep.values.size() && !out.interrupted; ++i) {
    const double v = sweep.values[i];
    for (std::size_t s = 0; s < seeds; ++s) {
      if (interrupted()) {
        out.interrupted = true;
        break;
      }
      // Fresh problem and algorithm per run: no state (counts, warm starts) leaks between
      // runs, so each run's cost is its own.
      auto problem = family.make(with_value(task.problem_options, sweep.key, v));
      auto algo = make_algorithm(task.algo, algo_options[i]);
      RunSettings rs = settings.run;
      rs.seed = settings.run.seed + s;
      rs.log_every = 1;
      rs.diagnostics = true;
      rs.keep_trace = false;  // only the end of a run is recorded: constant memory
      if (is_accuracy_key(sweep.key)) rs.stopping.tol = v;
      const Result r = algo->solve(*problem, rs);

      ComplexityRun run;
      run.point = i;
      run.value = v;
      run.seed = rs.seed;
      run.tol = rs.stopping.tol;
      run.status = r.status;
      run.message = r.message;
      run.iters = r.iters;
      run.time_s = r.time_s;
      run.counts = r.counts;
      run.hypergrad_norm = r.hypergrad_norm;
      const OptionValues problem_values = problem->option_values();
      if (const OptionValue* calls = find_value(problem_values, "chain_calls"))
        run.chain_calls = std::holds_alternative<double>(*calls)
                              ? std::get<double>(*calls)
                              : static_cast<double>(std::get<Index>(*calls));
      if (!r.trace.records.empty()) run.metrics = r.trace.records.back().metrics;
      run.metrics.resize(metric_names.size(), std::numeric_limits<double>::quiet_NaN());
      run.algo_options = algo_options[i];
      out.runs.push_back(std::move(run));
      if (on_run) on_run(out.runs.back(), out.runs.size() - 1, total);
      if (r.status == Status::kInterrupted) {
        out.interrupted = true;
        break;
      }
    }
  }

  out.points = summarize_points(sweep, out.runs);
  out.fit = fit_points(out.points);
  out.references =
      reference_exponents({task.algo, task.problem, sweep.key, out.stochastic, algo_options[0]});
  return out;
}

}  // namespace bilevel
