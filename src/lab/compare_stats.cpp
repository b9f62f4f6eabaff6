// The order statistics of a comparison: final values, x to target, and the bands along the
// common x grid (resample.hpp), each over the runs of one method that finished.
#include <algorithm>
#include <cmath>
#include <limits>

#include "bilevel/lab/resample.hpp"
#include "compare_internal.hpp"

namespace bilevel {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> column_of(const Trace& t, const std::string& name) {
  std::vector<double> values;
  values.reserve(t.records.size());
  for (const auto& r : t.records) values.push_back(trace_column_value(r, t.metric_names, name));
  return values;
}

// The x of the first record that reached the target, NaN if none did.
double x_at_target(const Trace& t, const CompareTarget& target, const std::string& x) {
  for (const auto& r : t.records) {
    const double v = trace_column_value(r, t.metric_names, target.column);
    if (target.above ? v >= target.value : v <= target.value)
      return trace_column_value(r, t.metric_names, x);
  }
  return kNaN;
}

CompareMethodStats stats_of(const CompareResult& res, std::size_t entry) {
  const CompareConfig& c = res.config;
  CompareMethodStats s;
  s.planned = c.seeds.size();
  std::vector<std::vector<double>> finals(c.y.size());
  std::vector<double> final_x, to_target;
  for (const auto& run : res.runs) {
    if (run.entry != entry || !run.finished()) continue;
    ++s.finished;
    const IterRecord& last = run.trace.records.back();
    for (std::size_t k = 0; k < c.y.size(); ++k)
      finals[k].push_back(trace_column_value(last, run.trace.metric_names, c.y[k]));
    final_x.push_back(trace_column_value(last, run.trace.metric_names, c.x));
    if (c.target) {
      const double x = x_at_target(run.trace, *c.target, c.x);
      if (!std::isnan(x)) {
        ++s.reached;
        to_target.push_back(x);
      }
    }
  }
  for (const auto& f : finals) s.final_y.push_back(quantiles_of(f));
  s.final_x = quantiles_of(final_x);
  s.x_to_target = quantiles_of(to_target);
  return s;
}

// From the smallest first x to the largest last x over the finished runs.
std::vector<double> common_grid(const CompareResult& res) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& run : res.runs) {
    if (!run.finished()) continue;
    const auto& t = run.trace;
    lo = std::min(lo, trace_column_value(t.records.front(), t.metric_names, res.config.x));
    hi = std::max(hi, trace_column_value(t.records.back(), t.metric_names, res.config.x));
  }
  if (!(lo <= hi)) return {};
  return linear_grid(lo, hi, static_cast<std::size_t>(res.config.grid_points));
}

}  // namespace

void summarise_compare(CompareResult* res) {
  const CompareConfig& c = res->config;
  res->stats.clear();
  for (std::size_t e = 0; e < res->entries.size(); ++e) res->stats.push_back(stats_of(*res, e));

  res->bands.x = common_grid(*res);
  const std::size_t points = res->bands.x.size();
  res->bands.bands.assign(res->entries.size(), {});
  for (std::size_t e = 0; e < res->entries.size(); ++e) {
    // values[k][g]: the finished runs' values of y column k at grid point g.
    std::vector<std::vector<std::vector<double>>> values(
        c.y.size(), std::vector<std::vector<double>>(points));
    for (const auto& run : res->runs) {
      if (run.entry != e || !run.finished()) continue;
      const std::vector<double> xs = column_of(run.trace, c.x);
      for (std::size_t k = 0; k < c.y.size(); ++k) {
        const std::vector<double> at =
            resample_steps(xs, column_of(run.trace, c.y[k]), res->bands.x);
        for (std::size_t g = 0; g < points; ++g) values[k][g].push_back(at[g]);
      }
    }
    for (std::size_t k = 0; k < c.y.size(); ++k) {
      std::vector<Quantiles> band;
      for (std::size_t g = 0; g < points; ++g) band.push_back(quantiles_of(values[k][g]));
      res->bands.bands[e].push_back(std::move(band));
    }
  }
}

}  // namespace bilevel
