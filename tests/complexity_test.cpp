// The complexity lab (bilevel/complexity*.hpp): the sweep and option-expression parsers, the
// power-law fit, the table of reference exponents, and real sweeps on `quadratic` whose
// measured growth is known.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/lab/complexity.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/io/complexity_output.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

// --- sweep specs ---------------------------------------------------------------------------

TEST(ComplexitySweepTest, ParsesAListInTheOrderGiven) {
  const ComplexitySweep s = parse_complexity_sweep("kappa=10,1,100");
  EXPECT_EQ(s.key, "kappa");
  EXPECT_EQ(s.values, (std::vector<double>{10, 1, 100}));
}

TEST(ComplexitySweepTest, RangeGivesNLogSpacedValuesExactlyAtTheDecades) {
  EXPECT_EQ(parse_complexity_sweep("eps=0.1:0.001:3").values,
            (std::vector<double>{0.1, 0.01, 0.001}));
  const auto five = parse_complexity_sweep("kappa=1:100:5").values;
  ASSERT_EQ(five.size(), 5u);
  EXPECT_EQ(five[0], 1);
  EXPECT_NEAR(five[1], std::sqrt(10.0), 1e-13);
  EXPECT_EQ(five[2], 10);
  EXPECT_NEAR(five[3], std::sqrt(1000.0), 1e-12);
  EXPECT_EQ(five[4], 100);
  const auto two = parse_complexity_sweep("mu=2:8:2").values;
  EXPECT_EQ(two, (std::vector<double>{2, 8}));
}

TEST(ComplexitySweepTest, RejectsMalformedSpecsWithTheAcceptedForms) {
  for (const char* bad :
       {"eps", "=0.1", "eps=", "eps=0.1,,0.01", "eps=0,0.1", "eps=-1", "eps=abc", "eps=1:1:3",
        "eps=1:10:1", "eps=1:10:2.5", "eps=1:10", "eps=1:10:3:4", "eps=1,2:3", "eps=0.1,0.1",
        "eps=0:1:3", "eps=inf", "1x=2", "eps=1:10:1e9"}) {
    try {
      parse_complexity_sweep(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InvalidInput& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(bad), std::string::npos) << m;
      EXPECT_NE(m.find("KEY=lo:hi:N"), std::string::npos) << m;
    }
  }
}

TEST(ComplexitySweepTest, AccuracyKeysAreEpsAndTol) {
  EXPECT_TRUE(is_accuracy_key("eps"));
  EXPECT_TRUE(is_accuracy_key("tol"));
  EXPECT_FALSE(is_accuracy_key("kappa"));
  EXPECT_FALSE(is_accuracy_key("epsilon"));
}

// --- option expressions --------------------------------------------------------------------

TEST(ComplexityExpressionTest, EvaluatesEveryFormAtTheSweptValue) {
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("10/eps", "eps", 0.01), 1000);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("3/eps^2", "eps", 0.1), 300);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("0.5*kappa^2", "kappa", 10), 50);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("2*eps", "eps", 0.25), 0.5);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("eps^-0.5", "eps", 0.04), 5);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("1e-3*kappa^1.5", "kappa", 100), 1);
  EXPECT_DOUBLE_EQ(*evaluate_option_expression("eps", "eps", 0.3), 0.3);
}

TEST(ComplexityExpressionTest, PlainValuesPassThrough) {
  for (const char* plain : {"auto", "gd", "1e-3", "100", "-2", "epsilon", "kappa"})
    EXPECT_FALSE(evaluate_option_expression(plain, "eps", 0.1).has_value()) << plain;
}

TEST(ComplexityExpressionTest, RejectsMalformedExpressionsAndOtherVariables) {
  for (const char* bad : {"10/kappa", "x/eps", "10/eps^", "10//eps", "10*", "/eps", "eps^a",
                          "10/eps^2^3", "2*3", "1/eps^400"}) {
    try {
      evaluate_option_expression(bad, "eps", 1e-3);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  try {
    evaluate_option_expression("10/kappa", "eps", 0.1);
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("sweep varies 'eps'"), std::string::npos) << e.what();
  }
}

TEST(ComplexityExpressionTest, OptionsAtReplacesOnlyExpressions) {
  const KeyValues in = {{"lam", "10/eps"}, {"K", "10"}, {"inner", "gd"}, {"eta", "auto"}};
  const KeyValues out = options_at(in, "eps", 0.01);
  EXPECT_EQ(out, (KeyValues{{"lam", "1000"}, {"K", "10"}, {"inner", "gd"}, {"eta", "auto"}}));
  try {
    options_at({{"lam", "10/kappa"}}, "eps", 0.1);
    ADD_FAILURE();
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()).rfind("-A lam: ", 0), 0u) << e.what();
  }
}

