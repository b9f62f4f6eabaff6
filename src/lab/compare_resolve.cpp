// Checking a comparison's config before anything runs: every mistake a user can make in it
// (a name, an option, a column, a budget) is reported at once, not after an hour of runs.
#include <algorithm>
#include <set>

#include "bilevel/core/error.hpp"
#include "bilevel/core/suggest.hpp"
#include "bilevel/registry.hpp"
#include "compare_internal.hpp"

namespace bilevel {

namespace {

// At most this many runs, grid points and threads: more is a typo more often than a plan.
constexpr std::size_t kMaxRuns = 100000;
constexpr Index kMaxGridPoints = 100000;
constexpr Index kMaxJobs = 256;

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

void check_column(const std::string& what, const std::string& name,
                  const std::vector<std::string>& known, const std::string& problem) {
  if (std::find(known.begin(), known.end(), name) == known.end())
    throw InvalidInput(what + " '" + name + "' is not a trace column of problem '" + problem +
                       "'; choose one of: " + joined(known) + did_you_mean(name, known));
}

// The entries of one method: itself, or one per point of its grid (first axis slowest).
void expand_one(const CompareMethod& m, std::vector<CompareEntry>* out) {
  if (m.algo.empty()) throw InvalidInput("a method has no algorithm; give each method an algo");
  const std::string base = m.label.empty() ? m.algo : m.label;
  std::size_t total = 1;
  std::set<std::string> keys;
  for (const auto& axis : m.grid) {
    if (axis.values.empty())
      throw InvalidInput("method '" + base + "': grid axis '" + axis.key + "' has no values");
    if (!keys.insert(axis.key).second)
      throw InvalidInput("method '" + base + "': the grid gives '" + axis.key + "' twice");
    for (const auto& [k, v] : m.options)
      if (k == axis.key)
        throw InvalidInput("method '" + base + "': option '" + k +
                           "' is both fixed and in the grid; give it in one place only");
    total *= axis.values.size();
    if (total > kMaxRuns) throw InvalidInput("method '" + base + "': the grid is too large");
  }
  for (std::size_t t = 0; t < total; ++t) {
    // The point's grid values, in axis order (the last axis varies fastest).
    KeyValues values(m.grid.size());
    std::size_t rest = t;
    for (std::size_t a = m.grid.size(); a-- > 0;) {
      values[a] = {m.grid[a].key, m.grid[a].values[rest % m.grid[a].values.size()]};
      rest /= m.grid[a].values.size();
    }
    CompareEntry e{base, m.algo, m.options};
    for (const auto& [key, value] : values) {
      e.label += " " + key + "=" + value;
      e.options.emplace_back(key, value);
    }
    out->push_back(std::move(e));
  }
}

// The algorithm accepts every option key and value type of the entry (constraints that
// depend on the problem are checked by the run, which records a refusal).
void check_entry(const CompareEntry& e, const std::vector<std::string>& axis_columns) {
  const std::unique_ptr<Algorithm> algo = make_algorithm(e.algo);
  try {
    algo->with_options(e.options);
  } catch (const InvalidOptions& err) {
    throw InvalidInput("method '" + e.label + "': " + err.what());
  }
  for (const auto& column : axis_columns)
    if (column.rfind("comm_", 0) == 0 && !algo->runs_distributed())
      throw InvalidInput("column '" + column + "' needs methods that communicate, and '" +
                         e.algo + "' (method '" + e.label + "') does not");
}

}  // namespace

std::vector<CompareEntry> expand_methods(const CompareConfig& config) {
  if (config.methods.empty())
    throw InvalidInput("compare needs at least one method (e.g. --algo f2ba,aid-cg)");
  std::vector<CompareEntry> entries;
  for (const auto& m : config.methods) expand_one(m, &entries);
  std::set<std::string> labels;
  for (const auto& e : entries)
    if (!labels.insert(e.label).second)
      throw InvalidInput("two methods are labelled '" + e.label +
                         "'; give them different labels (or options)");
  return entries;
}

CompareConfig resolve_with(const CompareConfig& config, const Problem& problem) {
  CompareConfig c = config;
  const std::vector<CompareEntry> entries = expand_methods(config);
  if (config.seeds.empty()) throw InvalidInput("compare needs at least one seed");
  if (std::set<std::uint64_t>(config.seeds.begin(), config.seeds.end()).size() !=
      config.seeds.size())
    throw InvalidInput("a seed is listed twice; each seed's runs would be the same");
  if (entries.size() * config.seeds.size() > kMaxRuns)
    throw InvalidInput("the comparison has " + std::to_string(entries.size()) + " methods x " +
                       std::to_string(config.seeds.size()) + " seeds, more than the " +
                       std::to_string(kMaxRuns) + " runs it may have");
  const Stopping& b = config.budget;
  if (b.max_iters <= 0 && b.max_oracle_calls <= 0 && b.time_limit_s <= 0 && b.tol <= 0)
    throw InvalidInput("the budget has no limit; give max_iters, max_oracle_calls, "
                       "time_limit_s or tol");
  if (b.max_iters < 0 || b.max_oracle_calls < 0 || b.time_limit_s < 0 || b.tol < 0)
    throw InvalidInput("budget limits must be >= 0 (0 is off)");
  if (b.tol > 0 && !config.diagnostics)
    throw InvalidInput("tol needs the exact ||grad phi||, which diagnostics off turns off");
  if (config.log_every < 1) throw InvalidInput("log_every must be at least 1");
  if (config.grid_points < 1 || config.grid_points > kMaxGridPoints)
    throw InvalidInput("grid_points must be from 1 to " + std::to_string(kMaxGridPoints));
  if (config.jobs < 1 || config.jobs > kMaxJobs)
    throw InvalidInput("jobs must be from 1 to " + std::to_string(kMaxJobs));

  check_column("x", c.x, compare_x_columns(), problem.name());
  const std::vector<std::string> y_columns = compare_y_columns(problem);
  if (c.y.empty()) {
    const auto metrics = problem.metric_names();
    c.y = {metrics.empty() ? std::string("phi") : metrics.front()};
  }
  std::vector<std::string> needed = c.y;
  if (c.target) needed.push_back(c.target->column);
  for (std::size_t i = 0; i < c.y.size(); ++i) {
    check_column("y", c.y[i], y_columns, problem.name());
    if (std::count(c.y.begin(), c.y.end(), c.y[i]) > 1)
      throw InvalidInput("y column '" + c.y[i] + "' is given twice");
  }
  if (c.target) check_column("target", c.target->column, y_columns, problem.name());
  for (const auto& name : needed)
    if ((name == "phi" || name == "hypergrad_norm") && !config.diagnostics)
      throw InvalidInput("column '" + name +
                         "' comes from the exact diagnostics, which are off; turn them on");

  for (const auto& e : entries) check_entry(e, {c.x});
  c.methods.clear();
  for (const auto& e : entries) c.methods.push_back({e.label, e.algo, e.options, {}});
  return c;
}

CompareConfig resolve_compare_config(const CompareConfig& config) {
  const std::unique_ptr<Problem> problem = make_problem(config.problem, config.problem_options);
  return resolve_with(config, *problem);
}

}  // namespace bilevel
