// The shared run loop (Algorithm::solve), tested with a test-only algorithm so that stopping
// rules, trace logging, timing, counting, callbacks and validation are checked independently
// of any real method; F2BA is used where a real method's oracle pattern matters.
#include "bilevel/core/algorithm.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/algorithms/pf2ba.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/problems/saddle.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

// A test-only method. Each step makes exactly `g_grads` full gradient calls of g (and
// `f_values` value calls of f), optionally sleeps, and, when eta > 0, takes the exact
// gradient step x <- x - eta grad phi(x) through the problem's (uncounted) closed form,
// keeping y = y*(x). Its run records the k of every step; it can warn when a run starts or in
// a step, and counts the runs started (shared by every copy of its options).
struct ProbeOptions {
  double eta = 0;
  Index g_grads = 1;
  Index f_values = 0;
  double sleep_s = 0;
  bool warn_in_init = false;
  bool warn_in_step = false;
  std::shared_ptr<int> starts = std::make_shared<int>(0);  // not an option: a counter

  void declare(OptionList& o) {
    o.add("eta", eta, "exact gradient step on phi (0 = x stays put)", Constraint::non_negative())
        .add("g_grads", g_grads, "g gradients per step", Constraint::non_negative());
  }
};

class ProbeRun : public MethodRun {
 public:
  ProbeRun(const ProbeOptions& o, Problem&, const Vec& x0, const Vec& y0, Rng&,
           RunContext& context)
      : o_(o), x_(x0), y_(y0), context_(&context) {
    ++*o_.starts;
    if (o_.warn_in_init) context.warn("probe: warning from init");
  }
  void step(Problem& p, Rng& /*rng*/, Index k) override {
    steps_.push_back(k);
    Vec gy;
    for (Index i = 0; i < o_.g_grads; ++i) p.grad(Fn::kG, x_, y_, {}, nullptr, &gy);
    for (Index i = 0; i < o_.f_values; ++i) p.value(Fn::kF, x_, y_);
    if (o_.sleep_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(o_.sleep_s));
    if (o_.eta > 0) {
      Vec g;
      if (!p.closed_form_hypergradient(x_, &g)) throw std::logic_error("probe needs closed forms");
      x_ -= o_.eta * g;
      p.closed_form_solution(x_, 0.0, &y_);
    }
    if (o_.warn_in_step && k == 0) context_->warn("probe: warning from step 0");
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }
  const std::vector<Index>& steps_seen() const { return steps_; }

 private:
  ProbeOptions o_;
  Vec x_, y_;
  std::vector<Index> steps_;
  RunContext* context_;
};

class Probe : public Method<Probe, ProbeOptions, ProbeRun> {
 public:
  static constexpr const char* kName = "probe";
  static constexpr const char* kDescription = "test-only run-loop probe";
  using Method::Method;
  int inits() const { return *options().starts; }
};

// The steps a probe run took.
const std::vector<Index>& steps_seen(const Result& r) {
  return testing::state_of<Probe>(r).steps_seen();
}

RunSettings settings(Index max_iters, Index log_every = 1, bool diagnostics = true) {
  RunSettings s;
  s.stopping.max_iters = max_iters;
  s.log_every = log_every;
  s.diagnostics = diagnostics;
  return s;
}

std::vector<Index> record_iters(const Result& r) {
  std::vector<Index> out;
  for (const auto& rec : r.trace.records) out.push_back(rec.iter);
  return out;
}

Result run(const Algorithm& a, Problem& p, const RunSettings& s) {
  return a.solve(p, s);
}