// --- the fit -------------------------------------------------------------------------------

TEST(ComplexityFitTest, RecoversAnExactPowerLaw) {
  std::vector<double> x, cost;
  for (double v = 1; v <= 1e4; v *= 3) {
    x.push_back(v);
    cost.push_back(7 * std::pow(v, 2.5));
  }
  const PowerLawFit fit = fit_power_law(x, cost);
  ASSERT_TRUE(fit.ok) << fit.message;
  EXPECT_NEAR(fit.exponent, 2.5, 1e-12);
  EXPECT_NEAR(fit.log_constant, std::log(7.0), 1e-10);
  EXPECT_NEAR(fit.r2, 1, 1e-12);
  EXPECT_NEAR(fit.rms_residual, 0, 1e-10);
  EXPECT_NEAR(fit.last_exponent, 2.5, 1e-12);
  EXPECT_EQ(fit.points, x.size());
}

TEST(ComplexityFitTest, NoisyPointsMatchTheTestSuitesSlopeAndLowerR2) {
  const std::vector<double> x = {1, 2, 4, 8, 16, 32};
  std::vector<double> cost;
  for (std::size_t i = 0; i < x.size(); ++i) cost.push_back(x[i] * x[i] * (i % 2 ? 1.3 : 0.8));
  const PowerLawFit fit = fit_power_law(x, cost);
  ASSERT_TRUE(fit.ok);
  EXPECT_NEAR(fit.exponent, testing::loglog_slope(x, cost), 1e-12);
  EXPECT_NEAR(fit.exponent, 2, 0.1);
  // The last two points (x = 16, 32) alone: 2 + log2(1.3 / 0.8).
  EXPECT_NEAR(fit.last_exponent, 2 + std::log2(1.3 / 0.8), 1e-12);
  EXPECT_LT(fit.r2, 1);
  EXPECT_GT(fit.r2, 0.95);
  EXPECT_GT(fit.rms_residual, 0.1);
}

TEST(ComplexityFitTest, FewerThanTwoPointsOrOneXIsNoFit) {
  const PowerLawFit one = fit_power_law({10}, {100});
  EXPECT_FALSE(one.ok);
  EXPECT_NE(one.message.find("not enough converged points"), std::string::npos) << one.message;
  EXPECT_TRUE(std::isnan(one.exponent));
  EXPECT_FALSE(fit_power_law({}, {}).ok);
  const PowerLawFit same = fit_power_law({10, 10}, {100, 200});
  EXPECT_FALSE(same.ok);
  EXPECT_FALSE(same.message.empty());
}

// --- reference exponents -------------------------------------------------------------------

std::vector<double> exponents(const std::vector<ReferenceExponent>& refs,
                              const std::string& bound) {
  std::vector<double> out;
  for (const auto& r : refs)
    if (r.bound == bound) out.push_back(r.exponent);
  return out;
}

TEST(ComplexityTheoryTest, HardInstancesLowerBoundsByKeyAndNoise) {
  auto lower = [](const std::string& problem, const std::string& key, bool stochastic) {
    return exponents(reference_exponents({"none", problem, key, stochastic, {}}), "lower");
  };
  using V = std::vector<double>;
  EXPECT_EQ(lower("hard-ji", "eps", false), V{2});
  EXPECT_EQ(lower("hard-ji", "kappa", false), V{1.5});
  EXPECT_EQ(lower("hard-ji-stoch", "eps", true), V{4});
  EXPECT_EQ(lower("hard-ji-stoch", "kappa", true), V{2.5});
  EXPECT_EQ(lower("hard-carmon", "eps", false), V{2});
  EXPECT_EQ(lower("hard-arjevani", "eps", true), V{4});
  EXPECT_EQ(lower("hard-separable", "eps", true), V{4});
  EXPECT_EQ(lower("hard-kwon", "eps", true), V{6});
  // The wrong noise regime, a tol sweep of one instance, or another key: no lower bound.
  EXPECT_EQ(lower("hard-ji-stoch", "eps", false), V{});
  EXPECT_EQ(lower("hard-carmon", "eps", true), V{});
  EXPECT_EQ(lower("hard-ji", "tol", false), V{});
  EXPECT_EQ(lower("hard-ji", "mu", false), V{});
  EXPECT_EQ(lower("quadratic", "eps", false), V{});

  const auto ji = reference_exponents({"none", "hard-ji", "kappa", false, {}});
  ASSERT_EQ(ji.size(), 1u);
  EXPECT_EQ(ji[0].source, "Ji (bilevel lower bounds), Theorem 1");
  EXPECT_EQ(ji[0].formula, "Omega(kappa^(3/2) eps^-2)");
}

