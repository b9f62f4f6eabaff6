// AID-CG and AID-NS: convergence on the quadratic, the hypergradient against the exact one,
// the Neumann truncation rate, exact oracle counts, options, reproducibility.
#include "bilevel/algorithms/aid.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;
using testing::mentions;
using testing::random_vector;
using testing::rel_err;
using testing::run_error;
using testing::small_quadratic;

RunSettings until_stationary(Index max_iters) {
  RunSettings s;
  s.stopping.tol = 1e-6;
  s.stopping.max_iters = max_iters;
  return s;
}



// One step from (x0, y0); returns the hypergradient estimate made at x0.
Vec hypergradient_at(const Algorithm& a, Problem& q, const Vec& x0, const Vec& y0) {
  const Result r = a.solve(q, x0, y0, iterations(1));
  return r.state_as<AidRun>()->last_hypergradient();
}



// --- aid-cg --------------------------------------------------------------------------------

TEST(AidCg, ReachesStationaryPointOnQuadratic) {
  Quadratic q(QuadraticOptions{});  // dx = dy = 20, kappa = 10
  AidCg a;
  const Result r = a.solve(q, until_stationary(2000));
  EXPECT_EQ(r.status, Status::kConverged) << r.message << "; ||grad phi|| = " << r.hypergrad_norm;
  EXPECT_LE(r.hypergrad_norm, 1e-6);
}

TEST(AidCg, HypergradientIsExactWhenInnerSolveAndLinearSolveAreExact) {
  const QuadraticOptions qo;
  Quadratic q(qo);
  Diagnostics d(q);
  const Vec x0 = random_vector(qo.dx, 1);
  const Vec y0 = Vec::Zero(qo.dy);
  const Vec exact = d.hypergradient(x0);

  // 500 inner steps contract the y error by 0.9^500; 100 CG updates solve a 20-dim system.
  AidCgOptions o;
  o.K = 500;
  o.N = 100;
  o.cg_tol = 1e-14;
  AidCg precise(o);
  EXPECT_LT(rel_err(hypergradient_at(precise, q, x0, y0), exact), 1e-8);

  // The same check detects an inexact estimate: few steps leave an O(1) relative error.
  o.K = 10;
  o.N = 10;
  AidCg rough(o);
  EXPECT_GT(rel_err(hypergradient_at(rough, q, x0, y0), exact), 1e-2);
}

TEST(AidCg, OracleCountsMatchThePseudoCode) {
  const QuadraticOptions qo = small_quadratic();
  Quadratic q(qo);
  AidCgOptions o;
  o.K = 3;
  o.N = 4;
  o.cg_tol = 1e-300;  // never reached: CG performs all of its products
  AidCg a(o);
  const Index T = 5;
  const Result r = a.solve(q, iterations(T));
  ASSERT_EQ(r.iters, T);
  // Per iteration: K grad_y g, one grad f, N CG products and one Hxy; from the second
  // iteration on, v is warm-started and CG spends one more product on its initial residual.
  EXPECT_EQ(r.counts.g.grad, T * o.K);
  EXPECT_EQ(r.counts.f.grad, T);
  EXPECT_EQ(r.counts.g.hvp, T * (o.N + 1) + (T - 1));
  EXPECT_EQ(r.counts.f.hvp, 0);
  EXPECT_EQ(r.counts.value_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, T * qo.n_f);
  EXPECT_EQ(r.counts.g.samples, (r.counts.g.grad + r.counts.g.hvp) * qo.n_g);
}

TEST(AidCg, StopsConjugateGradientsEarlyAtTheTolerance) {
  const QuadraticOptions qo = small_quadratic();  // dy = 5: CG is exact after 5 updates
  Quadratic q(qo);
  AidCgOptions o;
  o.K = 1;
  o.N = 50;
  AidCg a(o);
  const Result r = a.solve(q, iterations(1));
  EXPECT_LE(r.counts.g.hvp, qo.dy + 1 + 1);  // <= dy updates (+1 spare for rounding) + Hxy
}