std::string invalid_options_message(const Algorithm& a, Problem& p, const RunSettings& s) {
  try {
    run(a, p, s);
  } catch (const InvalidOptions& e) {
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// Iteration limit and the logging schedule

TEST(RunLoop, StopsAtTheIterationLimitAfterExactlyMaxItersSteps) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  const Result r = run(a, q, settings(10, 4));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_EQ(r.iters, 10);
  EXPECT_EQ(steps_seen(r), (std::vector<Index>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(r.counts.g.grad, 10);
  EXPECT_FALSE(r.message.empty());
}

TEST(RunLoop, LogsTheStartEveryLogEveryIterationsAndTheLastIteration) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  EXPECT_EQ(record_iters(run(a, q, settings(10, 4))), (std::vector<Index>{0, 4, 8, 10}));
  // The last iteration is not logged twice when it falls on the schedule.
  EXPECT_EQ(record_iters(run(a, q, settings(8, 4))), (std::vector<Index>{0, 4, 8}));
  EXPECT_EQ(record_iters(run(a, q, settings(3, 1))), (std::vector<Index>{0, 1, 2, 3}));
  // A logging interval longer than the run logs only the start and the end.
  EXPECT_EQ(record_iters(run(a, q, settings(5, 100))), (std::vector<Index>{0, 5}));
}

TEST(RunLoop, ResultSummarizesTheLastRecordAndTheFinalIterate) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 0.1;
  Probe a(o);
  const Result r = run(a, q, settings(7, 3));
  ASSERT_FALSE(r.trace.records.empty());
  const IterRecord& last = r.trace.records.back();
  EXPECT_EQ(last.iter, r.iters);
  EXPECT_EQ(r.phi, last.phi);
  EXPECT_EQ(r.hypergrad_norm, last.hypergrad_norm);
  EXPECT_EQ(r.counts, last.counts);
  EXPECT_EQ(r.time_s, last.time_s);
  EXPECT_EQ(r.x.size(), q.dim_x());
  EXPECT_EQ(r.y.size(), q.dim_y());
  EXPECT_NE(r.x, q.initial_x());  // the probe moved x: Result holds the final iterate
}

// ---------------------------------------------------------------------------------------
// Oracle budget

TEST(RunLoop, StopsOnTheFirstStepAtWhichTheOracleBudgetIsExceeded) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.g_grads = 3;  // 3 calls per step: 3, 6, 9, 12 >= 10 at step 4
  Probe a(o);
  RunSettings s = settings(100);
  s.stopping.max_oracle_calls = 10;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kOracleBudget);
  EXPECT_EQ(r.iters, 4);
  EXPECT_EQ(r.trace.records.back().iter, 4);
  EXPECT_GE(r.counts.total_calls(), 10);
  EXPECT_LT(r.counts.total_calls(), 10 + 3);
}

TEST(RunLoop, StopsOnTheStepThatReachesTheOracleBudgetExactly) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.g_grads = 2;
  o.f_values = 1;  // 3 calls of two kinds per step: the budget is on total_calls()
  Probe a(o);
  RunSettings s = settings(100, 50);
  s.stopping.max_oracle_calls = 9;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kOracleBudget);
  EXPECT_EQ(r.iters, 3);
  EXPECT_EQ(r.counts.total_calls(), 9);
  // A budget stop is logged even off the logging schedule.
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0, 3}));
}

TEST(RunLoop, OracleCallsMadeBeforeTheRunDoNotCountAgainstTheBudget) {
  Quadratic q(testing::small_quadratic());
  const Vec x = q.initial_x(), y = q.initial_y();
  for (int i = 0; i < 50; ++i) q.value(Fn::kF, x, y);  // far more than the budget
  ProbeOptions o;
  o.g_grads = 3;
  Probe a(o);
  RunSettings s = settings(100);
  s.stopping.max_oracle_calls = 10;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kOracleBudget);
  EXPECT_EQ(r.iters, 4);
}

TEST(RunLoop, ZeroBudgetMeansNoBudget) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.g_grads = 5;
  Probe a(o);
  RunSettings s = settings(20, 5);
  s.stopping.max_oracle_calls = 0;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_EQ(r.counts.total_calls(), 100);
}

// ---------------------------------------------------------------------------------------
// Time limit and timing

TEST(RunLoop, StopsAtTheTimeLimitAfterTheStepThatCrossesIt) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  // 0.1, 0.2 < 0.25 <= 0.3: the third step crosses the limit. The margins are wide (a step
  // may oversleep by 25 ms on a loaded machine before the second one crosses it).
  o.sleep_s = 0.1;
  Probe a(o);
  RunSettings s = settings(1000, 100);
  s.stopping.time_limit_s = 0.25;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kTimeLimit);
  EXPECT_EQ(r.iters, 3);
  EXPECT_GE(r.time_s, 0.25);
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0, 3}));  // logged off the schedule
}

TEST(RunLoop, RecordTimesAreNondecreasingAndEndAtTheResultTime) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.sleep_s = 0.002;
  Probe a(o);
  const Result r = run(a, q, settings(12, 2));
  ASSERT_EQ(r.trace.records.size(), 7u);
  for (std::size_t i = 1; i < r.trace.records.size(); ++i)
    EXPECT_LE(r.trace.records[i - 1].time_s, r.trace.records[i].time_s) << "record " << i;
  EXPECT_GE(r.trace.records.front().time_s, 0.0);
  EXPECT_GE(r.time_s, 12 * 0.002);  // the sleeping steps are algorithm time
  EXPECT_EQ(r.time_s, r.trace.records.back().time_s);
}

