// ITD: convergence on the quadratic, the reverse-mode hypergradient against central
// differences of the unrolled map, its bias in K, exact oracle counts, options,
// reproducibility.
#include "bilevel/algorithms/itd.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_gradient;
using testing::iterations;
using testing::random_vector;
using testing::rel_err;
using testing::small_quadratic;

// One ITD step from (x0, y0); returns the hypergradient it computed at x0.
Vec itd_hypergradient(const ItdOptions& o, Problem& q, const Vec& x0, const Vec& y0) {
  const Result r = Itd(o).solve(q, x0, y0, iterations(1));
  return testing::state_of<Itd>(r).last_hypergradient();
}

TEST(Itd, ReachesStationaryPointOnQuadratic) {
  Quadratic q(QuadraticOptions{});  // dx = dy = 20, kappa = 10
  // The unrolled derivative misses a factor (1 - alpha mu)^K = 0.9^K of dy*/dx even at a
  // converged warm start: the default K = 10 stalls near ||grad phi|| ~ 1; K = 150 gives ~1e-7.
  ItdOptions o;
  o.K = 150;
  Itd a(o);
  RunSettings s;
  s.stopping.tol = 1e-6;
  s.stopping.max_iters = 2000;
  const Result r = a.solve(q, s);
  EXPECT_EQ(r.status, Status::kConverged) << r.message << "; ||grad phi|| = " << r.hypergrad_norm;
  EXPECT_LE(r.hypergrad_norm, 1e-6);
}

TEST(Itd, HypergradientIsTheDerivativeOfTheUnrolledObjective) {
  const QuadraticOptions qo = small_quadratic();
  ItdOptions o;
  o.K = 7;
  o.alpha = 0.6;
  const Vec x0 = random_vector(qo.dx, 1);
  const Vec y0 = random_vector(qo.dy, 2);  // far from y*(x0): every unrolled step matters

  // x -> f(x, y_K(x)) with y_0 = y0 held fixed, on a separate instance.
  Quadratic ref(qo);
  auto unrolled_objective = [&](const Vec& x) {
    Vec y = y0, gy;
    for (Index k = 0; k < *o.K; ++k) {
      ref.grad(Fn::kG, x, y, Batch{}, nullptr, &gy);
      y -= *o.alpha * gy;
    }
    return ref.value(Fn::kF, x, y, Batch{});
  };
  // The objective is quadratic in x, so central differences are exact up to rounding.
  const Vec fd = fd_gradient(unrolled_objective, x0, 1e-4);
  Quadratic q(qo);
  EXPECT_LT(rel_err(itd_hypergradient(o, q, x0, y0), fd), 1e-7);
}

TEST(Itd, HypergradientBiasShrinksLikeTheInnerContraction) {
  const QuadraticOptions qo;
  Quadratic q(qo);
  Diagnostics d(q);
  const Vec x0 = random_vector(qo.dx, 3);
  const Vec ys = d.lower_solution(x0);  // warm start at y*(x0): only the truncation remains
  const Vec exact = d.hypergradient(x0);
  ItdOptions o;
  o.K = 40;
  const double e40 = rel_err(itd_hypergradient(o, q, x0, ys), exact);
  o.K = 80;
  const double e80 = rel_err(itd_hypergradient(o, q, x0, ys), exact);
  // dy_K/dx = (I - (I - alpha Hyy)^K) dy*/dx: the error contracts by <= 0.9 per step.
  EXPECT_LT(e80, std::pow(0.9, 40) * e40 * 1.05);
  EXPECT_LT(e80, 1e-3);
}

