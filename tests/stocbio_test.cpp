// stocBiO (Ji, Yang & Liang 2021): the hypergradient estimate against the closed form, the
// reduction of the exact ||grad phi|| under noise, oracle counts of Alg. 2/3, auto
// steps and warnings (seeds and option checks: stochastic_baselines_test.cpp).
#include "bilevel/algorithms/stocbio.hpp"

#include <gtest/gtest.h>

#include "bilevel/core/error.hpp"
#include "stochastic_baselines_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::mentions;
using testing::noisy_quadratic;
using testing::random_vector;
using testing::rel_err;
using testing::seeded;

// One step from (x0, 0) on the default quadratic; the estimate made at x0.
Vec estimate_at(const StocbioOptions& o, const Vec& x0, Quadratic& q) {
  const Result r = Stocbio(o).solve(q, x0, Vec::Zero(q.dim_y()), iterations(1));
  return testing::state_of<Stocbio>(r).last_hypergradient();
}

TEST(Stocbio, FullBatchesWithLargeKAndQGiveTheExactHypergradient) {
  Quadratic q(QuadraticOptions{});  // kappa = 10: both errors contract like 0.9 per step
  const Vec x0 = random_vector(q.dim_x(), 1);
  Vec exact;
  ASSERT_TRUE(q.closed_form_hypergradient(x0, &exact));
  StocbioOptions o;
  o.K = 500;     // y error 0.9^500 ~ 1e-23 of the start
  o.ns.Q = 500;  // Neumann truncation (1 - 1/kappa)^501
  EXPECT_LT(rel_err(estimate_at(o, x0, q), exact), 1e-6);
  // The same comparison catches the bias of the defaults (K = Q = 10).
  EXPECT_GT(rel_err(estimate_at(StocbioOptions{}, x0, q), exact), 1e-2);
}

TEST(Stocbio, NoisyMinibatchesReduceTheExactHypergradientTenfold) {
  StocbioOptions o;
  o.ns.batch_f = 10;
  o.ns.batch_g = 10;
  const Result r = testing::run_on_quadratic<Stocbio>(o, noisy_quadratic(0.1), seeded(300, 3, 300));
  EXPECT_EQ(r.status, Status::kMaxIterations);
  // Measured 0.047 (23.2 -> 1.08); the Q = 10 truncation bias alone stalls near 1.3.
  EXPECT_LT(testing::hypergradient_reduction(r), 0.1);
}

TEST(Stocbio, OracleCountsPerIterationMatchThePseudoCode) {
  const QuadraticOptions qo = testing::small_quadratic();
  StocbioOptions o;
  o.K = 3;
  o.ns.Q = 4;
  o.ns.batch_f = 2;
  o.ns.batch_g = 3;
  const Index T = 5;
  const Result r = testing::run_on_quadratic<Stocbio>(o, qo, iterations(T));
  // Per iteration: K grad_y g (inner SGD), 1 grad f, Q Hyy and 1 Hxy of g.
  EXPECT_EQ(r.counts.g.grad, T * 3);
  EXPECT_EQ(r.counts.f.grad, T);
  EXPECT_EQ(r.counts.g.hvp, T * (4 + 1));
  EXPECT_EQ(r.counts.f.hvp, 0);
  EXPECT_EQ(r.counts.value_calls() + r.counts.hess_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, T * 2);
  EXPECT_EQ(r.counts.g.samples, T * (3 + 4 + 1) * 3);
}

TEST(Stocbio, ResolvesAutoStepsAndAsksForThemWhenTheProblemHasNoConstants) {
  Quadratic q(testing::small_quadratic());
  Stocbio a;
  const Result r = a.solve(q, iterations(1));
  const double lg = *q.constants().L_g;
  auto value = [&](const std::string& key) { return testing::option_text(r, key); };
  EXPECT_EQ(value("alpha"), format_double(1.0 / lg));
  EXPECT_EQ(value("eta_N"), format_double(1.0 / lg));
  EXPECT_EQ(value("beta"), format_double(1.0 / *q.constants().L_phi));
  // Without constants alpha and eta_N use the estimate of L_g (power iterations at the initial
  // point); beta's bound needs L_f and mu_g, which are not estimated, so beta is named.
  testing::QuadraticWithoutConstants bare(testing::small_quadratic());
  Stocbio b;
  EXPECT_NE(testing::run_error(b, bare).find("beta=auto"), std::string::npos);
  EXPECT_EQ(testing::run_error(*b.with_options({{"beta", "0.1"}}), bare), "");
}

TEST(Stocbio, WarnsWhenTheNeumannStepMakesTheSeriesDiverge) {
  Quadratic q(testing::small_quadratic());
  StocbioOptions o;
  o.ns.eta_N = 2.5 / *q.constants().L_g;
  Stocbio a(o);
  EXPECT_TRUE(mentions(a.solve(q, iterations(1)).warnings,
                       "Neumann series diverges"));
  Stocbio b;  // auto: 1/L_g
  EXPECT_TRUE(b.solve(q, iterations(1)).warnings.empty());
}

}  // namespace
}  // namespace bilevel