// The quadratic problem whose exact hypergradient and Hess phi (used only by Diagnostics
// here) are slow.
class QuadraticWithSlowDiagnostics : public Quadratic {
 public:
  using Quadratic::Quadratic;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return Quadratic::closed_form_hypergradient(x, g);
  }
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override {
    ++hessian_calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return Quadratic::closed_form_hessian_phi(x, h);
  }
  mutable std::atomic<int> calls{0}, hessian_calls{0};
};

TEST(RunLoop, TimeExcludesDiagnostics) {
  QuadraticWithSlowDiagnostics q(testing::small_quadratic());
  Probe a;  // eta = 0: the steps never call the slow closed form
  const Result r = run(a, q, settings(5));
  ASSERT_EQ(r.trace.records.size(), 6u);
  ASSERT_GE(q.calls.load(), 6);  // the diagnostics took >= 60 ms in total
  EXPECT_LT(r.time_s, 0.03);
  EXPECT_LT(r.trace.records.back().time_s, 0.03);
}

TEST(RunLoop, TimeLimitIsNotSpentOnDiagnostics) {
  QuadraticWithSlowDiagnostics q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(20);
  s.stopping.time_limit_s = 0.05;  // 21 records x 10 ms of diagnostics would exceed it
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_EQ(r.iters, 20);
}

// ---------------------------------------------------------------------------------------
// Convergence on the exact hypergradient

TEST(RunLoop, ConvergesWhenTheExactHypergradientNormFallsBelowTol) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 1.0 / *q.constants().L_phi;
  Probe a(o);
  RunSettings s = settings(100000);
  const double start = run(a, q, settings(1)).trace.records.front().hypergrad_norm;
  ASSERT_GT(start, 0.0);
  s.stopping.tol = 1e-3 * start;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kConverged);
  EXPECT_GT(r.iters, 5);  // a real descent, not a stop at the start
  EXPECT_LT(r.iters, 100000);
  EXPECT_LE(r.hypergrad_norm, s.stopping.tol);
  EXPECT_EQ(r.iters, r.trace.records.back().iter);
  // The first record below tol is the last one.
  const auto& recs = r.trace.records;
  for (std::size_t i = 0; i + 1 < recs.size(); ++i)
    EXPECT_GT(recs[i].hypergrad_norm, s.stopping.tol) << "record " << i;
  EXPECT_LE(recs.back().hypergrad_norm, s.stopping.tol);
}

// keep_trace = false keeps the first and the latest record only; the run itself (its stop at
// tol, its result, what callbacks see) is that of a full trace.
TEST(RunLoop, WithoutKeepTraceOnlyTheFirstAndLatestRecordsStay) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 1.0 / *q.constants().L_phi;
  Probe full_probe(o), short_probe(o);
  RunSettings s = settings(100000);
  s.stopping.tol = 1e-3 * run(full_probe, q, settings(1)).trace.records.front().hypergrad_norm;
  const Result full = run(full_probe, q, s);
  ASSERT_EQ(full.status, Status::kConverged);
  ASSERT_GT(full.trace.records.size(), 5u);
  Index seen = 0;
  s.keep_trace = false;
  s.callbacks.push_back([&](const IterRecord& r, const Vec&, const Vec&) {
    EXPECT_EQ(r.iter, full.trace.records[static_cast<std::size_t>(seen)].iter);
    ++seen;
    return Action::kContinue;
  });
  const Result part = run(short_probe, q, s);
  EXPECT_EQ(part.status, Status::kConverged);
  EXPECT_EQ(part.iters, full.iters);
  EXPECT_EQ(part.hypergrad_norm, full.hypergrad_norm);
  EXPECT_EQ(part.x, full.x);
  EXPECT_EQ(static_cast<std::size_t>(seen), full.trace.records.size());
  ASSERT_EQ(part.trace.records.size(), 2u);
  EXPECT_EQ(part.trace.records.front().iter, 0);
  EXPECT_EQ(part.trace.records.back().iter, full.trace.records.back().iter);
  EXPECT_EQ(part.trace.records.back().counts, full.trace.records.back().counts);
}

TEST(RunLoop, ConvergenceIsCheckedOnlyAtLoggedIterations) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 1.0 / *q.constants().L_phi;
  Probe a(o);
  RunSettings s = settings(100000, 7);
  s.stopping.tol = 1e-3 * run(a, q, settings(1)).trace.records.front().hypergrad_norm;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kConverged);
  EXPECT_EQ(r.iters % 7, 0);
  EXPECT_EQ(r.iters, r.trace.records.back().iter);
}

