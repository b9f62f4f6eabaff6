// LMCN (fsba paper, section 5): lazy cubic Newton on P(x) = max_y F(x, y). On
// minimax-synthetic it converges to the known minimizer, leaves the strict saddle of P by its
// hard-case step, and refreshes the Hessian every m iterations only; it uses only g's oracles,
// converges on dro-logistic, and refuses problems that are not minimax.
#include "bilevel/algorithms/lmcn.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/dro_logistic.hpp"
#include "bilevel/problems/minimax_synthetic.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

TEST(Lmcn, ConvergesToTheKnownMinimizerOfP) {
  MinimaxSynthetic p(MinimaxSyntheticOptions{});
  const Vec target = p.minimizer(+1);
  for (Index m : {1, 5, 20}) {
    LmcnOptions o;
    o.m = m;
    Lmcn a(o);
    const Result r = a.solve(p, iterations(60));
    EXPECT_LT((r.x - target).norm(), 1e-8) << "m=" << m;
    Diagnostics d(p);
    EXPECT_LT(d.hypergradient(r.x).norm(), 1e-8) << "m=" << m;
  }
}

TEST(Lmcn, LeavesTheStrictSaddleOfP) {
  MinimaxSynthetic p(MinimaxSyntheticOptions{});
  LmcnOptions o;
  o.m = 1;
  Lmcn a(o);
  const Vec x0 = p.saddle_point();
  const Vec y0 = Vec::Zero(p.dim_y());  // y*(0) = 0: grad P vanishes exactly at the start
  const Result r = a.solve(p, x0, y0, iterations(40));
  const double dist = std::min((r.x - p.minimizer(+1)).norm(), (r.x - p.minimizer(-1)).norm());
  EXPECT_LT(dist, 1e-8);
}

TEST(Lmcn, UsesOnlyGsOraclesAndRefreshesTheHessianEveryMIterations) {
  MinimaxSynthetic p(MinimaxSyntheticOptions{});
  const Index T = 12;
  for (Index m : {1, 4, 5}) {
    LmcnOptions o;
    o.m = m;
    o.K = 3;
    Lmcn a(o);
    const Result r = a.solve(p, iterations(T));
    const Index refreshes = (T + m - 1) / m;
    EXPECT_EQ(testing::state_of<Lmcn>(r).hessian_refreshes(), refreshes);
    EXPECT_EQ(r.counts.g.hess, refreshes);
    EXPECT_EQ(r.counts.g.grad, T * (3 + 1));
    EXPECT_EQ(r.counts.f, FunctionCounts{});
    EXPECT_EQ(r.counts.hvp_calls(), 0);
  }
}

TEST(Lmcn, AutoMIsMTimesRhoPhi) {
  MinimaxSynthetic p(MinimaxSyntheticOptions{});
  LmcnOptions o;
  o.m = 3;
  Lmcn a(o);
  const Result r = a.solve(p, iterations(1));
  EXPECT_DOUBLE_EQ(testing::state_of<Lmcn>(r).M(), 3 * *p.constants().rho_phi);
}

TEST(Lmcn, ConvergesOnDistributionallyRobustLogisticRegression) {
  DroLogisticOptions o;
  o.dataset = "breast-cancer";
  DroLogistic p(o);
  // P's curvature is O(1e-2) here (a mean of logistic Hessians), so M is set at that scale;
  // the auto M = m rho_phi (a global bound of Hess P's Lipschitz constant) makes the steps
  // shorter than they need to be near the solution.
  for (Index m : {1, 5}) {
    LmcnOptions o;
    o.m = m;
    o.M = 0.01;
    Lmcn a(o);
    const Result r = a.solve(p, testing::seeded(40, 0));
    const double start = r.trace.records.front().hypergrad_norm;
    EXPECT_LT(r.hypergrad_norm, 1e-12 * start) << "m=" << m;
    EXPECT_LT(r.phi, r.trace.records.front().phi);
    EXPECT_EQ(r.counts.g.hess, (40 + m - 1) / m);
  }
}

TEST(Lmcn, RefusesAProblemThatIsNotMinimax) {
  Quadratic q(testing::small_quadratic());
  Lmcn a;
  EXPECT_NE(testing::run_error(a, q).find("not a minimax problem"), std::string::npos);
}

TEST(LmcnOptions, RejectBadValuesNamingTheOption) {
  LmcnOptions o;
  o.m = 0;
  Lmcn a(o);
  MinimaxSynthetic p(MinimaxSyntheticOptions{});
  EXPECT_NE(testing::run_error(a, p).find("m must be >= 1"), std::string::npos);
  o.m = 2;
  o.M = 0.0;
  EXPECT_NE(testing::run_error(Lmcn(o), p).find("M"), std::string::npos);
}

}  // namespace
}  // namespace bilevel