TEST(ComplexityTheoryTest, MethodsUpperBoundsIncludingF2saPsDependenceOnP) {
  auto upper = [](const std::string& algo, const std::string& key, bool stochastic,
                  KeyValues options = {}) {
    return exponents(reference_exponents({algo, "quadratic", key, stochastic, options}), "upper");
  };
  using V = std::vector<double>;
  EXPECT_EQ(upper("f2ba", "eps", false), V{2});
  EXPECT_EQ(upper("f2ba", "tol", false), V{2});  // a tol sweep: the method's bound applies
  EXPECT_EQ(upper("f2ba", "kappa", false), V{4});
  EXPECT_EQ(upper("aid-cg", "eps", false), V{2});
  EXPECT_EQ(upper("itd", "kappa", false), V{4});
  EXPECT_EQ(upper("f2sa-p", "eps", true, {{"p", "2"}}), V{5});
  EXPECT_EQ(upper("f2sa-p", "eps", true, {{"p", "1"}}), V{6});
  EXPECT_EQ(upper("f2sa-p", "kappa", true, {{"p", "2"}}), V{10});
  EXPECT_EQ(upper("f2sa-p", "eps", false, {{"p", "2"}}), V{});
  EXPECT_EQ(upper("f2sa", "eps", false), V{3});
  EXPECT_EQ(upper("f2sa", "eps", true), (V{7, 6}));
  EXPECT_EQ(upper("stocbio", "eps", true), V{4});
  EXPECT_EQ(upper("no-such-method", "eps", false), V{});

  // Lower bounds come first.
  const auto both = reference_exponents({"f2ba", "hard-ji", "eps", false, {}});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].bound, "lower");
  EXPECT_EQ(both[1].bound, "upper");
  EXPECT_EQ(both[1].source, "Chen, Ma & Zhang 2025, Theorem 4.1");
}

TEST(ComplexityTheoryTest, StochasticMeansSigmaAboveZero) {
  EXPECT_TRUE(is_stochastic({{"dx", "3"}, {"sigma", "0.5"}}));
  EXPECT_FALSE(is_stochastic({{"sigma", "0"}}));
  EXPECT_FALSE(is_stochastic({{"dx", "3"}}));
}

// --- real sweeps on quadratic --------------------------------------------------------------

ComplexityTask task_of(const std::string& problem, const std::string& algo,
                       const std::string& sweep, const KeyValues& algo_options = {}) {
  ComplexityTask t;
  t.problem = problem;
  t.algo = algo;
  t.algo_options = algo_options;
  t.sweep = parse_complexity_sweep(sweep);
  return t;
}

ComplexityTask small_quadratic_task(const std::string& algo, const std::string& sweep) {
  ComplexityTask t = task_of("quadratic", algo, sweep);
  t.problem_options = {{"dx", "8"}, {"dy", "8"}, {"n_f", "10"}, {"n_g", "10"}};
  return t;
}

ComplexitySettings budget(Index max_iters) {
  ComplexitySettings s;
  s.run.stopping.max_iters = max_iters;
  return s;
}