TEST(AidCg, ResolvesAutoStepsFromTheProblemConstants) {
  Quadratic q(small_quadratic());
  AidCg a;
  const Result r = a.solve(q, iterations(1));
  const KeyValues expected = {{"K", "10"},
                              {"alpha", format_double(1.0 / *q.constants().L_g)},
                              {"N", "10"},
                              {"cg_tol", format_double(1e-10)},
                              {"eta", format_double(1.0 / *q.constants().L_phi)}};
  EXPECT_EQ(testing::options_text(r), expected);
}

TEST(AidCgOptions, DefaultsAreValid) { EXPECT_TRUE(AidCg(AidCgOptions{}).validate().empty()); }

TEST(AidCgOptions, RejectsBadValuesNamingTheOption) {
  struct Case {
    std::string key, value, message;
  };
  for (const Case& c :
       {Case{"K", "0", "K must be >= 1"}, Case{"N", "0", "N must be >= 1"},
        Case{"eta", "-0.5", "eta must be > 0"}, Case{"alpha", "-1", "alpha must be > 0"},
        Case{"cg_tol", "0", "cg_tol must be > 0"}}) {
    const auto a = AidCg().with_options({{c.key, c.value}});
    EXPECT_TRUE(mentions(a->validate(), c.message)) << c.key << "=" << c.value;
    EXPECT_NE(run_error(*a).find(c.message), std::string::npos) << c.key << "=" << c.value;
  }
}

TEST(AidCg, TwoRunsWithTheSameSeedGiveIdenticalTraces) {
  QuadraticOptions qo = small_quadratic();
  qo.sigma = 0.1;  // noisy gradients: the run depends on the seed
  auto run = [&](std::uint64_t seed) {
    Quadratic q(qo);
    AidCg a;
    RunSettings s;
    s.stopping.max_iters = 20;
    s.seed = seed;
    return a.solve(q, s);
  };
  const Result a = run(7), b = run(7), c = run(8);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  testing::expect_identical_traces(a.trace, b.trace);
  EXPECT_NE(a.x, c.x) << "the gradient noise should depend on the seed";
}

// --- aid-ns --------------------------------------------------------------------------------

TEST(AidNs, ReachesStationaryPointOnQuadratic) {
  Quadratic q(QuadraticOptions{});  // dx = dy = 20, kappa = 10
  // Without a warm start the series leaves a bias of order (1 - mu/L)^Q = 0.9^Q in the
  // hypergradient: the default Q = 10 stalls near ||grad phi|| ~ 1; Q = 150 gives ~1e-7.
  AidNsOptions o;
  o.Q = 150;
  AidNs a(o);
  const Result r = a.solve(q, until_stationary(2000));
  EXPECT_EQ(r.status, Status::kConverged) << r.message << "; ||grad phi|| = " << r.hypergrad_norm;
  EXPECT_LE(r.hypergrad_norm, 1e-6);
}

TEST(AidNs, HypergradientErrorDecreasesGeometricallyInQ) {
  const QuadraticOptions qo;
  Quadratic q(qo);
  Diagnostics d(q);
  const Vec x0 = random_vector(qo.dx, 2);
  const Vec ys = d.lower_solution(x0);  // y exact: only the series truncation remains
  const Vec exact = d.hypergradient(x0);
  const double mu = *q.constants().mu_g;
  for (double alpha_ns : {1.0, 0.5}) {
    // Per product the error contracts by at most rho = 1 - alpha_ns mu (the slowest mode),
    // and by nearly that: the modes with eigenvalues just above mu (log-spaced spectrum)
    // contract only a little faster, so the observed rate sits slightly below rho.
    const double rho = 1 - alpha_ns * mu;
    double prev_err = 0;
    Index prev_q = 0;
    for (Index Q : {10, 20, 40, 80, 160}) {
      AidNsOptions o;
      o.K = 1;
      o.Q = Q;
      o.alpha_ns = alpha_ns;
      AidNs a(o);
      const double err = rel_err(hypergradient_at(a, q, x0, ys), exact);
      if (prev_q > 0) {
        const double rate = std::pow(err / prev_err, 1.0 / static_cast<double>(Q - prev_q));
        EXPECT_LE(rate, rho + 2e-3) << "alpha_ns=" << alpha_ns << " Q=" << Q;
        EXPECT_GE(rate, rho - 0.03) << "alpha_ns=" << alpha_ns << " Q=" << Q;
      }
      prev_err = err;
      prev_q = Q;
    }
  }
}

