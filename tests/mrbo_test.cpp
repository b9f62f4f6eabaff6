// MRBO (Yang, Ji & Liang 2021, Alg. 1): the recursive-momentum estimates stay exact with full
// batches, the exact ||grad phi|| falls under noise, the eta_k schedule, oracle counts
// (seeds and option checks: stochastic_baselines_test.cpp).
#include "bilevel/algorithms/mrbo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/error.hpp"
#include "stochastic_baselines_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::noisy_quadratic;
using testing::seeded;

TEST(Mrbo, FullBatchRecursionKeepsBothEstimatesExactAtTheCurrentPoint) {
  // Without noise the STORM correction e(x, y) + (1 - w)(e - e(x0, y0)) keeps e equal to the
  // plain estimate at the current point; a wrong sign or a stale point breaks that at once.
  Quadratic q(QuadraticOptions{});
  MrboOptions o;
  o.K = 3;
  o.ns.Q = 300;  // the Neumann estimate matches the dense implicit formula to ~1e-14
  const Result r = Mrbo(o).solve(q, iterations(7));
  const MrboRun& a = testing::state_of<Mrbo>(r);
  testing::expect_exact_estimates(q, r.x, r.y, a.gradient_estimate(), a.hypergradient_estimate());
}

TEST(Mrbo, NoisyMinibatchesReduceTheExactHypergradientTenfold) {
  MrboOptions o;
  o.ns.batch_f = 10;
  o.ns.batch_g = 10;
  const Result r = testing::run_on_quadratic<Mrbo>(o, noisy_quadratic(0.1), seeded(300, 3, 300));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_LT(testing::hypergradient_reduction(r), 0.1);  // measured 0.072 (23.2 -> 1.66)
}

TEST(Mrbo, ScheduleFollowsThePaper) {
  Quadratic q(testing::small_quadratic());
  MrboOptions o;
  o.m = 8;
  const Result ra = Mrbo(o).solve(q, iterations(1));
  const MrboRun& a = testing::state_of<Mrbo>(ra);
  // d = auto = m^(1/3): eta_0 = 1, eta_k = (m / (m + k))^(1/3).
  EXPECT_NEAR(a.eta_at(0), 1.0, 1e-15);
  EXPECT_NEAR(a.eta_at(56), 0.5, 1e-15);
  EXPECT_NEAR(a.hypergradient_weight_at(56), 0.25, 1e-15);
  MrboOptions c = o;
  c.d = 4;  // eta_0 = 2: the weights c eta^2 are clipped to 1
  c.c2 = 0.5;
  const Result rb = Mrbo(c).solve(q, iterations(1));
  const MrboRun& b = testing::state_of<Mrbo>(rb);
  EXPECT_NEAR(b.eta_at(0), 2.0, 1e-15);
  EXPECT_EQ(b.hypergradient_weight_at(0), 1.0);
  EXPECT_NEAR(b.gradient_weight_at(56), 0.5, 1e-15);
}

TEST(Mrbo, OracleCountsPerIterationMatchThePseudoCode) {
  const QuadraticOptions qo = testing::small_quadratic();
  MrboOptions o;
  o.K = 2;
  o.ns.Q = 4;
  o.ns.batch_f = 2;
  o.ns.batch_g = 3;
  const Index T = 5;
  const Result r = testing::run_on_quadratic<Mrbo>(o, qo, iterations(T));
  // Initial estimates (1 grad g, 1 grad f, Q Hyy + 1 Hxy), then per iteration: K momentum
  // corrections of v (2 grad g each) and one of u (2 grad f, 2Q Hyy + 2 Hxy).
  EXPECT_EQ(r.counts.g.grad, 1 + T * 2 * 2);
  EXPECT_EQ(r.counts.f.grad, 1 + T * 2);
  EXPECT_EQ(r.counts.g.hvp, (1 + 2 * T) * (4 + 1));
  EXPECT_EQ(r.counts.f.hvp + r.counts.value_calls() + r.counts.hess_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, r.counts.f.grad * 2);
  EXPECT_EQ(r.counts.g.samples, (r.counts.g.grad + r.counts.g.hvp) * 3);
}

}  // namespace
}  // namespace bilevel
