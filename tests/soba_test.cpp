// SOBA (Dagreou et al. 2022): the full-batch fixed point is the stationary point of phi with
// v = -[Hyy g]^{-1} grad_y f, the decreasing steps reduce the exact ||grad phi|| under noise,
// the step schedule, oracle counts (seeds and option checks:
// stochastic_baselines_test.cpp).
#include "bilevel/algorithms/soba.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/error.hpp"
#include "stochastic_baselines_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::noisy_quadratic;
using testing::rel_err;
using testing::seeded;

TEST(Soba, FullBatchConstantStepsConvergeToTheStationaryPointOfPhi) {
  Quadratic q(QuadraticOptions{});  // mu_f > 0: phi strongly convex, one stationary point
  SobaOptions o;
  o.a_rho = 0;  // constant steps: the fixed point of the iteration
  o.a_gamma = 0;
  Soba a(o);
  const Result r = a.solve(q, seeded(2000, 0, 2000));
  const SobaRun& run = testing::state_of<Soba>(r);
  EXPECT_LT(r.hypergrad_norm, 1e-8) << "start " << r.trace.records.front().hypergrad_norm;
  Vec ystar;
  ASSERT_TRUE(q.closed_form_solution(r.x, 0, &ystar));
  EXPECT_LT(rel_err(r.y, ystar), 1e-8);
  // The paper's sign: v -> -[Hyy g]^{-1} grad_y f.
  Vec gfy;
  Mat hyy;
  q.grad(Fn::kF, r.x, ystar, Batch{}, nullptr, &gfy);
  q.hessian(Fn::kG, r.x, ystar, Batch{}, nullptr, nullptr, &hyy);
  EXPECT_LT(rel_err(run.current_v(), -hyy.llt().solve(gfy)), 1e-8);
}

TEST(Soba, DecreasingStepsReduceTheExactHypergradientTenfoldUnderNoise) {
  SobaOptions o;  // the paper's exponents 2/5 and 3/5
  o.batch_f = 10;
  o.batch_g = 10;
  const Result r = testing::run_on_quadratic<Soba>(o, noisy_quadratic(0.1), seeded(1000, 3, 1000));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  // Measured 0.016-0.037 over seeds 1-4.
  EXPECT_LT(testing::hypergradient_reduction(r), 0.1);
}

TEST(Soba, StepsDecayWithThePapersExponents) {
  Quadratic q(testing::small_quadratic());
  SobaOptions minibatches;  // the paper's exponents are the defaults with minibatches
  minibatches.batch_f = 10;
  minibatches.batch_g = 10;
  const Result r = Soba(minibatches).solve(q, iterations(1));
  const SobaRun& a = testing::state_of<Soba>(r);
  EXPECT_DOUBLE_EQ(a.rho_at(0), 1.0 / *q.constants().L_g);
  EXPECT_DOUBLE_EQ(a.gamma_at(0), 1.0 / *q.constants().L_phi);
  EXPECT_NEAR(a.rho_at(99) / a.rho_at(0), std::pow(100.0, -0.4), 1e-14);
  EXPECT_NEAR(a.gamma_at(99) / a.gamma_at(0), std::pow(100.0, -0.6), 1e-14);
  EXPECT_TRUE(r.warnings.empty());
  SobaOptions fast_x = minibatches;
  fast_x.a_gamma = 0.2;  // x on a faster time scale than y: outside the analysis
  Soba b(fast_x);
  EXPECT_TRUE(testing::mentions(b.solve(q, iterations(1)).warnings, "slower time scale"));
}

TEST(Soba, OracleCountsPerIterationMatchThePseudoCode) {
  const QuadraticOptions qo = testing::small_quadratic();
  SobaOptions o;
  o.batch_f = 2;
  o.batch_g = 3;
  const Index T = 7;
  const Result r = testing::run_on_quadratic<Soba>(o, qo, iterations(T));
  // Per iteration: 1 grad f, 1 grad_y g, 1 Hyy v and 1 Hxy v of g.
  EXPECT_EQ(r.counts.f.grad, T);
  EXPECT_EQ(r.counts.g.grad, T);
  EXPECT_EQ(r.counts.g.hvp, 2 * T);
  EXPECT_EQ(r.counts.f.hvp + r.counts.value_calls() + r.counts.hess_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, T * 2);
  EXPECT_EQ(r.counts.g.samples, 3 * T * 3);
}

}  // namespace
}  // namespace bilevel
