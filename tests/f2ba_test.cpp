// F2BA (f2ba paper, Alg. 1) on the quadratic problem: convergence to the stationary point of
// the penalty proxy L*_lam, the O(1/lam) distance of that point from stationarity of phi,
// oracle counts equal to the pseudo-code, option validation, reproducibility.
#include "bilevel/algorithms/f2ba.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::loglog_slope;


Result run_f2ba(Problem& p, const F2baOptions& o, const RunSettings& s) {
  F2ba a(o);
  return a.solve(p, s);
}


TEST(F2ba, ConvergesToStationaryPointOfPenaltyProxyWithinOneOverLambdaOfPhi) {
  QuadraticOptions qo;  // dx = dy = 20, kappa = 10
  std::vector<double> lams = {1e1, 1e2, 1e3, 1e4}, grad_phi;
  for (double lam : lams) {
    Quadratic q(qo);
    F2baOptions o;
    o.penalty.lam = lam;
    const Result r = run_f2ba(q, o, iterations(3000));
    Diagnostics d(q);
    const double proxy = d.penalty_gradient(r.x, lam).norm();
    EXPECT_LE(proxy, 1e-8) << "lam = " << lam;
    grad_phi.push_back(d.hypergradient(r.x).norm());
  }
  const double slope = loglog_slope(lams, grad_phi);
  EXPECT_GE(slope, -1.2);
  EXPECT_LE(slope, -0.8);
}

TEST(F2ba, AcceleratedInnerLoopAlsoConvergesToTheProxyStationaryPoint) {
  Quadratic q(QuadraticOptions{});
  F2baOptions o;
  o.penalty.lam = 100;
  o.penalty.inner = "agd";
  o.penalty.K = 5;
  const Result r = run_f2ba(q, o, iterations(3000));
  Diagnostics d(q);
  EXPECT_LE(d.penalty_gradient(r.x, *o.penalty.lam).norm(), 1e-8);
}

TEST(F2ba, AcceleratedInnerLoopTracksTheInnerSolutionsMoreClosely) {
  // With few inner steps, Nesterov's method leaves y, z closer to y*_lam(x), y*(x).
  QuadraticOptions qo;
  qo.mu = 0.01;  // kappa = 100: where acceleration matters
  auto inner_error = [&](const std::string& inner) {
    Quadratic q(qo);
    F2baOptions o;
    o.penalty.inner = inner;
    o.penalty.lam = 1000;  // agd needs f + lam g strongly convex: lam > L_f / mu_g = 100
    o.penalty.K = 20;
    o.eta = 1e-12;  // x essentially fixed: compare the inner solvers alone
    const Result r = run_f2ba(q, o, iterations(1));
    Diagnostics d(q);
    return (r.y - d.lower_solution(r.x)).norm();
  };
  EXPECT_LT(inner_error("agd"), 0.5 * inner_error("gd"));
}

TEST(F2ba, OracleCountsPerIterationMatchAlgorithmOne) {
  QuadraticOptions qo = testing::small_quadratic();
  Quadratic q(qo);
  F2baOptions o;
  o.penalty.K = 7;
  const Index T = 13;
  const Result r = run_f2ba(q, o, iterations(T));
  ASSERT_EQ(r.iters, T);
  // Per outer iteration: K inner steps each take grad g at z, grad f and grad g at y;
  // the proxy gradient takes grad f at y and grad g at y and at z.
  EXPECT_EQ(r.counts.f.grad, T * (o.penalty.K + 1));
  EXPECT_EQ(r.counts.g.grad, T * (2 * o.penalty.K + 2));
  EXPECT_EQ(r.counts.hvp_calls(), 0);
  EXPECT_EQ(r.counts.hess_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, T * (o.penalty.K + 1) * qo.n_f);
  EXPECT_EQ(r.counts.g.samples, T * (2 * o.penalty.K + 2) * qo.n_g);
}

TEST(F2ba, AutoStepsComeFromTheProblemConstants) {
  Quadratic q(QuadraticOptions{});
  F2baOptions o;
  o.penalty.lam = 50;
  const Result r = F2ba(o).solve(q, iterations(1));
  auto value = [&](const std::string& key) { return testing::option_number(r, key); };
  const ProblemConstants c = q.constants();
  EXPECT_DOUBLE_EQ(value("alpha"), 1.0 / *c.L_g);
  EXPECT_DOUBLE_EQ(value("tau"), 1.0 / (*c.L_f + 50 * *c.L_g));
  EXPECT_DOUBLE_EQ(value("eta"), 1.0 / *c.L_phi);
}

TEST(F2ba, AutoStepWithoutKnownConstantsIsAClearError) {
  // L_g is estimated (power iterations at the initial point); L_f cannot be, so tau is named.
  testing::QuadraticWithoutConstants q(testing::small_quadratic());
  F2ba a;
  try {
    a.solve(q, iterations(1));
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_NE(std::string(e.what()).find("tau=auto"), std::string::npos) << e.what();
  }
  F2baOptions o;
  o.penalty.alpha = 0.5;
  o.penalty.tau = 0.01;
  o.eta = 0.1;
  EXPECT_NO_THROW(F2ba(o).solve(q, iterations(1)));
}