TEST(AidNs, OracleCountsMatchThePseudoCode) {
  const QuadraticOptions qo = small_quadratic();
  Quadratic q(qo);
  AidNsOptions o;
  o.K = 4;
  o.Q = 6;
  AidNs a(o);
  const Index T = 5;
  const Result r = a.solve(q, iterations(T));
  ASSERT_EQ(r.iters, T);
  // Per iteration: K grad_y g, one grad f, Q Hyy products for the series and one Hxy.
  EXPECT_EQ(r.counts.g.grad, T * o.K);
  EXPECT_EQ(r.counts.f.grad, T);
  EXPECT_EQ(r.counts.g.hvp, T * (o.Q + 1));
  EXPECT_EQ(r.counts.f.hvp, 0);
  EXPECT_EQ(r.counts.value_calls(), 0);
  EXPECT_EQ(r.counts.g.samples, (r.counts.g.grad + r.counts.g.hvp) * qo.n_g);
}

TEST(AidNs, ZeroTermsUseTheScaledRightHandSide) {
  // Q = 0 is the one-term series v = alpha_ns grad_y f: no Hyy product at all.
  const QuadraticOptions qo = small_quadratic();
  Quadratic q(qo);
  AidNsOptions o;
  o.K = 1;
  o.Q = 0;
  AidNs a(o);
  const Result r = a.solve(q, iterations(1));
  EXPECT_EQ(r.counts.g.hvp, 1);
}

TEST(AidNsOptions, DefaultsAreValid) { EXPECT_TRUE(AidNs(AidNsOptions{}).validate().empty()); }

TEST(AidNsOptions, RejectsBadValuesNamingTheOption) {
  struct Case {
    std::string key, value, message;
  };
  for (const Case& c :
       {Case{"K", "0", "K must be >= 1"}, Case{"Q", "-1", "Q must be >= 0"},
        Case{"eta", "-0.5", "eta must be > 0"}, Case{"alpha_ns", "0", "alpha_ns must be > 0"}}) {
    const auto a = AidNs().with_options({{c.key, c.value}});
    EXPECT_TRUE(mentions(a->validate(), c.message)) << c.key << "=" << c.value;
    EXPECT_NE(run_error(*a).find(c.message), std::string::npos) << c.key << "=" << c.value;
  }
}

TEST(AidNs, TwoRunsWithTheSameSeedGiveIdenticalTraces) {
  QuadraticOptions qo = small_quadratic();
  qo.sigma = 0.1;
  auto run = [&](std::uint64_t seed) {
    Quadratic q(qo);
    AidNs a;
    RunSettings s;
    s.stopping.max_iters = 20;
    s.seed = seed;
    return a.solve(q, s);
  };
  const Result a = run(7), b = run(7), c = run(8);
  EXPECT_EQ(a.x, b.x);
  testing::expect_identical_traces(a.trace, b.trace);
  EXPECT_NE(a.x, c.x);
}

TEST(Aid, BothVariantsAreRegisteredByName) {
  EXPECT_EQ(testing::option_text(make_algorithm("aid-cg", {{"N", "25"}})->option_values(), "N"), "25");
  EXPECT_EQ(testing::option_text(make_algorithm("aid-ns", {{"Q", "25"}})->option_values(), "Q"), "25");
}

}  // namespace
}  // namespace bilevel