TEST(RunLoop, ZeroTolNeverConverges) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 1.0 / *q.constants().L_phi;
  Probe a(o);
  const Result r = run(a, q, settings(200, 50));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_EQ(r.iters, 200);
}

TEST(RunLoop, AStartingPointBelowTolConvergesWithoutAStep) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(10);
  s.stopping.tol = 1e100;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kConverged);
  EXPECT_EQ(r.iters, 0);
  EXPECT_TRUE(steps_seen(r).empty());
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0}));
}

// ---------------------------------------------------------------------------------------
// Callbacks

TEST(RunLoop, CallbackReturningStopEndsTheRunWithUserStop) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(100);
  s.callbacks.push_back(
      [](const IterRecord& rec, const Vec&, const Vec&) { return rec.iter == 3 ? Action::kStop : Action::kContinue; });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserStop);
  EXPECT_EQ(r.iters, 3);
  EXPECT_EQ(steps_seen(r).size(), 3u);
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0, 1, 2, 3}));
}

// The record that ends the run is shown to the callbacks too; a callback asking to stop at the
// record that also meets tol does not hide the convergence.
TEST(RunLoop, CallbacksSeeTheRecordThatMeetsTolAndConvergenceWinsOverTheirStop) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(10);
  s.stopping.tol = 1e100;  // met at the start
  Index seen = 0;
  s.callbacks.push_back([&](const IterRecord&, const Vec&, const Vec&) {
    ++seen;
    return Action::kStop;
  });
  const Result r = run(a, q, s);
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(r.status, Status::kConverged);
}

TEST(RunLoop, EveryCallbackSeesEveryLoggedRecordInOrder) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  std::vector<IterRecord> first, second;
  RunSettings s = settings(7, 2);
  s.callbacks.push_back([&](const IterRecord& rec, const Vec&, const Vec&) {
    first.push_back(rec);
    return Action::kContinue;
  });
  s.callbacks.push_back([&](const IterRecord& rec, const Vec&, const Vec&) {
    second.push_back(rec);
    return Action::kContinue;
  });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kMaxIterations);
  ASSERT_EQ(first.size(), r.trace.records.size());
  ASSERT_EQ(second.size(), r.trace.records.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].iter, r.trace.records[i].iter);
    EXPECT_EQ(first[i].counts, r.trace.records[i].counts);
    EXPECT_EQ(first[i].hypergrad_norm, r.trace.records[i].hypergrad_norm);
    EXPECT_EQ(second[i].iter, r.trace.records[i].iter);
  }
  std::vector<Index> seen;
  for (const auto& rec : first) seen.push_back(rec.iter);
  EXPECT_EQ(seen, (std::vector<Index>{0, 2, 4, 6, 7}));
}

TEST(RunLoop, CallbackCanStopAtTheStartingPoint) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(100);
  s.callbacks.push_back([](const IterRecord&, const Vec&, const Vec&) { return Action::kStop; });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserStop);
  EXPECT_EQ(r.iters, 0);
  EXPECT_TRUE(steps_seen(r).empty());
  EXPECT_EQ(r.counts.total_calls(), 0);
}

TEST(RunLoop, CallbackAbortEndsTheRunWithUserAbortAndAnUnusableResult) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(100);
  s.callbacks.push_back([](const IterRecord& rec, const Vec&, const Vec&) {
    return rec.iter == 3 ? Action::kAbort : Action::kContinue;
  });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserAbort);
  EXPECT_EQ(r.iters, 3);
  EXPECT_FALSE(r.usable());
  EXPECT_NE(r.message.find("aborted"), std::string::npos) << r.message;
  EXPECT_STREQ(to_string(r.status), "user_abort");
}

TEST(RunLoop, AnAbortWinsOverConvergenceAndOverAnotherCallbacksStop) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(10);
  s.stopping.tol = 1e100;  // met at the start
  s.callbacks.push_back([](const IterRecord&, const Vec&, const Vec&) { return Action::kStop; });
  s.callbacks.push_back([](const IterRecord&, const Vec&, const Vec&) { return Action::kAbort; });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserAbort);
  EXPECT_EQ(r.iters, 0);
}

