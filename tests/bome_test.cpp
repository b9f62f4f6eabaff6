// BOME (Liu et al. 2022): one step equals the dynamic-barrier update computed by hand, the
// exact ||grad phi|| falls under noise, oracle counts (seeds and option checks:
// stochastic_baselines_test.cpp).
#include "bilevel/algorithms/bome.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "bilevel/core/error.hpp"
#include "stochastic_baselines_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::noisy_quadratic;
using testing::rel_err;
using testing::seeded;

TEST(Bome, OneStepIsTheDynamicBarrierUpdate) {
  Quadratic q(QuadraticOptions{});
  const Vec x0 = testing::random_vector(q.dim_x(), 2);
  const Vec y0 = testing::random_vector(q.dim_y(), 3);
  BomeOptions o;
  o.T = 4;
  o.alpha = 0.5;
  o.eta = 0.7;
  o.xi = 0.05;
  Bome a(o);
  const Result r = a.solve(q, x0, y0, iterations(1));
  // By hand: y_T from T steps, grad q, lambda, then the joint step.
  Vec yT = y0, g, gfx, gfy, qx, qy, gxT;
  for (Index t = 0; t < 4; ++t) {
    q.grad(Fn::kG, x0, yT, Batch{}, nullptr, &g);
    yT -= 0.5 * g;
  }
  q.grad(Fn::kF, x0, y0, Batch{}, &gfx, &gfy);
  q.grad(Fn::kG, x0, y0, Batch{}, &qx, &qy);
  q.grad(Fn::kG, x0, yT, Batch{}, &gxT, nullptr);
  qx -= gxT;
  const double q2 = qx.squaredNorm() + qy.squaredNorm();
  const double lambda = std::max(0.7 * q2 - gfx.dot(qx) - gfy.dot(qy), 0.0) / q2;
  ASSERT_GT(lambda, 0);  // the barrier is active: the test sees the lambda grad q term
  EXPECT_NEAR(testing::state_of<Bome>(r).last_lambda(), lambda, 1e-12 * lambda);
  EXPECT_LT(rel_err(r.x, x0 - 0.05 * (gfx + lambda * qx)), 1e-14);
  EXPECT_LT(rel_err(r.y, y0 - 0.05 * (gfy + lambda * qy)), 1e-14);
}

TEST(Bome, NoisyGradientsReduceTheExactHypergradientTenfold) {
  BomeOptions o;
  o.T = 30;  // T = 10 leaves y_T biased enough to stall near a twelfth of the start
  const Result r = testing::run_on_quadratic<Bome>(o, noisy_quadratic(0.1), seeded(3000, 3, 3000));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_LT(testing::hypergradient_reduction(r), 0.1);  // measured 0.061-0.065, seeds 1-4
}

TEST(Bome, OracleCountsPerIterationMatchThePseudoCode) {
  const QuadraticOptions qo = testing::small_quadratic();
  BomeOptions o;
  o.T = 3;
  o.batch_f = 2;
  o.batch_g = 4;
  const Index K = 6;
  const Result r = testing::run_on_quadratic<Bome>(o, qo, iterations(K));
  // Per iteration: T inner gradients of g, grad f and grad g at (x, y), grad_x g at (x, y_T).
  EXPECT_EQ(r.counts.f.grad, K);
  EXPECT_EQ(r.counts.g.grad, K * (3 + 2));
  EXPECT_EQ(r.counts.hvp_calls() + r.counts.value_calls() + r.counts.hess_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, K * 2);
  EXPECT_EQ(r.counts.g.samples, K * (3 + 2) * 4);
}

}  // namespace
}  // namespace bilevel