// On quadratic, phi is strongly convex and aid-cg converges linearly: its calls grow like
// log(1/tol), a log-log slope far below the eps^-2 of the worst case. A tolerance that did not
// reach the runs (every run to the iteration limit) gives equal costs and slope 0.
TEST(ComplexityLabTest, ToleranceSweepOnQuadraticStopsAtEachTolAndGrowsLogarithmically) {
  const ComplexityTask task = small_quadratic_task("aid-cg", "tol=1e-2:1e-6:5");
  std::size_t reported = 0;
  const ComplexityResult r =
      run_complexity(task, budget(20000), [&](const ComplexityRun&, std::size_t i, std::size_t n) {
        EXPECT_EQ(i, reported++);
        EXPECT_EQ(n, 5u);
      });
  ASSERT_EQ(r.runs.size(), 5u);
  EXPECT_EQ(reported, 5u);
  Index previous = 0;
  for (const auto& run : r.runs) {
    EXPECT_TRUE(run.converged()) << run.message;
    EXPECT_EQ(run.tol, run.value);
    EXPECT_LE(run.hypergrad_norm, run.tol);
    EXPECT_GT(complexity_cost(run.counts), previous);
    previous = complexity_cost(run.counts);
  }
  EXPECT_EQ(r.fit_variable, "1/tol");
  ASSERT_TRUE(r.fit.ok) << r.fit.message;
  EXPECT_EQ(r.fit.points, 5u);
  // cost ~ c log(1/tol) over 1/tol in [1e2, 1e6]: slope 1/ln(1/tol) ~ 0.07 to 0.2.
  EXPECT_GT(r.fit.exponent, 0.05);
  EXPECT_LT(r.fit.exponent, 0.3);
  EXPECT_GT(r.fit.r2, 0.9);
  // A tol sweep of one problem: the method's bound, no instance lower bound.
  ASSERT_EQ(r.references.size(), 1u);
  EXPECT_EQ(r.references[0].bound, "upper");
  EXPECT_EQ(r.references[0].exponent, 2);
}

// F2BA's penalty must follow the accuracy (lam ~ 1/eps): with lam fixed the penalty bias
// O(1/lam) stops ||grad phi|| above the small tolerances; with lam = 10/tol every run
// converges.
// An interrupt (the CLI's SIGINT) ends the running run at an iteration boundary and starts no
// other; the result covers the runs made, and the cut-short point stays out of the fit.
TEST(ComplexityLabTest, AnInterruptEndsTheSweepAfterTheRunningRun) {
  const ComplexityTask task = small_quadratic_task("aid-cg", "tol=1e-2,1e-3,1e-4");
  std::atomic<bool> flag{false};
  ComplexitySettings s = budget(20000);
  s.seeds = 2;
  s.run.interrupt = &flag;
  std::size_t runs_reported = 0;
  // Set during the second run's third iteration (runs are reported when they end); the run
  // sees it after its next step, the boundary where the flag is polled.
  s.run.callbacks.push_back([&](const IterRecord& rec, const Vec&, const Vec&) {
    if (runs_reported == 1 && rec.iter == 3) flag.store(true);
    return Action::kContinue;
  });
  const ComplexityResult r =
      run_complexity(task, s, [&](const ComplexityRun&, std::size_t, std::size_t) {
        ++runs_reported;
      });
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.planned_runs, 6u);
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_TRUE(r.runs[0].converged());
  EXPECT_EQ(r.runs[1].status, Status::kInterrupted);
  EXPECT_EQ(r.runs[1].iters, 4);
  ASSERT_EQ(r.points.size(), 3u);
  EXPECT_TRUE(std::isnan(r.points[0].mean_cost));  // one of its two seeds was cut short
  EXPECT_FALSE(r.fit.ok);
  const auto json = complexity_summary(task, s, r);
  EXPECT_TRUE(json["interrupted"].get<bool>());
  EXPECT_EQ(json["runs_planned"], 6);

  // Set before the sweep: no run starts.
  const ComplexityResult none = run_complexity(task, s);
  EXPECT_TRUE(none.interrupted);
  EXPECT_TRUE(none.runs.empty());

  // Without an interrupt the same sweep makes every run.
  flag.store(false);
  s.run.callbacks.clear();
  const ComplexityResult all = run_complexity(task, s);
  EXPECT_FALSE(all.interrupted);
  EXPECT_EQ(all.runs.size(), 6u);
}

TEST(ComplexityLabTest, OptionExpressionsFollowTheSweep) {
  ComplexityTask task = small_quadratic_task("f2ba", "tol=1e-2:1e-5:4");
  task.algo_options = {{"lam", "10/tol"}};
  const ComplexityResult r = run_complexity(task, budget(5000));
  for (const auto& run : r.runs) {
    EXPECT_TRUE(run.converged()) << "tol " << run.tol << ": " << run.message;
    ASSERT_EQ(run.algo_options.size(), 1u);
    EXPECT_DOUBLE_EQ(std::stod(run.algo_options[0].second), 10 / run.value);
  }
  EXPECT_TRUE(r.fit.ok);

  task.algo_options = {{"lam", "10"}};
  const ComplexityResult fixed = run_complexity(task, budget(5000));
  EXPECT_FALSE(fixed.runs.back().converged());
}

