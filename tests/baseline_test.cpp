// The baseline method (x fixed, lower level only): its y converges to y*(x0) while x never
// moves, it calls nothing but K gradients of g per iteration, bad options are rejected before
// the run, and on data hyper-cleaning it is clearly worse than f2ba (what a baseline is for).
#include "bilevel/algorithms/baseline.hpp"

#include <gtest/gtest.h>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "cleaning_setting.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

Result run_baseline(Problem& p, const BaselineOptions& o, const RunSettings& s) {
  Baseline a(o);
  return a.solve(p, s);
}

class BaselineOnQuadratic : public ::testing::TestWithParam<std::string> {};

TEST_P(BaselineOnQuadratic, ConvergesToTheLowerSolutionAtTheInitialX) {
  Quadratic q(QuadraticOptions{});  // dx = dy = 20, kappa = 10
  BaselineOptions o;
  o.inner = GetParam();
  RunSettings s = iterations(300);  // 3000 steps: (1 - 1/kappa)^3000 is far below 1e-12
  s.diagnostics = true;
  const Result r = run_baseline(q, o, s);
  const Vec x0 = q.initial_x();
  EXPECT_EQ(r.x, x0);  // bit for bit: x is never touched
  Diagnostics d(q);
  const Vec ys = d.lower_solution(x0);
  EXPECT_LE((r.y - ys).norm(), 1e-10 * std::max(1.0, ys.norm())) << o.inner;
  // Every trace row is at x0: the same phi throughout.
  for (const auto& rec : r.trace.records) EXPECT_EQ(rec.phi, r.trace.records.front().phi);
}

INSTANTIATE_TEST_SUITE_P(InnerSolvers, BaselineOnQuadratic, ::testing::Values("gd", "agd"));

TEST(Baseline, AcceleratedInnerSolverIsCloserAfterFewSteps) {
  QuadraticOptions qo;
  qo.mu = 0.01;  // kappa = 100: where acceleration matters
  auto error_after = [&](const std::string& inner) {
    Quadratic q(qo);
    BaselineOptions o;
    o.inner = inner;
    const Result r = run_baseline(q, o, iterations(10));
    return (r.y - Diagnostics(q).lower_solution(q.initial_x())).norm();
  };
  EXPECT_LT(error_after("agd"), 0.5 * error_after("gd"));
}

TEST(Baseline, CallsExactlyKGradientsOfGPerIterationAndNothingElse) {
  for (const std::string inner : {"gd", "agd"}) {
    const QuadraticOptions qo = testing::small_quadratic();
    Quadratic q(qo);
    BaselineOptions o;
    o.K = 7;
    o.inner = inner;
    const Index T = 13;
    const Result r = run_baseline(q, o, iterations(T));
    ASSERT_EQ(r.iters, T);
    OracleCounts expected;
    expected.g.grad = T * o.K;
    expected.g.samples = T * o.K * qo.n_g;
    EXPECT_EQ(r.counts, expected) << inner;
  }
}

TEST(Baseline, AutoStepIsOneOverLg) {
  Quadratic q(QuadraticOptions{});
  Baseline a;
  const Result r = a.solve(q, iterations(1));
  bool echoed = false;
  for (const auto& [key, value] : r.options) {
    if (key != "alpha") continue;
    echoed = true;
    EXPECT_DOUBLE_EQ(std::get<double>(value), 1.0 / *q.constants().L_g);
  }
  EXPECT_TRUE(echoed);
}

TEST(BaselineOptions, DefaultsAreValid) { EXPECT_TRUE(Baseline(BaselineOptions{}).validate().empty()); }

TEST(BaselineOptions, RejectsBadValuesNamingTheOption) {
  auto message_for = [](const KeyValues& kv) {
    return testing::run_error(*Baseline().with_options(kv));
  };
  EXPECT_NE(message_for({{"K", "0"}}).find("K must be >= 1"), std::string::npos);
  EXPECT_NE(message_for({{"alpha", "0"}}).find("alpha must be > 0"), std::string::npos);
  EXPECT_NE(message_for({{"alpha", "-1"}}).find("alpha must be > 0"), std::string::npos);

  Baseline a;
  EXPECT_THROW(a.with_options({{"inner", "newton"}}), InvalidOptions);
  EXPECT_THROW(a.with_options({{"eta", "1"}}), InvalidOptions);  // x is never stepped
  EXPECT_THROW(a.with_options({{"K", "ten"}}), InvalidOptions);
  BaselineOptions o;
  o.inner = "newton";  // set behind the option parser: validate still catches it
  EXPECT_NE(testing::run_error(Baseline(o)).find("inner must be gd or agd"), std::string::npos);
}

TEST(Baseline, AutoStepOrAgdWithoutKnownConstantsIsAClearError) {
  testing::QuadraticWithoutConstants q(testing::small_quadratic());
  // alpha = auto uses the estimate of L_g at the initial point (defaults_test.cpp checks it).
  EXPECT_EQ(testing::run_error(Baseline(), q), "");
  BaselineOptions o;
  o.alpha = 0.1;
  EXPECT_EQ(testing::run_error(Baseline(o), q), "");
  o.inner = "agd";
  EXPECT_NE(testing::run_error(Baseline(o), q).find("inner=agd needs the problem's constant mu_g"),
            std::string::npos);
}

// f2ba in the setting of hyperclean_test.cpp's acceptance test (cleaning_setting.hpp) against
// the baseline on the same problem (australian, half the training labels corrupted). Without
// cleaning the uniformly weighted lower level learns almost nothing from the noisy labels, so
// the baseline's converged validation loss stays near log 2 while f2ba's falls well below.
// Both are read from each method's own (x, y), as the trace's val_loss column is. About 1 s.
TEST(Baseline, IsClearlyWorseThanF2baAtDataHyperCleaning) {
  HypercleanOptions ho;  // australian, corrupt = 0.5, sigmoid weights, c = 1e-3
  Hyperclean p(ho);

  BaselineOptions bo;
  bo.inner = "agd";  // kappa = L_g / mu_g is about 1300 here: GD would need ~1e5 steps
  const Result base = run_baseline(p, bo, iterations(testing::kCleaningIterations));
  const double phi0 = Diagnostics(p).phi(p.initial_x());
  const double base_val = p.metrics(base.x, base.y)[0];
  EXPECT_NEAR(base_val, phi0, 1e-6 * phi0);  // converged: the loss at y*(x0)

  F2ba f2ba(testing::f2ba_cleaning_options(p));
  const Result cleaned =
      f2ba.solve(p, iterations(testing::kCleaningIterations));
  const double f2ba_val = p.metrics(cleaned.x, cleaned.y)[0];
  EXPECT_LT(f2ba_val, 0.6 * base_val);
}

}  // namespace
}  // namespace bilevel