TEST(RunLoop, CallbacksSeeTheIterateOfTheirRecord) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = 0.5;  // x moves every step
  RunSettings s = settings(4);
  std::vector<Vec> xs, ys;
  s.callbacks.push_back([&](const IterRecord&, const Vec& x, const Vec& y) {
    xs.push_back(x);
    ys.push_back(y);
    return Action::kContinue;
  });
  const Result r = run(Probe(o), q, s);
  ASSERT_EQ(xs.size(), 5u);
  EXPECT_EQ(xs.front(), q.initial_x());
  EXPECT_EQ(xs.back(), r.x);
  EXPECT_EQ(ys.back(), r.y);
  EXPECT_NE(xs[1], xs[0]);
}

TEST(RunLoop, ACancelFlagSetBeforeTheRunStopsItBeforeAnyStep) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  std::atomic<bool> cancel{true};
  RunSettings s = settings(100);
  s.cancel = &cancel;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserStop);
  EXPECT_EQ(r.iters, 0);
  EXPECT_TRUE(steps_seen(r).empty());
  EXPECT_EQ(r.counts.total_calls(), 0);
  EXPECT_NE(r.message.find("cancelled"), std::string::npos) << r.message;
  EXPECT_TRUE(r.usable());
}

TEST(RunLoop, ACancelFlagSetDuringTheRunStopsItAfterTheStepUnderWayAndLogsIt) {
  // The flag is what a signal handler or another thread sets; here a callback sets it at
  // record 4 (records every 2 iterations): the run takes one more step, logs it and stops.
  Quadratic q(testing::small_quadratic());
  Probe a;
  std::atomic<bool> cancel{false};
  RunSettings s = settings(100, 2);
  s.cancel = &cancel;
  s.callbacks.push_back([&](const IterRecord& rec, const Vec&, const Vec&) {
    if (rec.iter == 4) cancel = true;
    return Action::kContinue;
  });
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kUserStop);
  EXPECT_EQ(r.iters, 5);
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0, 2, 4, 5}));
}

TEST(RunLoop, FullReportNamesTheRunItsOptionsCountsTimesAndCounters) {
  Saddle s;
  const Result r = Pf2ba().solve(s, settings(20));
  const std::string report = r.full_report();
  for (const char* part :
       {"method", "pf2ba", "problem", "saddle", "termination", "max_iterations",
        "Options (resolved)", "T_pert", "Problem options", "coupling", "Oracle calls", "grad",
        "samples", "Time (seconds)", "diagnostics", "||grad phi||", "Method counters",
        "perturbations"})
    EXPECT_NE(report.find(part), std::string::npos) << part << "\n" << report;
  EXPECT_NE(r.brief_report().find("max_iterations after 20 iterations"), std::string::npos);
  ASSERT_FALSE(r.method_counters.empty());
  EXPECT_EQ(r.method_counters[0].first, "perturbations");
}

// ---------------------------------------------------------------------------------------
// Counts

TEST(RunLoop, RecordCountsAreCumulativeForThisRunOnly) {
  Quadratic q(testing::small_quadratic());
  const Vec x = q.initial_x(), y = q.initial_y();
  Vec gx, gy;
  for (int i = 0; i < 5; ++i) q.grad(Fn::kF, x, y, {}, &gx, &gy);
  q.value(Fn::kG, x, y);
  q.value(Fn::kG, x, y);
  const OracleCounts before = q.counts();
  ASSERT_EQ(before.total_calls(), 7);

  ProbeOptions o;
  o.g_grads = 2;
  o.f_values = 1;
  Probe a(o);
  const Result r = run(a, q, settings(6, 2));
  for (const auto& rec : r.trace.records) {
    OracleCounts expected;
    expected.g.grad = 2 * rec.iter;
    expected.g.samples = 2 * rec.iter * q.num_samples(Fn::kG);
    expected.f.value = rec.iter;
    expected.f.samples = rec.iter * q.num_samples(Fn::kF);
    EXPECT_EQ(rec.counts, expected) << "iter " << rec.iter;
  }
  EXPECT_EQ(r.counts, r.trace.records.back().counts);
  // The problem's own counter keeps everything; the run reports only its part.
  EXPECT_EQ(q.counts() - before, r.counts);
}