// K counts inner steps: an expression for it is rounded (2 * 10^0.5 = 6.32 -> 6).
TEST(ComplexityLabTest, ExpressionsForIntegerOptionsAreRounded) {
  ComplexityTask task = small_quadratic_task("aid-cg", "tol=1e-1:1e-2:3");
  task.algo_options = {{"K", "2/tol^0.5"}, {"eta", "0.5"}};
  const ComplexityResult r = run_complexity(task, budget(3));
  ASSERT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.runs[0].algo_options, (KeyValues{{"K", "6"}, {"eta", "0.5"}}));
  EXPECT_EQ(r.runs[1].algo_options[0].second, "11");  // 2 / 10^-0.75 = 11.2
  EXPECT_EQ(r.runs[2].algo_options[0].second, "20");
}

// phi(x) = x^4 / 4 through the trivial lower level g = (y - x)^2 / 2 (y* = x) and
// f = y^4 / 4: grad phi = x^3 vanishes only to third order at the minimizer, so gradient
// descent from x0 = 1 with step eta has x_k^-2 ~ 2 eta k and needs k ~ eps^(-2/3) / (2 eta)
// iterations to reach |grad phi| <= eps. It declares an `eps` option (unused: the instance
// is the same for every eps) so that the eps path of the lab can be checked against a known
// polynomial exponent.
class Quartic : public Problem {
 public:
  std::string name() const override { return "quartic"; }
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Index num_samples(Fn) const override { return 1; }
  ProblemConstants constants() const override {
    ProblemConstants c;
    c.mu_g = c.L_g = 1;
    return c;
  }
  Vec initial_x() const override { return Vec::Ones(1); }
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override {
    if (sigma != 0) return false;
    *y = x;
    return true;
  }
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override {
    *g = x.array().cube().matrix();
    return true;
  }

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const override {
    return fn == Fn::kF ? y.array().pow(4).sum() / 4 : (y - x).squaredNorm() / 2;
  }
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch&, Vec* gx, Vec* gy) const override {
    if (gx) *gx = fn == Fn::kF ? Vec::Zero(1) : Vec(x - y);
    if (gy) *gy = fn == Fn::kF ? Vec(y.array().cube().matrix()) : Vec(y - x);
  }
};

TEST(ComplexityLabTest, EpsSweepMeasuresAKnownPolynomialExponent) {
  const ComplexityTask task = task_of("quartic", "aid-cg", "eps=1e-3:1e-6:4", {{"eta", "0.5"}});
  const ProblemFamily family{[](const KeyValues&) { return std::make_unique<Quartic>(); }, {"eps"}};
  const ComplexityResult r = run_complexity(task, family, budget(100000));
  for (const auto& run : r.runs) {
    EXPECT_TRUE(run.converged()) << run.message;
    EXPECT_EQ(run.tol, run.value);
  }
  EXPECT_EQ(r.fit_variable, "1/eps");
  ASSERT_TRUE(r.fit.ok);
  EXPECT_NEAR(r.fit.exponent, 2.0 / 3, 0.02);
  EXPECT_GT(r.fit.r2, 0.999);
  // The key must be declared: a family without options refuses it.
  const ProblemFamily undeclared{family.make, {}};
  EXPECT_THROW(run_complexity(task, undeclared, budget(10)), InvalidInput);
}

// A problem-option sweep: a larger mu (a better conditioned lower level, kappa = L/mu) costs
// fewer calls at the fixed tol, so the fitted exponent in mu is negative.
TEST(ComplexityLabTest, ProblemOptionSweepUsesTheFixedTolAndFitsAgainstTheValue) {
  ComplexityTask task = small_quadratic_task("aid-cg", "mu=0.05,0.1,0.2");
  ComplexitySettings s = budget(20000);
  s.run.stopping.tol = 1e-6;
  const ComplexityResult r = run_complexity(task, s);
  ASSERT_EQ(r.runs.size(), 3u);
  for (const auto& run : r.runs) {
    EXPECT_TRUE(run.converged());
    EXPECT_EQ(run.tol, 1e-6);
  }
  EXPECT_EQ(r.fit_variable, "mu");
  ASSERT_TRUE(r.fit.ok);
  EXPECT_LT(r.fit.exponent, -0.2);
  EXPECT_TRUE(r.references.empty());
  for (const auto& [key, value] : r.problem_options) EXPECT_NE(key, "mu");
}