TEST(Itd, OracleCountsMatchThePseudoCode) {
  const QuadraticOptions qo = small_quadratic();
  Quadratic q(qo);
  ItdOptions o;
  o.K = 6;
  Itd a(o);
  const Index T = 5;
  const Result r = a.solve(q, iterations(T));
  ASSERT_EQ(r.iters, T);
  // Per iteration: K grad_y g forward; one grad f; backward K Hxy and K - 1 Hyy (the adjoint
  // of y_0 is not needed since y_0 does not depend on x).
  const auto K = static_cast<Index>(*o.K);
  EXPECT_EQ(r.counts.g.grad, T * K);
  EXPECT_EQ(r.counts.f.grad, T);
  EXPECT_EQ(r.counts.g.hvp, T * (2 * K - 1));
  EXPECT_EQ(r.counts.f.hvp, 0);
  EXPECT_EQ(r.counts.value_calls(), 0);
  EXPECT_EQ(r.counts.f.samples, T * qo.n_f);
  EXPECT_EQ(r.counts.g.samples, (r.counts.g.grad + r.counts.g.hvp) * qo.n_g);
}

TEST(Itd, WarmStartsFromThePreviousFinalIterate) {
  // Two one-step runs chained by hand equal one two-step run: the second unroll starts at
  // the first's y_K, and current_y reports that y_K.
  const QuadraticOptions qo = small_quadratic();
  ItdOptions o;
  o.K = 3;
  Quadratic q1(qo), q2(qo);
  Itd one(o), two(o);
  const Vec x0 = random_vector(qo.dx, 4), y0 = random_vector(qo.dy, 5);
  const Result first = one.solve(q1, x0, y0, iterations(1));
  const Result second = one.solve(q1, first.x, first.y, iterations(1));
  const Result both = two.solve(q2, x0, y0, iterations(2));
  EXPECT_EQ(second.x, both.x);
  EXPECT_EQ(second.y, both.y);
  EXPECT_NE(first.y, y0);
}

TEST(Itd, ResolvesAutoStepsFromTheProblemConstants) {
  Quadratic q(small_quadratic());
  Itd a;
  const Result r = a.solve(q, iterations(1));
  // K from kappa = L_g/mu_g for the target eps = 1e-6: ceil(kappa ln(kappa/eps)).
  const double kappa = *q.constants().L_g / *q.constants().mu_g;
  const KeyValues expected = {{"eps", "1e-06"},
                              {"K", format_double(std::ceil(kappa * std::log(kappa / 1e-6)))},
                              {"alpha", format_double(1.0 / *q.constants().L_g)},
                              {"eta", format_double(1.0 / *q.constants().L_phi)}};
  EXPECT_EQ(testing::options_text(r), expected);
}

TEST(ItdOptions, DefaultsAreValid) { EXPECT_TRUE(Itd(ItdOptions{}).validate().empty()); }

TEST(ItdOptions, RejectsBadValuesNamingTheOption) {
  struct Case {
    std::string key, value, message;
  };
  for (const Case& c :
       {Case{"K", "0", "K must be an integer >= 1"}, Case{"K", "2.5", "K must be an integer >= 1"},
        Case{"eta", "-0.5", "eta must be > 0"}, Case{"alpha", "0", "alpha must be > 0"}}) {
    const auto a = Itd().with_options({{c.key, c.value}});
    const auto v = a->validate();
    ASSERT_EQ(v.size(), 1u) << c.key << "=" << c.value;
    EXPECT_NE(v[0].find(c.message), std::string::npos) << v[0];
    Quadratic q(small_quadratic());
    try {
      a->solve(q, iterations(1));
      ADD_FAILURE() << "run() accepted " << c.key << "=" << c.value;
    } catch (const InvalidOptions& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

TEST(Itd, TwoRunsWithTheSameSeedGiveIdenticalTraces) {
  QuadraticOptions qo = small_quadratic();
  qo.sigma = 0.1;  // noisy gradients: the run depends on the seed
  auto run = [&](std::uint64_t seed) {
    Quadratic q(qo);
    Itd a;
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

TEST(Itd, IsRegisteredByName) {
  EXPECT_EQ(testing::option_text(make_algorithm("itd", {{"K", "25"}})->option_values(), "K"), "25");
}

}  // namespace
}  // namespace bilevel