TEST(RunLoop, F2baRecordCountsExcludeCallsMadeBeforeTheRun) {
  testing::QuadraticWithoutClosedForms q(testing::small_quadratic());
  const Vec x = q.initial_x(), y = q.initial_y();
  Vec gy;
  for (int i = 0; i < 4; ++i) q.grad(Fn::kG, x, y, {}, nullptr, &gy);
  q.hyy(Fn::kG, x, y, y, {}, &gy);
  F2baOptions o;
  o.penalty.K = 3;
  F2ba a(o);
  const Result r = run(a, q, settings(5, 2));
  EXPECT_EQ(record_iters(r), (std::vector<Index>{0, 2, 4, 5}));
  for (const auto& rec : r.trace.records) {
    EXPECT_EQ(rec.counts.f.grad, rec.iter * (o.penalty.K + 1)) << "iter " << rec.iter;
    EXPECT_EQ(rec.counts.g.grad, rec.iter * (2 * o.penalty.K + 2)) << "iter " << rec.iter;
    EXPECT_EQ(rec.counts.hvp_calls(), 0) << "iter " << rec.iter;  // diagnostics uncounted
  }
  EXPECT_EQ(r.counts, r.trace.records.back().counts);
}

TEST(RunLoop, TwoRunsOnOneProblemEachCountOnlyTheirOwnCalls) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.g_grads = 4;
  Probe a(o);
  const Result first = run(a, q, settings(3));
  const Result second = run(a, q, settings(5));
  EXPECT_EQ(first.counts.g.grad, 12);
  EXPECT_EQ(second.counts.g.grad, 20);
  EXPECT_EQ(second.trace.records.front().counts, OracleCounts{});
  EXPECT_EQ(q.counts().g.grad, 32);
}

// ---------------------------------------------------------------------------------------
// Diagnostics switch

TEST(RunLoop, WithoutDiagnosticsPhiAndHypergradNormAreNaN) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  const Result r = run(a, q, settings(4, 1, /*diagnostics=*/false));
  ASSERT_EQ(r.trace.records.size(), 5u);
  for (const auto& rec : r.trace.records) {
    EXPECT_TRUE(std::isnan(rec.phi)) << "iter " << rec.iter;
    EXPECT_TRUE(std::isnan(rec.hypergrad_norm)) << "iter " << rec.iter;
  }
  EXPECT_TRUE(std::isnan(r.phi));
  EXPECT_TRUE(std::isnan(r.hypergrad_norm));

  const Result with = run(a, q, settings(4, 1, /*diagnostics=*/true));
  for (const auto& rec : with.trace.records) {
    EXPECT_TRUE(std::isfinite(rec.phi)) << "iter " << rec.iter;
    EXPECT_TRUE(std::isfinite(rec.hypergrad_norm)) << "iter " << rec.iter;
  }
}

TEST(RunLoop, DiagnosticsChangeNeitherCountsNorIterates) {
  // Without closed forms Diagnostics runs Newton-CG on the problem: still never counted.
  testing::QuadraticWithoutClosedForms q_on(testing::small_quadratic()),
      q_off(testing::small_quadratic());
  F2baOptions o;
  o.penalty.K = 4;
  RunSettings on = settings(9, 2, true), off = settings(9, 2, false);
  on.seed = off.seed = 7;
  F2ba a_on(o), a_off(o);
  const Result r_on = run(a_on, q_on, on);
  const Result r_off = run(a_off, q_off, off);
  ASSERT_EQ(r_on.trace.records.size(), r_off.trace.records.size());
  for (std::size_t i = 0; i < r_on.trace.records.size(); ++i)
    EXPECT_EQ(r_on.trace.records[i].counts, r_off.trace.records[i].counts) << "record " << i;
  EXPECT_EQ(r_on.counts, r_off.counts);
  EXPECT_EQ(q_on.counts(), q_off.counts());
  EXPECT_EQ(r_on.x, r_off.x);
  EXPECT_TRUE(std::isfinite(r_on.phi));
  EXPECT_TRUE(std::isnan(r_off.phi));
}

TEST(RunLoop, WithoutDiagnosticsTolCannotStopTheRun) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(6, 1, /*diagnostics=*/false);
  s.stopping.tol = 1e100;
  const Result r = run(a, q, s);
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_EQ(r.iters, 6);
}

// ---------------------------------------------------------------------------------------
// Second-order diagnostics: lambda_min(Hess phi)

