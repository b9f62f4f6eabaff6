#include "bilevel/core/algorithm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void Algorithm::set_options(const KeyValues& kv) { options().set_all(kv); }

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Growth of the exact ||grad phi|| over its starting value that counts as divergence.
constexpr double kBlowUp = 1e6;

void check_settings(const RunSettings& s, const std::string& owner) {
  Violations v;
  v.check(s.stopping.max_iters >= 1, "max_iters must be >= 1");
  v.check(s.stopping.max_oracle_calls >= 0, "max_oracle_calls must be >= 0 (0 = no budget)");
  v.check(s.stopping.time_limit_s >= 0, "time_limit must be >= 0 (0 = no limit)");
  v.check(s.stopping.tol >= 0, "tol must be >= 0 (0 = off)");
  v.check(s.log_every >= 1, "log_every must be >= 1");
  v.check(!s.min_eig || s.diagnostics,
          "min_eig needs the diagnostics (the Hessian of phi is one of them); turn them on");
  v.throw_if_any(owner);
}

}  // namespace

Result Algorithm::run(Problem& problem, const Vec& x0, const Vec& y0, const RunSettings& s) {
  Violations v;
  for (auto& m : validate()) v.check(false, m);
  v.throw_if_any(name());
  check_settings(s, name());
  if (x0.size() != problem.dim_x() || y0.size() != problem.dim_y())
    throw InvalidInput(name() + ": starting point has dimensions (" +
                       std::to_string(x0.size()) + ", " + std::to_string(y0.size()) +
                       ") but problem '" + problem.name() + "' has (" +
                       std::to_string(problem.dim_x()) + ", " + std::to_string(problem.dim_y()) +
                       ")");

  Rng rng(s.seed);
  const OracleCounts start_counts = problem.counts();
  Diagnostics diag(problem);
  // A second instance for the Hessian: its solves at x +- h v would otherwise move the warm
  // starts of the first, and the phi column would change in its last digits with min_eig.
  Diagnostics curvature(problem);

  Result res;
  res.trace.metric_names = problem.metric_names();
  res.trace.has_min_eig = s.min_eig;
  double elapsed = 0;  // algorithm time only; diagnostics are excluded

  auto timed = [&](auto&& fn) {
    const auto t0 = Clock::now();
    fn();
    elapsed += std::chrono::duration<double>(Clock::now() - t0).count();
  };

  auto make_record = [&](Index iter) {
    IterRecord r;
    r.iter = iter;
    r.time_s = elapsed;
    r.counts = problem.counts() - start_counts;
    const Vec& x = current_x();
    const Vec& y = current_y();
    const bool finite = x.allFinite() && y.allFinite();
    if (s.diagnostics && finite) {
      r.phi = diag.phi(x);
      r.hypergrad_norm = diag.hypergradient(x).norm();
      if (s.min_eig) r.min_eig = curvature.min_eig_phi(x).value;
    } else {
      r.phi = r.hypergrad_norm = kNaN;
    }
    r.metrics = finite ? problem.metrics(x, y)
                       : std::vector<double>(res.trace.metric_names.size(), kNaN);
    return r;
  };

  warnings_.clear();
  timed([&] { init(problem, x0, y0, rng); });
  res.options = resolved_options();

  // Returns true if the run must stop, with res.status / res.message set. Every record is
  // shown to the callbacks, the one that ends the run included; when several reasons to stop
  // meet at one record, divergence wins over convergence, which wins over a callback's stop.
  auto log_and_check = [&](Index iter) {
    IterRecord r = make_record(iter);
    // The first record stays: the blow-up test below compares against it.
    if (!s.keep_trace && res.trace.records.size() >= 2)
      res.trace.records.back() = std::move(r);
    else
      res.trace.records.push_back(std::move(r));
    const IterRecord& rec = res.trace.records.back();
    bool callback_stop = false;
    for (const auto& cb : s.callbacks)
      if (cb(rec) == Action::kStop) callback_stop = true;
    if (!current_x().allFinite() || !current_y().allFinite() ||
        (s.diagnostics && !std::isfinite(rec.phi))) {
      res.status = Status::kDiverged;
      res.message = "diverged: a non-finite iterate or value appeared at iteration " +
                    std::to_string(iter) + " (try smaller step sizes)";
      return true;
    }
    // A finite but exploding run is diverging too; stopping early saves the rest of the budget.
    // Only while phi has not dropped below its start: a run leaving a stationary start (a
    // saddle, where ||grad phi(x0)|| = 0) sees the gradient grow from 0 as it descends.
    const IterRecord& first = res.trace.records.front();
    const double start_norm = first.hypergrad_norm;
    if (s.diagnostics && rec.hypergrad_norm > kBlowUp * std::max(start_norm, 1e-8) &&
        !(rec.phi < first.phi)) {
      res.status = Status::kDiverged;
      res.message = "diverged: ||grad phi|| grew more than 1e6-fold at iteration " +
                    std::to_string(iter) + " (try smaller step sizes or more inner steps)";
      return true;
    }
    if (s.stopping.tol > 0 && s.diagnostics && rec.hypergrad_norm <= s.stopping.tol) {
      res.status = Status::kConverged;
      res.message = "converged: exact ||grad phi|| <= tol";
      return true;
    }
    if (callback_stop) {
      res.status = Status::kUserStop;
      res.message = "stopped by a callback";
      return true;
    }
    return false;
  };

  bool stop = log_and_check(0);
  Index k = 0;
  while (!stop) {
    timed([&] { step(problem, rng, k); });
    ++k;
    const bool finite = current_x().allFinite() && current_y().allFinite();
    const bool last_iter = k >= s.stopping.max_iters;
    const bool over_budget = s.stopping.max_oracle_calls > 0 &&
                             (problem.counts() - start_counts).total_calls() >=
                                 s.stopping.max_oracle_calls;
    const bool over_time = s.stopping.time_limit_s > 0 && elapsed >= s.stopping.time_limit_s;
    if (k % s.log_every == 0 || last_iter || over_budget || over_time || !finite) {
      stop = log_and_check(k);
      if (stop) break;
    }
    if (last_iter) {
      res.status = Status::kMaxIterations;
      res.message = "iteration limit reached";
      break;
    }
    if (over_budget) {
      res.status = Status::kOracleBudget;
      res.message = "oracle-call budget spent";
      break;
    }
    if (over_time) {
      res.status = Status::kTimeLimit;
      res.message = "time limit reached";
      break;
    }
  }

  res.iters = k;
  res.x = current_x();
  res.y = current_y();
  res.time_s = elapsed;
  res.counts = problem.counts() - start_counts;
  res.warnings = warnings_;  // raised in init or in any step
  const IterRecord& last = res.trace.records.back();
  res.phi = last.phi;
  res.hypergrad_norm = last.hypergrad_norm;
  res.min_eig = last.min_eig;
  return res;
}

}  // namespace bilevel
