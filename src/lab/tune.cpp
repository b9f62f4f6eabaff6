#include "bilevel/lab/tune.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <set>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/core/suggest.hpp"

namespace bilevel {

namespace {

constexpr const char* kGridForms = "give key=v1,v2,... or key=lo:hi (powers of ten, e.g. eta=1e-4:1)";


// lo, 10 lo, ..., hi, each the double nearest to the decimal value (1e-4:1 gives 0.001, not
// 1e-4 * 10 = 0.0010000000000000002).
std::vector<std::string> decades(std::string_view spec, std::string_view lo_text,
                                 std::string_view hi_text) {
  double lo = 0, hi = 0;
  if (!parse_finite(lo_text, &lo) || !parse_finite(hi_text, &hi) || lo <= 0 || hi < lo)
    throw InvalidInput("grid '" + std::string(spec) + "': a range lo:hi needs 0 < lo <= hi; " +
                       kGridForms);
  const double steps = std::log10(hi / lo);
  const double n = std::round(steps);
  if (std::fabs(steps - n) > 1e-9 || n > 40)
    throw InvalidInput("grid '" + std::string(spec) +
                       "': hi/lo must be a power of ten (at most 1e40); " + kGridForms);
  std::vector<std::string> values;
  for (int k = 0; k <= static_cast<int>(n); ++k) {
    // 15 significant digits round off the multiplication's last-bit error.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", lo * std::pow(10.0, k));
    values.push_back(format_double(std::stod(buf)));
  }
  return values;
}

std::vector<std::string> split_list(std::string_view spec, std::string_view list) {
  std::vector<std::string> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string_view item = list.substr(start, comma - start);
    if (item.empty())
      throw InvalidInput("grid '" + std::string(spec) + "' has an empty value; " + kGridForms);
    values.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

double score_of(const IterRecord& r, const std::vector<std::string>& metric_names,
                const std::string& metric) {
  if (metric == "phi") return r.phi;
  if (metric == "hypergrad_norm") return r.hypergrad_norm;
  if (metric == "min_eig") return r.min_eig;
  const auto it = std::find(metric_names.begin(), metric_names.end(), metric);
  return r.metrics[static_cast<std::size_t>(it - metric_names.begin())];
}

void check_keys(const Algorithm& algo, const KeyValues& fixed,
                const std::vector<GridAxis>& grid) {
  const std::vector<OptionDoc> options = algo.option_docs();
  auto known = [&](const std::string& key, const std::string& where) {
    if (std::none_of(options.begin(), options.end(),
                     [&](const OptionDoc& d) { return d.name == key; })) {
      std::string text;
      std::vector<std::string> names;
      for (const auto& f : options) {
        text += (text.empty() ? "" : ", ") + f.name;
        names.push_back(f.name);
      }
      throw InvalidInput(where + " names unknown option '" + key + "' of " + algo.name() +
                         "; known: " + text + did_you_mean(key, names));
    }
  };
  for (const auto& [key, value] : fixed) known(key, "-A");
  std::set<std::string> seen;
  for (const auto& axis : grid) {
    known(axis.key, "grid");
    if (!seen.insert(axis.key).second)
      throw InvalidInput("grid gives option '" + axis.key + "' twice; list its values in one axis");
    // A value both fixed and searched: which one a trial used would depend on the order.
    for (const auto& [key, value] : fixed)
      if (key == axis.key)
        throw InvalidInput("option '" + key + "' is both fixed (-A " + key + "=" + value +
                           ") and searched (grid); give it in one place only");
  }
}

// The number of grid points, refused above kMaxGridTrials (checked as it is multiplied, so
// that no product overflows).
std::size_t trial_count(const std::vector<GridAxis>& grid) {
  std::size_t total = 1;
  for (const auto& axis : grid) {
    total *= axis.values.size();
    if (total > kMaxGridTrials) {
      std::string sizes;
      for (const auto& a : grid)
        sizes += (sizes.empty() ? "" : " x ") + std::to_string(a.values.size());
      throw InvalidInput("the grid has " + sizes + " values, more than the " +
                         std::to_string(kMaxGridTrials) +
                         " trials a search may run; use fewer values or split the search");
    }
  }
  return total;
}

// Every grid value must be one its option can take in some trial: a value that does not parse
// or is not one of a string option's choices is the user's typo, reported before anything
// runs (values refused only in combination, or by a numeric constraint, are trials that
// record why they were refused).
void check_values(const Algorithm& algorithm, const KeyValues& fixed,
                  const std::vector<GridAxis>& grid) {
  const std::unique_ptr<Algorithm> base = algorithm.with_options(fixed);
  const std::vector<OptionDoc> docs = base->option_docs();
  for (const auto& axis : grid) {
    const auto doc = std::find_if(docs.begin(), docs.end(),
                                  [&](const OptionDoc& d) { return d.name == axis.key; });
    for (const auto& value : axis.values) {
      try {
        base->with_options({{axis.key, value}});
      } catch (const InvalidOptions& e) {
        throw InvalidInput("grid value " + axis.key + "=" + value + " is refused: " + e.what());
      }
      if (doc != docs.end() && !doc->choices.empty() &&
          std::find(doc->choices.begin(), doc->choices.end(), value) == doc->choices.end()) {
        std::string list;
        for (const auto& c : doc->choices) list += (list.empty() ? "" : ", ") + c;
        throw InvalidInput("grid value " + axis.key + "=" + value + " is not one of " + list);
      }
    }
  }
}

}  // namespace

GridAxis parse_grid_axis(std::string_view spec) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
    throw InvalidInput("grid '" + std::string(spec) + "' is malformed; " + kGridForms);
  GridAxis axis;
  axis.key = std::string(spec.substr(0, eq));
  const std::string_view rest = spec.substr(eq + 1);
  const std::size_t colon = rest.find(':');
  if (colon != std::string_view::npos && rest.find(',') == std::string_view::npos)
    axis.values = decades(spec, rest.substr(0, colon), rest.substr(colon + 1));
  else
    axis.values = split_list(spec, rest);
  return axis;
}

std::vector<std::string> score_columns(const Problem& problem) {
  std::vector<std::string> names = problem.metric_names();
  names.push_back("phi");
  names.push_back("hypergrad_norm");
  names.push_back("min_eig");
  return names;
}

TuneResult grid_search(Problem& problem, const Algorithm& algorithm, const KeyValues& fixed,
                       const std::vector<GridAxis>& grid, const TuneSettings& settings,
                       const std::function<void(const TuneTrial&, std::size_t, std::size_t)>&
                           on_trial) {
  const std::vector<std::string> columns = score_columns(problem);
  if (std::find(columns.begin(), columns.end(), settings.metric) == columns.end()) {
    std::string names;
    for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c;
    throw InvalidInput("metric '" + settings.metric + "' is not a trace column of problem '" +
                       problem.name() + "'; choose one of: " + names +
                       did_you_mean(settings.metric, columns));
  }
  if ((settings.metric == "phi" || settings.metric == "hypergrad_norm") &&
      !settings.run.diagnostics)
    throw InvalidInput("metric '" + settings.metric +
                       "' comes from the exact diagnostics, which are off");
  // Without the setting every trial's min_eig would be NaN and none could win.
  if (settings.metric == "min_eig" && !settings.run.min_eig)
    throw InvalidInput("metric 'min_eig' is recorded only when min_eig is on (--min-eig)");
  if (grid.empty()) throw InvalidInput("the grid is empty; give at least one axis");
  for (const auto& axis : grid)
    if (axis.values.empty()) throw InvalidInput("grid axis '" + axis.key + "' has no values");
  check_keys(algorithm, fixed, grid);
  const std::size_t total = trial_count(grid);
  check_values(algorithm, fixed, grid);

  TuneResult out;
  out.planned = total;
  auto interrupted = [&] {
    return settings.run.interrupt && settings.run.interrupt->load(std::memory_order_relaxed);
  };
  std::vector<std::size_t> digit(grid.size(), 0);  // mixed-radix counter over the axes
  for (std::size_t t = 0; t < total; ++t) {
    if (interrupted()) {
      out.interrupted = true;
      break;
    }
    TuneTrial trial;
    for (std::size_t a = 0; a < grid.size(); ++a)
      trial.grid_values.emplace_back(grid[a].key, grid[a].values[digit[a]]);
    trial.score = std::numeric_limits<double>::quiet_NaN();

    // Keys were checked above, so a throw here is a value the option cannot hold ("abc" for
    // a number): the same for every trial with it, so it is the user's input error.
    const std::unique_ptr<Algorithm> algo =
        algorithm.with_options(fixed)->with_options(trial.grid_values);
    try {
      const Result r = algo->solve(problem, settings.run);
      trial.valid = true;
      trial.status = r.status;
      trial.message = r.message;
      trial.iters = r.iters;
      trial.time_s = r.time_s;
      trial.counts = r.counts;
      trial.resolved_options = r.options;
      if (r.status == Status::kInterrupted) out.interrupted = true;
      // Neither a diverged nor a cut-short run has a score that may compete.
      if (r.status != Status::kDiverged && r.status != Status::kInterrupted)
        trial.score = score_of(r.trace.records.back(), r.trace.metric_names, settings.metric);
    } catch (const InvalidOptions& e) {
      trial.message = e.what();
    }
    out.trials.push_back(std::move(trial));
    const TuneTrial& done = out.trials.back();
    if (std::isfinite(done.score)) {
      const bool better =
          !out.best || (settings.maximize ? done.score > out.trials[*out.best].score
                                          : done.score < out.trials[*out.best].score);
      if (better) out.best = t;
    }
    if (on_trial) on_trial(done, t, total);
    if (out.interrupted) break;

    for (std::size_t a = grid.size(); a-- > 0;) {  // the last axis varies fastest
      if (++digit[a] < grid[a].values.size()) break;
      digit[a] = 0;
    }
  }
  return out;
}

}  // namespace bilevel
