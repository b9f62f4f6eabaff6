#include "bilevel/core/algorithm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"

namespace bilevel {

void Stopping::declare(OptionList& o) {
  o.add("max_iters", max_iters, "outer-iteration limit", Constraint::at_least(1))
      .add("max_oracle_calls", max_oracle_calls, "budget on all counted oracle calls (0 = none)",
           Constraint::non_negative())
      .add("time_limit", time_limit_s,
           "wall-time limit in seconds, diagnostics excluded (0 = none)",
           Constraint::non_negative())
      .add("tol", tol, "stop when the exact ||grad phi|| <= tol (0 = off)",
           Constraint::non_negative());
}

void RunSettings::declare(OptionList& o) {
  stopping.declare(o);
  o.add("seed", seed, "seed of the run's random generator (0 to 2^64-1)")
      .add("log_every", log_every, "trace row (and diagnostics) every this many iterations",
           Constraint::at_least(1))
      .add("diagnostics", diagnostics,
           "evaluate the exact phi and ||grad phi|| for the trace (uncounted); false leaves "
           "them empty (saves time on big problems)")
      .add("min_eig", min_eig,
           "also record lambda_min(Hess phi) (second-order stationarity; needs the "
           "diagnostics). Costly without a closed-form Hess phi: 2 dim_x hypergradients per "
           "record up to dim_x = 200, else 2 per Lanczos product")
      .add("keep_trace", keep_trace,
           "keep every record; false keeps only the first and latest (callbacks still see "
           "every record): constant memory for runs of millions of iterations")
      .add("max_memory", max_memory,
           "memory budget of problems and loaders: auto (the memory available) or a size "
           "(4G, 512M, bytes); larger requests are refused before allocating")
      .rule([this](Violations& v) {
        std::int64_t bytes = 0;
        v.check(
            parse_memory_size(max_memory, &bytes),
            "max_memory must be auto or a size such as 4G, 512M or 1e9 (got '" + max_memory + "')");
      })
      .rule([this](Violations& v) {
        v.check(!min_eig || diagnostics,
                "min_eig needs the diagnostics (the Hessian of phi is one of them); turn them "
                "on");
      });
}

void RunSettings::apply_memory_limit() const {
  std::int64_t bytes = 0;
  if (!parse_memory_size(max_memory, &bytes))
    throw InvalidOptions("run: max_memory must be auto or a size such as 4G (got '" + max_memory +
                         "')");
  set_memory_limit(bytes);
}

void check_requirements(const Algorithm& algorithm, const Problem& problem) {
  const Requirements r = algorithm.requirements();
  if (r.minimax && !problem.is_minimax())
    throw InvalidOptions(algorithm.name() + ": problem '" + problem.name() +
                         "' is not a minimax problem (" + algorithm.name() +
                         " needs f = F, g = -F; see `bilevel list problems`: minimax-synthetic, "
                         "dro-logistic)");
  if (r.dense_hessian && !problem.has_dense_hessian())
    throw InvalidOptions(algorithm.name() + ": problem '" + problem.name() +
                         "' has no dense Hessians at this size" +
                         (r.alternative.empty() ? "" : "; use " + r.alternative));
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Growth of the exact ||grad phi|| over its starting value that counts as divergence.
constexpr double kBlowUp = 1e6;

void check_settings(const RunSettings& s, const std::string& owner) {
  Violations v;
  v.add_all(option_violations(s, owner));
  v.throw_if_any(owner);
}

// Adds the wall time of fn() to *total.
template <class Fn>
void timed(double* total, Fn&& fn) {
  const auto t0 = Clock::now();
  fn();
  *total += std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

Result Algorithm::solve(Problem& problem, const RunSettings& s) const {
  return solve(problem, problem.initial_x(), problem.initial_y(), s);
}

Result Algorithm::solve(Problem& problem, const Vec& x0, const Vec& y0,
                        const RunSettings& s) const {
  Violations v;
  v.add_all(validate());
  v.throw_if_any(name());
  check_settings(s, name());
  check_requirements(*this, problem);
  if (x0.size() != problem.dim_x() || y0.size() != problem.dim_y())
    throw InvalidInput(name() + ": starting point has dimensions (" + std::to_string(x0.size()) +
                       ", " + std::to_string(y0.size()) + ") but problem '" + problem.name() +
                       "' has (" + std::to_string(problem.dim_x()) + ", " +
                       std::to_string(problem.dim_y()) + ")");

  Rng rng(s.seed);
  const OracleCounts start_counts = problem.counts();
  Diagnostics diag(problem);
  // A second instance for the Hessian: its solves at x +- h v would otherwise move the warm
  // starts of the first, and the phi column would change in its last digits with min_eig.
  Diagnostics curvature(problem);

  Result res;
  res.algorithm = name();
  res.problem = problem.name();
  res.problem_options = problem.option_values();
  res.trace.metric_names = problem.metric_names();
  res.trace.has_min_eig = s.min_eig;
  Timings& time = res.timings;
  RunContext context;
  context.algo = name();

  std::unique_ptr<MethodRun> run;
  timed(&time.start_s, [&] { run = start(problem, x0, y0, rng, context, &res.options); });

  auto make_record = [&](Index iter) {
    IterRecord r;
    r.iter = iter;
    r.time_s = time.start_s + time.steps_s;
    r.counts = problem.counts() - start_counts;
    const Vec& x = run->x();
    const Vec& y = run->y();
    const bool finite = x.allFinite() && y.allFinite();
    timed(&time.diagnostics_s, [&] {
      if (s.diagnostics && finite) {
        r.phi = diag.phi(x);
        r.hypergrad_norm = diag.hypergradient(x).norm();
        if (s.min_eig) r.min_eig = curvature.min_eig_phi(x).value;
      } else {
        r.phi = r.hypergrad_norm = kNaN;
      }
      r.metrics =
          finite ? problem.metrics(x, y) : std::vector<double>(res.trace.metric_names.size(), kNaN);
    });
    return r;
  };

  // Returns true if the run must stop, with res.status / res.message set. Every record is
  // shown to the callbacks, the one that ends the run included; when several reasons to stop
  // meet at one record, divergence wins over convergence, which wins over a callback's stop
  // (an abort wins over everything: the caller declared the iterate unusable).
  auto log_and_check = [&](Index iter) {
    IterRecord r = make_record(iter);
    // The first record stays: the blow-up test below compares against it.
    if (!s.keep_trace && res.trace.records.size() >= 2) res.trace.records.back() = std::move(r);
    else res.trace.records.push_back(std::move(r));
    const IterRecord& rec = res.trace.records.back();
    Action action = Action::kContinue;
    timed(&time.callbacks_s, [&] {
      for (const auto& cb : s.callbacks) action = std::max(action, cb(rec, run->x(), run->y()));
    });
    if (action == Action::kAbort) {
      res.status = Status::kUserAbort;
      res.message = "aborted by a callback";
      return true;
    }
    if (!run->x().allFinite() || !run->y().allFinite() ||
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
    if (action == Action::kStop) {
      res.status = Status::kUserStop;
      res.message = "stopped by a callback";
      return true;
    }
    return false;
  };

  auto cancelled = [&] { return s.cancel && s.cancel->load(std::memory_order_relaxed); };

  bool stop = log_and_check(0);
  if (!stop && cancelled()) {
    res.status = Status::kUserStop;
    res.message = "stopped: the run was cancelled";
    stop = true;
  }
  Index k = 0;
  while (!stop) {
    timed(&time.steps_s, [&] { run->step(problem, rng, k); });
    ++k;
    const double elapsed = time.start_s + time.steps_s;
    const bool finite = run->x().allFinite() && run->y().allFinite();
    const bool last_iter = k >= s.stopping.max_iters;
    const bool over_budget =
        s.stopping.max_oracle_calls > 0 &&
        (problem.counts() - start_counts).total_calls() >= s.stopping.max_oracle_calls;
    const bool over_time = s.stopping.time_limit_s > 0 && elapsed >= s.stopping.time_limit_s;
    const bool cancel = cancelled();
    if (k % s.log_every == 0 || last_iter || over_budget || over_time || !finite || cancel) {
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
    if (cancel) {
      res.status = Status::kUserStop;
      res.message = "stopped: the run was cancelled";
      break;
    }
  }

  res.iters = k;
  res.x = run->x();
  res.y = run->y();
  res.time_s = time.start_s + time.steps_s;
  res.counts = problem.counts() - start_counts;
  res.warnings = std::move(context.warnings);  // raised in start or in any step
  res.method_counters = run->counters();
  const IterRecord& last = res.trace.records.back();
  res.phi = last.phi;
  res.hypergrad_norm = last.hypergrad_norm;
  res.min_eig = last.min_eig;
  res.state = std::move(run);
  return res;
}

}  // namespace bilevel