TEST(RunLoop, MinEigIsRecordedAtEveryRecordOnlyWhenAsked) {
  // The saddle's Hess phi changes with x_1, so every record has its own value.
  SaddleOptions so;
  so.dx = 3;
  Saddle p(so);
  ProbeOptions o;
  o.eta = 0.05;
  Probe a(o);
  const Vec x0 = Vec::Constant(so.dx, 0.2), y0 = so.coupling * x0;
  RunSettings s = settings(4);
  s.min_eig = true;
  const Result r = a.solve(p, x0, y0, s);
  ASSERT_EQ(r.trace.records.size(), 5u);
  EXPECT_TRUE(r.trace.has_min_eig);
  for (Index k = 0; k <= 4; ++k) {
    // The iterate of record k is the final x of a k-step run (k = 0: the start).
    Probe replay(o);
    RunSettings upto = settings(std::max<Index>(k, 1));
    const Vec xk = k == 0 ? x0 : replay.solve(p, x0, y0, upto).x;
    const double expected = Diagnostics(p).min_eig_phi(xk).value;
    EXPECT_EQ(r.trace.records[static_cast<std::size_t>(k)].min_eig, expected) << "record " << k;
  }
  EXPECT_NE(r.trace.records.front().min_eig, r.trace.records.back().min_eig);
  EXPECT_EQ(r.min_eig, r.trace.records.back().min_eig);

  const Result off = a.solve(p, x0, y0, settings(4));
  EXPECT_FALSE(off.trace.has_min_eig);
  for (const auto& rec : off.trace.records) EXPECT_TRUE(std::isnan(rec.min_eig));
  EXPECT_TRUE(std::isnan(off.min_eig));
}

TEST(RunLoop, MinEigChangesNeitherCountsNorIteratesNorTheOtherColumns) {
  // Without closed forms the Hessian is differenced from Newton-CG solves: never counted, and
  // its solves do not disturb the warm starts behind the phi column (bit-identical).
  testing::QuadraticWithoutClosedForms q_on(testing::small_quadratic()),
      q_off(testing::small_quadratic());
  F2baOptions o;
  o.penalty.K = 4;
  RunSettings on = settings(6, 2), off = settings(6, 2);
  on.min_eig = true;
  on.seed = off.seed = 3;
  F2ba a_on(o), a_off(o);
  const Result r_on = run(a_on, q_on, on);
  const Result r_off = run(a_off, q_off, off);
  testing::expect_identical_traces(r_on.trace, r_off.trace);
  EXPECT_EQ(q_on.counts(), q_off.counts());
  EXPECT_EQ(r_on.x, r_off.x);
  for (const auto& rec : r_on.trace.records) EXPECT_TRUE(std::isfinite(rec.min_eig));
}

TEST(RunLoop, TimeExcludesMinEig) {
  QuadraticWithSlowDiagnostics q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(5);
  s.min_eig = true;
  const Result r = run(a, q, s);
  ASSERT_GE(q.hessian_calls.load(), 6);  // min_eig took >= 60 ms in total
  EXPECT_LT(r.time_s, 0.03);
}

TEST(RunLoop, MinEigWithoutDiagnosticsIsInvalid) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(5, 1, /*diagnostics=*/false);
  s.min_eig = true;
  const std::string m = invalid_options_message(a, q, s);
  EXPECT_NE(m.find("min_eig needs the diagnostics"), std::string::npos) << m;
  EXPECT_EQ(a.inits(), 0);
}

// ---------------------------------------------------------------------------------------
// Validation

TEST(RunLoop, InvalidSettingsThrowInvalidOptionsNamingTheSetting) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  auto message_for = [&](auto&& change) {
    RunSettings s = settings(5);
    change(s);
    return invalid_options_message(a, q, s);
  };
  const std::string iters = message_for([](RunSettings& s) { s.stopping.max_iters = 0; });
  EXPECT_NE(iters.find("max_iters"), std::string::npos) << iters;
  EXPECT_NE(iters.find("probe"), std::string::npos) << iters;
  const std::string neg_iters = message_for([](RunSettings& s) { s.stopping.max_iters = -3; });
  EXPECT_NE(neg_iters.find("max_iters"), std::string::npos) << neg_iters;
  const std::string log = message_for([](RunSettings& s) { s.log_every = 0; });
  EXPECT_NE(log.find("log_every"), std::string::npos) << log;
  const std::string tol = message_for([](RunSettings& s) { s.stopping.tol = -1e-6; });
  EXPECT_NE(tol.find("tol"), std::string::npos) << tol;
  const std::string time = message_for([](RunSettings& s) { s.stopping.time_limit_s = -1; });
  EXPECT_NE(time.find("time_limit"), std::string::npos) << time;
  const std::string budget =
      message_for([](RunSettings& s) { s.stopping.max_oracle_calls = -1; });
  EXPECT_NE(budget.find("max_oracle_calls"), std::string::npos) << budget;
  // Nothing ran.
  EXPECT_EQ(a.inits(), 0);
  EXPECT_EQ(q.counts().total_calls(), 0);
}