TEST(F2ba, WarnsWhenLambdaIsBelowThePapersBound) {
  QuadraticOptions qo;
  qo.mu_f = -0.5;  // f nonconvex in y: L_f = 1, mu_g = 0.1, and the paper asks lam >= 20
  Quadratic q(qo);
  F2baOptions o;
  o.penalty.lam = 15;
  const Result low = run_f2ba(q, o, iterations(1));
  ASSERT_EQ(low.warnings.size(), 1u);
  EXPECT_NE(low.warnings[0].find("2 L_f/mu_g = 20"), std::string::npos) << low.warnings[0];
  o.penalty.lam = 21;
  EXPECT_TRUE(run_f2ba(q, o, iterations(1)).warnings.empty());
  // With f convex in y (mu_fy = 0.1 >= 0) f + lam g is strongly convex for any lam: no warning.
  Quadratic convex(QuadraticOptions{});
  o.penalty.lam = 15;
  EXPECT_TRUE(run_f2ba(convex, o, iterations(1)).warnings.empty());
}

TEST(F2baOptions, DefaultsAreValid) { EXPECT_TRUE(F2ba(F2baOptions{}).validate().empty()); }

TEST(F2baOptions, RejectsBadValuesNamingTheOption) {
  Quadratic q(testing::small_quadratic());
  auto message_for = [&](const KeyValues& kv) -> std::string {
    const auto a = F2ba().with_options(kv);
    try {
      a->solve(q, iterations(1));
    } catch (const InvalidOptions& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message_for({{"K", "0"}}).find("K must be >= 1"), std::string::npos);
  EXPECT_NE(message_for({{"lam", "-1"}}).find("lam must be > 0"), std::string::npos);
  EXPECT_NE(message_for({{"eta", "0"}}).find("eta must be > 0"), std::string::npos);

  F2ba a;
  EXPECT_THROW(a.with_options({{"inner", "newton"}}), InvalidOptions);
  EXPECT_THROW(a.with_options({{"lamda", "1"}}), InvalidOptions);
  EXPECT_THROW(a.with_options({{"K", "ten"}}), InvalidOptions);
}

TEST(F2ba, TwoRunsWithOneSeedGiveIdenticalTraces) {
  QuadraticOptions qo = testing::small_quadratic();
  qo.sigma = 0.1;  // noisy oracles: reproducibility must come from the seed
  RunSettings s = iterations(20);
  s.diagnostics = true;
  s.seed = 42;
  Quadratic q1(qo), q2(qo);
  const Result a = run_f2ba(q1, F2baOptions{}, s);
  const Result b = run_f2ba(q2, F2baOptions{}, s);
  testing::expect_identical_traces(a.trace, b.trace);
  EXPECT_EQ(a.x, b.x);
}

TEST(F2ba, StopsAtTheToleranceOnTheExactHypergradient) {
  Quadratic q(QuadraticOptions{});
  RunSettings s;
  s.stopping.max_iters = 100000;
  s.stopping.tol = 1e-2;  // above the O(1/lam) floor of lam = 1e4 (about 3e-3 here)
  F2baOptions o;
  o.penalty.lam = 1e4;
  const Result r = run_f2ba(q, o, s);
  EXPECT_EQ(r.status, Status::kConverged);
  EXPECT_LE(r.hypergrad_norm, 1e-2);
  EXPECT_GT(r.trace.records.front().hypergrad_norm, 1e-2);
  EXPECT_EQ(r.iters, r.trace.records.back().iter);
}

TEST(F2ba, ReportsDivergenceInsteadOfThrowing) {
  Quadratic q(testing::small_quadratic());
  F2baOptions o;
  o.eta = 1e6;
  RunSettings s = iterations(500);
  s.diagnostics = true;
  const Result r = run_f2ba(q, o, s);
  EXPECT_EQ(r.status, Status::kDiverged);
  EXPECT_LT(r.iters, 500);
}

TEST(F2ba, ReportsAFiniteBlowUpAsDivergence) {
  // An outer step of about 6/L_phi makes x grow geometrically while every value stays finite
  // long after the run is hopeless. (The lagging inner iterates damp the outer iteration:
  // steps up to about 5/L_phi still converge here.)
  Quadratic q(QuadraticOptions{});
  F2baOptions o;
  o.eta = 2.0;
  RunSettings s = iterations(2000);
  s.diagnostics = true;
  const Result r = run_f2ba(q, o, s);
  EXPECT_EQ(r.status, Status::kDiverged);
  EXPECT_TRUE(std::isfinite(r.phi));
  EXPECT_LT(r.iters, 200);
  EXPECT_NE(r.message.find("1e6-fold"), std::string::npos);
}

}  // namespace
}  // namespace bilevel