TEST(ComplexityLabTest, BudgetRunsAreRecordedAndLeftOutOfTheFit) {
  const ComplexityResult r =
      run_complexity(small_quadratic_task("aid-cg", "tol=1e-2,1e-8"), budget(30));
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_TRUE(r.runs[0].converged());
  EXPECT_EQ(r.runs[1].status, Status::kMaxIterations);
  EXPECT_EQ(r.points[0].converged, 1u);
  EXPECT_EQ(r.points[1].converged, 0u);
  EXPECT_TRUE(std::isnan(r.points[1].mean_cost));
  EXPECT_FALSE(r.fit.ok);
  EXPECT_NE(r.fit.message.find("not enough converged points"), std::string::npos);
}

TEST(ComplexityLabTest, SeedsRunEachPointSeveralTimesOnStochasticProblems) {
  ComplexityTask task = small_quadratic_task("f2sa", "tol=0.5,0.3");
  task.problem_options.emplace_back("sigma", "0.01");
  ComplexitySettings s = budget(3000);
  s.run.seed = 7;
  s.seeds = 3;
  const ComplexityResult r = run_complexity(task, s);
  ASSERT_EQ(r.runs.size(), 6u);
  EXPECT_TRUE(r.stochastic);
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    EXPECT_EQ(r.runs[i].point, i / 3);
    EXPECT_EQ(r.runs[i].seed, 7 + i % 3);
  }
  EXPECT_EQ(r.points[0].runs, 3u);
  EXPECT_EQ(exponents(r.references, "upper"), (std::vector<double>{7, 6}));
}

// Problem metrics (the hard instances' active_x, active_y; here nasty's) are recorded at the
// end of every run, in the CSV after the fixed columns.
TEST(ComplexityLabTest, RecordsTheProblemsMetricsOfEveryRun) {
  const ComplexityTask task = task_of("nasty", "prox-f2sa", "dim=1,3", {{"lam0", "1"}});
  ComplexitySettings s = budget(3);
  s.run.stopping.tol = 1e-3;
  const ComplexityResult r = run_complexity(task, s);
  EXPECT_EQ(r.metric_names, (std::vector<std::string>{"dist_solution", "ll_gap", "box_violation"}));
  ASSERT_EQ(r.runs.size(), 2u);
  for (const auto& run : r.runs) {
    ASSERT_EQ(run.metrics.size(), 3u);
    EXPECT_GT(run.metrics[0], 0);  // three steps do not reach the solution (0, 0)
    EXPECT_EQ(run.status, Status::kMaxIterations);
  }
  const std::string csv = complexity_csv(r);
  EXPECT_NE(csv.find(",hypergrad_norm,chain_calls,dist_solution,ll_gap,box_violation\n"),
            std::string::npos)
      << csv;
}