TEST(RunLoop, EveryInvalidSettingIsReportedAtOnce) {
  Quadratic q(testing::small_quadratic());
  Probe a;
  RunSettings s = settings(0, 0);
  s.stopping.tol = -1;
  const std::string m = invalid_options_message(a, q, s);
  EXPECT_NE(m.find("max_iters"), std::string::npos) << m;
  EXPECT_NE(m.find("log_every"), std::string::npos) << m;
  EXPECT_NE(m.find("tol"), std::string::npos) << m;
  EXPECT_NE(m.find("; "), std::string::npos) << m;
}

TEST(RunLoop, InvalidAlgorithmOptionsThrowBeforeRunning) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.eta = -1;
  Probe a(o);
  const std::string m = invalid_options_message(a, q, settings(5));
  EXPECT_NE(m.find("probe: eta must be >= 0"), std::string::npos) << m;
  EXPECT_EQ(a.inits(), 0);
}

TEST(RunLoop, StartingPointOfTheWrongDimensionThrowsInvalidInputWithBothDimensions) {
  Quadratic q(testing::small_quadratic());  // dx = 6, dy = 5
  Probe a;
  auto message_for = [&](const Vec& x0, const Vec& y0) -> std::string {
    try {
      a.solve(q, x0, y0, settings(3));
    } catch (const InvalidInput& e) {
      return e.what();
    }
    return "";
  };
  const std::string bad_x = message_for(Vec::Zero(3), Vec::Zero(5));
  EXPECT_NE(bad_x.find("(3, 5)"), std::string::npos) << bad_x;
  EXPECT_NE(bad_x.find("(6, 5)"), std::string::npos) << bad_x;
  EXPECT_NE(bad_x.find("quadratic"), std::string::npos) << bad_x;
  const std::string bad_y = message_for(Vec::Zero(6), Vec::Zero(2));
  EXPECT_NE(bad_y.find("(6, 2)"), std::string::npos) << bad_y;
  EXPECT_NE(bad_y.find("(6, 5)"), std::string::npos) << bad_y;
  EXPECT_EQ(a.inits(), 0);
  EXPECT_NO_THROW(a.solve(q, Vec::Zero(6), Vec::Zero(5), settings(1)));
}

// ---------------------------------------------------------------------------------------
// Warnings

TEST(RunLoop, WarningsAreClearedBetweenRunsOfOneAlgorithm) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.warn_in_init = true;
  Probe a(o);
  EXPECT_EQ(run(a, q, settings(2)).warnings.size(), 1u);
  EXPECT_EQ(run(a, q, settings(2)).warnings.size(), 1u);  // not accumulated
  o.warn_in_init = false;
  EXPECT_TRUE(run(Probe(o), q, settings(2)).warnings.empty());
}

TEST(RunLoop, F2baWarningsAreClearedBetweenRuns) {
  QuadraticOptions qo;
  qo.mu_f = -0.5;  // f nonconvex in y: the paper asks lam >= 20 here
  Quadratic q(qo);
  F2baOptions o;
  o.penalty.lam = 15;
  F2ba a(o);
  EXPECT_EQ(run(a, q, settings(1, 1, false)).warnings.size(), 1u);
  EXPECT_EQ(run(a, q, settings(1, 1, false)).warnings.size(), 1u);
  o.penalty.lam = 50;
  EXPECT_TRUE(run(F2ba(o), q, settings(1, 1, false)).warnings.empty());
}

// RunContext::warn records a warning for Result::warnings with no restriction to the start of
// a run; a warning raised inside step() must reach the Result too.
TEST(RunLoop, WarningsRaisedDuringAStepReachTheResult) {
  Quadratic q(testing::small_quadratic());
  ProbeOptions o;
  o.warn_in_step = true;
  Probe a(o);
  const Result r = run(a, q, settings(3));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "probe: warning from step 0");
}

// ---------------------------------------------------------------------------------------
// Options echo

TEST(RunLoop, ResultOptionsEchoTheAlgorithmsResolvedOptions) {
  Quadratic q(testing::small_quadratic());
  const auto a = Probe().with_options({{"eta", "0.25"}, {"g_grads", "2"}});
  const Result r = run(*a, q, settings(1));
  EXPECT_EQ(testing::options_text(r), (KeyValues{{"eta", "0.25"}, {"g_grads", "2"}}));
  EXPECT_EQ(r.counts.g.grad, 2);
}

}  // namespace
}  // namespace bilevel
