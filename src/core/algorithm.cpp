#include "bilevel/core/algorithm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include <omp.h>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/rank_mean_problem.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "checkpoint_format.hpp"
#include "state_archive_json.hpp"

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
      .add("threads", threads,
           "threads of the data kernels (0 = OMP_NUM_THREADS, else every core); results do "
           "not depend on it",
           Constraint::non_negative())
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

void RunSettings::apply_threads() const {
  // The default as the process started (OMP_NUM_THREADS or the core count), so that
  // threads = 0 after a run with threads = 1 restores it. omp_set_num_threads sets the
  // calling thread's count (the parallel regions it starts).
  static const int kDefault = omp_get_max_threads();
  omp_set_num_threads(threads > 0 ? static_cast<int>(std::min<Index>(threads, 1 << 16)) : kDefault);
}

void MethodRun::visit(StateArchive&) {
  throw InvalidInput(
      "this method cannot be checkpointed: its run does not list its state (MethodRun::visit)");
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
  if (r.hessian_vector_products && !problem.has_hessian_vector_products())
    throw InvalidOptions(algorithm.name() +
                         ": needs Hessian-vector products of f and g, which problem '" +
                         problem.name() +
                         "' does not provide; give the problem its products, or let it derive "
                         "them by finite differences of its gradients");
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

// {name: value text} of options, as checkpoints record them.
nlohmann::json option_texts(const OptionValues& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : values) out[key] = format_value(value);
  return out;
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
  if (s.checkpoint.every < 0)
    throw InvalidInput(name() + ": checkpoint every must be >= 0 (0 = never)");
  if (s.checkpoint.every > 0 && !s.checkpoint.write)
    throw InvalidInput(name() + ": checkpoint every is set but no checkpoint writer is given");
  // OpenMP's thread count belongs to the calling thread: set here, it bounds this solve's
  // data kernels (and a concurrent solve on another thread keeps its own).
  s.apply_threads();
  const bool resuming = s.resume != nullptr;
  if (!resuming && (x0.size() != problem.dim_x() || y0.size() != problem.dim_y()))
    throw InvalidInput(name() + ": starting point has dimensions (" + std::to_string(x0.size()) +
                       ", " + std::to_string(y0.size()) + ") but problem '" + problem.name() +
                       "' has (" + std::to_string(problem.dim_x()) + ", " +
                       std::to_string(problem.dim_y()) + ")");

  // What a checkpoint of this run records and a resumed run must agree on. The resolved
  // options are known once the run has started.
  CheckpointIdentity identity;
  identity.algorithm = name();
  identity.problem = problem.name();
  identity.problem_options = option_texts(problem.option_values());
  identity.settings = {{"seed", std::to_string(s.seed)},
                       {"log_every", std::to_string(s.log_every)},
                       {"diagnostics", s.diagnostics ? "true" : "false"},
                       {"min_eig", s.min_eig ? "true" : "false"},
                       {"keep_trace", s.keep_trace ? "true" : "false"}};
  nlohmann::json resumed;
  if (resuming) {
    resumed = decode_checkpoint(*s.resume);
    check_identity(resumed, identity, s.resume->origin, false);
  }

  // A distributed run: every rank runs this solve on its shard, in lockstep.
  Comm& ranks = s.comm ? *s.comm : world_comm();
  const bool distributed = ranks.size() > 1;
  const Shard shard = problem.shard();
  if (distributed && !runs_distributed())
    throw InvalidInput(name() + " does not run on several ranks (this run has " +
                       std::to_string(ranks.size()) +
                       "): the distributed methods are dist-f2ba, f2ba, dist-aid and aggitd");
  if (!shard.whole() && shard.count != ranks.size())
    throw InvalidInput("problem '" + problem.name() + "' is split into " +
                       std::to_string(shard.count) + " shards but the run has " +
                       std::to_string(ranks.size()) + " ranks");
  if (shard.x_local && s.min_eig)
    throw InvalidInput("min_eig is not available when x is split over ranks (problem '" +
                       problem.name() + "' on " + std::to_string(shard.count) + " ranks)");
  // The exact diagnostics of a sharded problem are the whole problem's: they run on the mean
  // over ranks of a clone (uncounted, like every diagnostic).
  std::unique_ptr<Problem> diag_local;
  std::unique_ptr<RankMeanProblem> whole;
  if (!shard.whole()) {
    diag_local = problem.clone();
    whole = std::make_unique<RankMeanProblem>(*diag_local, ranks,
                                              RankMeanProblem::Counting::kUncounted);
  }
  const Problem& exact = whole ? static_cast<const Problem&>(*whole) : problem;

  Rng rng(s.seed);
  OracleCounts start_counts = problem.counts();
  Diagnostics diag(exact);
  // A second instance for the Hessian: its solves at x +- h v would otherwise move the warm
  // starts of the first, and the phi column would change in its last digits with min_eig.
  Diagnostics curvature(exact);

  Result res;
  res.algorithm = name();
  res.problem = problem.name();
  res.problem_options = problem.option_values();
  res.trace.metric_names = problem.metric_names();
  res.trace.has_min_eig = s.min_eig;
  Timings& time = res.timings;
  RunContext context;
  context.algo = name();
  context.comm = &ranks;

  // A sharded problem's "auto" options are resolved on the whole problem (its power
  // iterations averaged over ranks): the method's oracle calls and communication. A
  // distributed method counts the same rounds on one rank.
  std::unique_ptr<RankMeanProblem> resolve_on;
  if (!shard.whole() || runs_distributed())
    resolve_on =
        std::make_unique<RankMeanProblem>(problem, ranks, RankMeanProblem::Counting::kMethod);
  const CommCounts before_start = ranks.counts();
  std::unique_ptr<MethodRun> run;
  timed(&time.start_s, [&] {
    run = start(resolve_on ? *resolve_on : problem,
                resuming ? problem.initial_x() : x0, resuming ? problem.initial_y() : y0, rng,
                context, &res.options);
  });
  identity.options = option_texts(res.options);
  // A distributed method's communication, counted from the start like the oracle calls.
  const Comm* comm = run->comm();
  res.trace.has_comm = comm != nullptr;
  CommCounts start_comm =
      comm == &ranks ? before_start : (comm ? comm->counts() : CommCounts{});
  auto comm_so_far = [&] { return comm ? comm->counts() - start_comm : CommCounts{}; };

  Index k = 0;  // iterations done
  // Everything of the run that changes from one iteration to the next, besides the
  // callbacks' own state: what a checkpoint saves and a resumed run restores.
  auto visit_run = [&](StateArchive& a) {
    OracleCounts so_far = problem.counts() - start_counts;
    CommCounts comm_done = comm_so_far();
    a("iteration", k)("rng", rng)("counts", so_far)("comm", comm_done)("timings", time);
    a("warnings", context.warnings)("records", res.trace.records);
    a("diagnostics", diag)("curvature", curvature)("method", *run)("problem", problem);
    if (a.loading()) {
      start_counts = problem.counts() - so_far;
      if (comm) start_comm = comm->counts() - comm_done;
    }
  };
  auto checkpoint = [&] {
    StateArchive a;
    visit_run(a);
    Checkpoint c = encode_checkpoint(identity, saved_state(a));
    timed(&time.callbacks_s, [&] { s.checkpoint.write(c); });
  };
  if (resuming) {
    check_identity(resumed, identity, s.resume->origin, true);
    StateArchive a = loading_archive(std::move(resumed["state"]));
    visit_run(a);
    if (res.trace.records.empty() || k < 1)
      throw InvalidInput("checkpoint '" + s.resume->origin + "' holds no iteration to resume from");
  } else if (s.checkpoint.write) {
    StateArchive probe;  // a method that cannot be checkpointed says so before the run
    visit_run(probe);
  }

  auto make_record = [&](Index iter, bool known) {
    IterRecord r;
    r.iter = iter;
    r.time_s = time.start_s + time.steps_s;
    r.counts = problem.counts() - start_counts;
    r.comm = comm_so_far();
    const Vec& x = run->x();
    const Vec& y = run->y();
    const bool finite = known && x.allFinite() && y.allFinite();
    timed(&time.diagnostics_s, [&] {
      if (s.diagnostics && finite) {
        r.phi = diag.phi(x);
        r.hypergrad_norm = diag.hypergradient(x).norm();
        // x split with the samples: each rank holds its block of grad phi.
        if (shard.x_local) {
          double squares = r.hypergrad_norm * r.hypergrad_norm;
          ranks.uncounted_sum({&squares, 1});
          r.hypergrad_norm = std::sqrt(squares);
        }
        if (s.min_eig) r.min_eig = curvature.min_eig_phi(x).value;
      } else {
        r.phi = r.hypergrad_norm = kNaN;
      }
      r.metrics =
          finite ? problem.metrics(x, y) : std::vector<double>(res.trace.metric_names.size(), kNaN);
      // A shard's metrics are its share of the whole problem's: their mean over ranks.
      if (!shard.whole() && !r.metrics.empty()) ranks.uncounted_mean(r.metrics);
    });
    return r;
  };

  // Keeps the record and shows it to the callbacks; returns what they ask for.
  auto append = [&](IterRecord r) {
    // The first record stays: the blow-up test below compares against it.
    if (!s.keep_trace && res.trace.records.size() >= 2) res.trace.records.back() = std::move(r);
    else res.trace.records.push_back(std::move(r));
    const IterRecord& rec = res.trace.records.back();
    Action action = Action::kContinue;
    timed(&time.callbacks_s, [&] {
      for (const auto& cb : s.callbacks) action = std::max(action, cb(rec, run->x(), run->y()));
    });
    return action;
  };

  // Returns true if the run must stop, with res.status / res.message set. Every record is
  // shown to the callbacks, the one that ends the run included; when several reasons to stop
  // meet at one record, divergence wins over convergence, which wins over a callback's stop
  // (an abort wins over everything: the caller declared the iterate unusable).
  auto log_and_check = [&](Index iter) {
    const Action action = append(make_record(iter, true));
    const IterRecord& rec = res.trace.records.back();
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

  // Why the caller wants the run to end, if it does.
  // In a distributed run every rank must stop at the same iteration: a request seen by any
  // rank (a signal, a cancel, its clock past the time limit) stops all of them. The ranks
  // agree once per iteration, in one uncounted sum of the three flags.
  bool any_over_time = false;
  auto requested_stop = [&](bool over_time = false) -> std::optional<Status> {
    bool interrupted = s.interrupt && s.interrupt->load(std::memory_order_relaxed);
    bool cancelled = s.cancel && s.cancel->load(std::memory_order_relaxed);
    any_over_time = over_time;
    if (distributed) {
      constexpr Index kCancel = Index{1} << 20, kInterrupt = Index{1} << 40;
      const Index flags = ranks.sum_over_ranks((interrupted ? kInterrupt : 0) +
                                               (cancelled ? kCancel : 0) + (over_time ? 1 : 0));
      interrupted = flags >= kInterrupt;
      cancelled = flags % kInterrupt >= kCancel;
      any_over_time = flags % kCancel > 0;
    }
    if (interrupted) return Status::kInterrupted;
    if (cancelled) return Status::kUserStop;
    return std::nullopt;
  };
  auto stop_as_requested = [&](Status why) {
    res.status = why;
    res.message = why == Status::kInterrupted ? "interrupted: the run was interrupted"
                                              : "stopped: the run was cancelled";
  };

  bool stop = false;
  if (!resuming) {
    stop = log_and_check(0);
    if (const auto why = requested_stop(); !stop && why) {
      stop_as_requested(*why);
      stop = true;
    }
  }
  // A resumed run starts where the checkpoint was taken: after a step, before its record.
  bool step_pending = !resuming;
  while (!stop) {
    std::optional<Status> requested;
    if (step_pending) {
      try {
        timed(&time.steps_s, [&] { run->step(problem, rng, k); });
      } catch (const NonFiniteOracle& e) {
        // The iterate may be half-updated: the record says nothing but the cost so far.
        ++k;
        append(make_record(k, false));
        res.status = Status::kDiverged;
        res.message = "diverged at iteration " + std::to_string(k) + ": " + e.what() +
                      " (try smaller step sizes)";
        break;
      }
      ++k;
      requested = requested_stop(s.stopping.time_limit_s > 0 &&
                                 time.start_s + time.steps_s >= s.stopping.time_limit_s);
      const bool periodic = s.checkpoint.every > 0 && k % s.checkpoint.every == 0;
      if (s.checkpoint.write && (periodic || requested)) checkpoint();
    } else {
      requested = requested_stop(s.stopping.time_limit_s > 0 &&
                                 time.start_s + time.steps_s >= s.stopping.time_limit_s);
    }
    step_pending = true;
    const bool finite = run->x().allFinite() && run->y().allFinite();
    const bool last_iter = k >= s.stopping.max_iters;
    const bool over_budget =
        s.stopping.max_oracle_calls > 0 &&
        (problem.counts() - start_counts).total_calls() >= s.stopping.max_oracle_calls;
    const bool over_time = any_over_time;
    if (k % s.log_every == 0 || last_iter || over_budget || over_time || !finite || requested) {
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
    if (requested) {
      stop_as_requested(*requested);
      break;
    }
  }

  res.iters = k;
  res.x = run->x();
  res.y = run->y();
  res.time_s = time.start_s + time.steps_s;
  res.counts = problem.counts() - start_counts;
  res.comm = comm_so_far();
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