// Bad input fails before the first run.
TEST(ComplexityLabTest, BadInputThrowsBeforeAnyRun) {
  auto fails = [](ComplexityTask task, ComplexitySettings s, const std::string& text) {
    std::size_t runs = 0;
    try {
      run_complexity(task, s, [&](const ComplexityRun&, std::size_t, std::size_t) { ++runs; });
      ADD_FAILURE() << "accepted; expected: " << text;
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
    EXPECT_EQ(runs, 0u) << text;
  };
  const ComplexitySettings plain = budget(100);
  ComplexitySettings with_tol = plain;
  with_tol.run.stopping.tol = 1e-3;

  fails(small_quadratic_task("aid-cg", "eps=0.1,0.01"), plain, "has no option 'eps'");
  fails(small_quadratic_task("aid-cg", "mu=0.1,0.2"), plain, "needs a stopping tolerance");
  fails(small_quadratic_task("aid-cg", "tol=0.1,0.01"), with_tol, "drop the fixed tol");
  ComplexityTask twice = small_quadratic_task("aid-cg", "dx=4,8");
  fails(twice, with_tol, "also given as a problem option");
  fails(small_quadratic_task("no-such-algo", "tol=0.1,0.01"), plain, "unknown algorithm");
  ComplexityTask unknown_problem = small_quadratic_task("aid-cg", "tol=0.1,0.01");
  unknown_problem.problem = "no-such-problem";
  fails(unknown_problem, plain, "unknown problem");
  // The last point's options are bad: nothing runs.
  ComplexityTask bad_point = small_quadratic_task("aid-cg", "mu=0.1,2");  // mu > L = 1
  fails(bad_point, with_tol, "mu");
  ComplexityTask bad_option = small_quadratic_task("f2ba", "tol=0.1,0.01");
  bad_option.algo_options = {{"lam", "-1*tol"}};
  fails(bad_option, plain, "lam");
  ComplexityTask unknown_option = small_quadratic_task("f2ba", "tol=0.1,0.01");
  unknown_option.algo_options = {{"bogus", "1"}};
  fails(unknown_option, plain, "bogus");
  ComplexitySettings no_seeds = plain;
  no_seeds.seeds = 0;
  fails(small_quadratic_task("aid-cg", "tol=0.1,0.01"), no_seeds, "seeds");
}

// --- outputs -------------------------------------------------------------------------------

TEST(ComplexityOutputTest, CsvHasOneRowPerRunAndTheJsonTheFitAndReferences) {
  const ComplexityTask task = small_quadratic_task("aid-cg", "tol=1e-2,1e-4");
  const ComplexitySettings s = budget(20000);
  const ComplexityResult r = run_complexity(task, s);
  const std::string csv = complexity_csv(r);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "key,value,seed,tol,status,iters,grad_calls,hvp_calls,hess_calls,calls,samples,"
            "time_s,hypergrad_norm,chain_calls");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("\ntol,0.01,0,0.01,converged,"), std::string::npos) << csv;

  const nlohmann::json j = complexity_summary(task, s, r);
  EXPECT_EQ(j["key"], "tol");
  EXPECT_EQ(j["fit_variable"], "1/tol");
  EXPECT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["calls"].get<Index>(), complexity_cost(r.runs[0].counts));
  EXPECT_EQ(j["runs"][0]["calls"].get<Index>(), j["runs"][0]["grad_calls"].get<Index>() +
                                                    j["runs"][0]["hvp_calls"].get<Index>() +
                                                    j["runs"][0]["hess_calls"].get<Index>());
  EXPECT_TRUE(j["fit"]["ok"].get<bool>());
  EXPECT_DOUBLE_EQ(j["fit"]["exponent"].get<double>(), r.fit.exponent);
  EXPECT_EQ(j["references"][0]["exponent"], 2);
  EXPECT_DOUBLE_EQ(j["points"][1]["x"].get<double>(), 1e4);
  EXPECT_EQ(j["problem_options"]["dx"], 8);
}

}  // namespace
}  // namespace bilevel

namespace bilevel {
namespace {

// On the lower-bound instances every run records the calls the construction forces
// (chain_calls: T for hard-carmon, T n + 2 for hard-ji), and a method that reached eps spent at
// least that many: the lower bound holds on real runs. The eps sweep grows the chain like
// eps^-2, so the forced calls grow too.
TEST(ComplexityLabTest, LowerBoundInstancesRecordTheForcedCallsAndRunsExceedThem) {
  for (const auto& [problem, extra] :
       std::vector<std::pair<std::string, KeyValues>>{{"hard-carmon", {}},
                                                      {"hard-ji", {{"kappa", "17"}}}}) {
    const std::string sweep = problem == "hard-ji" ? "eps=0.08,0.04" : "eps=0.01,0.005";
    ComplexityTask task = task_of(problem, "aid-cg", sweep);
    task.problem_options = extra;
    const ComplexityResult r = run_complexity(task, budget(100000));
    ASSERT_EQ(r.runs.size(), 2u);
    for (const auto& run : r.runs) {
      ASSERT_TRUE(run.converged()) << problem << " " << run.message;
      ASSERT_FALSE(std::isnan(run.chain_calls)) << problem;
      EXPECT_GE(static_cast<double>(complexity_cost(run.counts)), run.chain_calls) << problem;
    }
    EXPECT_GT(r.runs[1].chain_calls, 3 * r.runs[0].chain_calls) << problem;
  }
}

}  // namespace
}  // namespace bilevel
