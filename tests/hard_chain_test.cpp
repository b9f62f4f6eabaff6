// The zero-chain lower-bound instances (hard-carmon, hard-arjevani, hard-separable, hard-kwon;
// problems/hard_chain.hpp, hard_kwon.hpp), checked against what the lower bounds need: the
// scaled chain's constants (||grad F|| > eps while x_T is below lam, F(0) - inf F <= delta,
// L_f-smoothness, ||grad F||_inf <= 23 eps), the probability-p oracle's mean and variance, each
// instance's lower level and closed forms, and the zero-chain argument on real runs: f2ba,
// aid-cg and itd started at 0 advance the chain by at most one coordinate per oracle call of
// the function that carries it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include <Eigen/Eigenvalues>

#include "bilevel/core/error.hpp"
#include "bilevel/hard/probability_p.hpp"
#include "bilevel/hard/scaled_chain.hpp"
#include "bilevel/hard/hard_chain.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using hard::ScaledChain;
using testing::fd_gradient;
using testing::fd_jacobian;
using testing::random_vector;
using testing::rel_err;

constexpr double kEps = 0.01, kDelta = 2.0, kL = 3.0;

// A point at the chain's scale: coordinates in [-3 lam, 3 lam], the last one below lam.
Vec point_before_end(const ScaledChain& c, std::uint64_t seed) {
  Vec x = 3 * c.lam() * random_vector(c.dim(), seed).cwiseMax(-1.0).cwiseMin(1.0);
  x(c.dim() - 1) = 0.99 * c.lam() * std::tanh(x(c.dim() - 1));
  return x;
}

TEST(ScaledChain, SizesFollowTheScaling) {
  const ScaledChain c(kL, kDelta, kEps);
  EXPECT_DOUBLE_EQ(c.lam(), 152 * kEps / kL);
  EXPECT_EQ(c.dim(), static_cast<Index>(std::floor(kDelta * kL / (1824 * kEps * kEps))));
  EXPECT_NEAR(c.grad_inf_bound(), 23 * kEps, 1e-15);
  // An eps too large for delta leaves no chain: one clear error naming the largest eps.
  try {
    ScaledChain(1.0, 1.0, 0.1);
    FAIL() << "accepted an empty chain";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("use eps <="), std::string::npos) << e.what();
  }
}

TEST(ScaledChain, GradientExceedsEpsWhileTheLastCoordinateIsBelowLam) {
  const ScaledChain c(kL, kDelta, kEps);
  for (std::uint64_t s = 1; s <= 300; ++s) {
    const Vec x = point_before_end(c, s);
    Vec g;
    c.gradient(x, &g);
    ASSERT_GT(g.norm(), kEps) << "seed " << s;
    EXPECT_LE(g.lpNorm<Eigen::Infinity>(), c.grad_inf_bound()) << "seed " << s;
  }
}

TEST(ScaledChain, DerivativesMatchFiniteDifferencesAndAreLfSmooth) {
  const ScaledChain c(kL, kDelta, kEps);
  for (std::uint64_t s = 1; s <= 5; ++s) {
    const Vec x = point_before_end(c, s);
    Vec g, hu;
    c.gradient(x, &g);
    EXPECT_LT(rel_err(g, fd_gradient([&](const Vec& v) { return c.value(v); }, x)), 1e-6);
    const Vec u = random_vector(c.dim(), 100 + s);
    c.hessian_product(x, u, &hu);
    const Mat J = fd_jacobian(
        [&](const Vec& v) {
          Vec gv;
          c.gradient(v, &gv);
          return gv;
        },
        x);
    EXPECT_LT(rel_err(hu, J * u), 1e-6);
    EXPECT_LT((c.hessian(x) - J).norm(), 1e-6 * std::max(1.0, J.norm()));
  }
  // Largest Hessian eigenvalue magnitude over many points at the chain's scale: <= L_f, and
  // not far below it (the constant is the paper's, not loose by orders of magnitude).
  double worst = 0;
  for (std::uint64_t s = 1; s <= 400; ++s) {
    const Mat H = c.hessian(point_before_end(c, s) * 0.5);
    const Vec ev = Eigen::SelfAdjointEigenSolver<Mat>(H).eigenvalues();
    worst = std::max(worst, ev.cwiseAbs().maxCoeff());
  }
  EXPECT_LE(worst, kL);
  EXPECT_GT(worst, kL / 100);
}

TEST(ScaledChain, OptimalityGapIsAtMostDelta) {
  const ScaledChain c(kL, kDelta, kEps);
  ASSERT_GE(c.dim(), 10);
  double best = c.value(Vec::Zero(c.dim()));
  // Far along the chain (every link completed) and gradient descent (step 1/L) from several
  // starts: the lowest values F reaches.
  for (double t : {1.0, 2.0, 5.0, 20.0})
    best = std::min(best, c.value(Vec::Constant(c.dim(), t * c.lam())));
  for (std::uint64_t s = 0; s < 4; ++s) {
    Vec x = s == 0 ? Vec::Zero(c.dim()) : point_before_end(c, s);
    Vec g;
    for (int k = 0; k < 20000; ++k) {
      c.gradient(x, &g);
      x -= g / kL;
    }
    best = std::min(best, c.value(x));
  }
  const double gap = c.value(Vec::Zero(c.dim())) - best;
  EXPECT_LE(gap, kDelta);
  EXPECT_GT(gap, 0.5 * kDelta);  // delta is nearly attained: the scaling is not loose
}

TEST(ProbabilityP, OracleIsUnbiasedWithTheStatedVarianceAndExactWithoutSeed) {
  const ScaledChain c(kL, kDelta, kEps);
  const double p = hard::keep_probability(c.grad_inf_bound(), 0.05);
  EXPECT_NEAR(p, 0.23 * 0.23 / (0.23 * 0.23 + 0.05 * 0.05), 1e-12);
  // A point whose next coordinate (the first zero) carries a non-zero gradient.
  Vec x = Vec::Zero(c.dim());
  x.head(3) = Vec::Constant(3, 1.5 * c.lam());
  ASSERT_EQ(hard::next_coordinate(x), 3);
  Vec g, s;
  c.gradient(x, &g);
  ASSERT_GT(std::abs(g(3)), 0.1 * c.grad_inf_bound());
  c.stochastic_gradient(x, std::nullopt, p, &s);
  EXPECT_EQ(s, g);
  const int n = 40000;
  Vec mean = Vec::Zero(c.dim());
  double sq = 0;
  for (int k = 0; k < n; ++k) {
    c.stochastic_gradient(x, static_cast<std::uint64_t>(k) * 7919 + 1, p, &s);
    mean += s / n;
    sq += (s - g).squaredNorm() / n;
  }
  // Only coordinate 3 is random: mean g_3, variance g_3^2 (1 - p) / p <= G^2 (1 - p) / p.
  const double var = g(3) * g(3) * (1 - p) / p;
  EXPECT_LT((mean - g).norm(), 5 * std::sqrt(var / n));
  EXPECT_NEAR(sq, var, 0.05 * var);
  EXPECT_LE(sq, c.grad_inf_bound() * c.grad_inf_bound() * (1 - p) / p * 1.05);
}

struct Instance {
  std::string name;
  Fn carrier;  // the function whose oracle calls advance the chain
};

class HardInstance : public ::testing::TestWithParam<Instance> {
 protected:
  std::unique_ptr<Problem> make(KeyValues extra = {}) const {
    KeyValues kv = {{"eps", "0.01"}, {"delta", "2"}, {"L_f", "3"}, {"mu", "0.5"}};
    for (auto& e : extra) kv.push_back(e);
    return make_problem(GetParam().name, kv);
  }
};

TEST_P(HardInstance, LowerLevelIsMuStronglyConvexAndLgSmooth) {
  auto p = make();
  const ProblemConstants c = p->constants();
  ASSERT_TRUE(c.mu_g && c.L_g);
  for (std::uint64_t s = 1; s <= 3; ++s) {
    const Vec x = random_vector(p->dim_x(), s), y = random_vector(p->dim_y(), s + 10);
    Mat hyy;
    p->hessian(Fn::kG, x, y, {}, nullptr, nullptr, &hyy);
    const Vec ev = Eigen::SelfAdjointEigenSolver<Mat>(hyy).eigenvalues();
    EXPECT_NEAR(ev.minCoeff(), *c.mu_g, 1e-12);
    EXPECT_NEAR(ev.maxCoeff(), *c.L_g, 1e-12);
    EXPECT_DOUBLE_EQ(*c.mu_g, 0.5);
  }
}

TEST_P(HardInstance, OraclesMatchFiniteDifferences) {
  auto p = make();
  const ScaledChain& chain = dynamic_cast<HardChainProblem&>(*p).chain();
  const Vec x = point_before_end(chain, 3), y = 0.5 * random_vector(p->dim_y(), 4);
  for (Fn fn : {Fn::kF, Fn::kG}) {
    Vec gx, gy;
    p->grad(fn, x, y, {}, &gx, &gy);
    EXPECT_LT((gx - fd_gradient([&](const Vec& v) { return p->value(fn, v, y); }, x)).norm(),
              1e-7 * std::max(1.0, gx.norm()));
    EXPECT_LT((gy - fd_gradient([&](const Vec& v) { return p->value(fn, x, v); }, y)).norm(),
              1e-7 * std::max(1.0, gy.norm()));
  }
  for (Fn fn : {Fn::kF, Fn::kG})
    testing::expect_second_order_matches_finite_differences(
        *p, fn, x, y, random_vector(p->dim_y(), 5), random_vector(p->dim_x(), 6), {}, 1e-5);
}

TEST_P(HardInstance, ClosedFormsAreTheBilevelSolution) {
  auto p = make();
  const ScaledChain& chain = dynamic_cast<HardChainProblem&>(*p).chain();
  const Vec x = point_before_end(chain, 7);
  Vec ystar, gphi, gyg, gxf, gyf;
  ASSERT_TRUE(p->closed_form_solution(x, 0.0, &ystar));
  p->grad(Fn::kG, x, ystar, {}, nullptr, &gyg);
  EXPECT_LT(gyg.norm(), 1e-12);
  // grad phi = grad_x f - Hxy g (Hyy g)^-1 grad_y f, from the oracles.
  ASSERT_TRUE(p->closed_form_hypergradient(x, &gphi));
  Mat hxy, hyy;
  p->hessian(Fn::kG, x, ystar, {}, nullptr, &hxy, &hyy);
  p->grad(Fn::kF, x, ystar, {}, &gxf, &gyf);
  EXPECT_LT(rel_err(gphi, gxf - hxy * hyy.ldlt().solve(gyf)), 1e-10);
  // ... and the derivative of phi(x) = f(x, y*(x)).
  auto phi = [&](const Vec& v) {
    Vec yv;
    p->closed_form_solution(v, 0.0, &yv);
    return p->value(Fn::kF, v, yv);
  };
  EXPECT_LT(rel_err(gphi, fd_gradient(phi, x)), 1e-6);
  EXPECT_NEAR(phi(x), chain.value(x), 1e-12);
  Mat hphi;
  ASSERT_TRUE(p->closed_form_hessian_phi(x, &hphi));
  EXPECT_LT((hphi - chain.hessian(x)).norm(), 1e-12);
}

TEST_P(HardInstance, MetricsCountActiveCoordinates) {
  auto p = make();
  ASSERT_EQ(p->metric_names(),
            (std::vector<std::string>{"active_x", "active_y", "chain_progress"}));
  Vec x = Vec::Zero(p->dim_x()), y = Vec::Zero(p->dim_y());
  x(0) = 1;
  x(4) = -2;
  const std::vector<double> m = p->metrics(x, y);
  EXPECT_EQ(m[0], 2);
  EXPECT_EQ(m[1], 0);
  EXPECT_EQ(m[2], 5);
}

// The zero-chain argument: from (0, 0), each oracle call of the carrying function reveals at
// most one new coordinate, so chain_progress <= those calls after every iteration, and x_T stays
// 0 (with ||grad phi|| > eps) until T of them were made.
TEST_P(HardInstance, MethodsActivateAtMostOneCoordinatePerCall) {
  for (const std::string algo : {"f2ba", "aid-cg", "itd"}) {
    auto p = make({{"eps", "0.02"}, {"delta", "40"}});
    const Index T = p->dim_x();
    auto a = make_algorithm(algo, {});
    RunSettings s = testing::seeded(400, 1);
    Index max_progress = 0, reached_end_at = -1;
    const Fn carrier = GetParam().carrier;
    s.callbacks.push_back([&](const IterRecord& r, const Vec&, const Vec&) {
      const FunctionCounts& c = r.counts.of(carrier);
      const Index calls = c.grad + c.hvp + c.hess;
      const Index progress = static_cast<Index>(r.metrics[2]);
      EXPECT_LE(progress, calls) << algo << " iter " << r.iter;
      max_progress = std::max(max_progress, progress);
      if (progress < T) EXPECT_GT(r.hypergrad_norm, 0.02) << algo << " iter " << r.iter;
      if (progress >= T && reached_end_at < 0) reached_end_at = calls;
      return Action::kContinue;
    });
    const Result res = a->solve(*p, s);
    EXPECT_GE(max_progress, 3) << algo << ": the chain should move at all";
    if (reached_end_at >= 0) EXPECT_GE(reached_end_at, T) << algo;
    if (res.x(T - 1) != 0.0) EXPECT_GE(res.counts.of(carrier).grad + res.counts.of(carrier).hvp, T);
  }
}

INSTANTIATE_TEST_SUITE_P(Instances, HardInstance,
                         ::testing::Values(Instance{"hard-carmon", Fn::kF},
                                           Instance{"hard-arjevani", Fn::kF},
                                           Instance{"hard-separable", Fn::kF},
                                           Instance{"hard-kwon", Fn::kG}),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// With the probability-p oracle the chain advances about p coordinates per call: after N calls
// of f the progress is at most Binomial(N, p) (each call reveals the frontier coordinate with
// probability p), while the exact oracle walks the chain further in the same iterations.
// (With a moderate p the method is not slowed: a revealed coordinate gets a 1/p times larger
// step, so the expected motion is the deterministic one; p must be small against the number
// of calls a link needs anyway.)
TEST(HardArjevani, ChainAdvancesWithProbabilityP) {
  auto p = make_problem("hard-arjevani", {{"eps", "0.02"}, {"delta", "40"}, {"sigma", "50"}});
  const double keep = dynamic_cast<HardChainProblem&>(*p).keep_probability();
  ASSERT_LT(keep, 1e-4);
  RunSettings s = testing::seeded(300, 3);
  const Result res = make_algorithm("f2ba", {})->solve(*p, s);
  const double calls = static_cast<double>(res.counts.f.grad);
  const double bound = keep * calls + 5 * std::sqrt(keep * calls) + 1;
  EXPECT_LE(res.trace.records.back().metrics[2], bound) << "calls " << calls << " p " << keep;
  auto q = make_problem("hard-carmon", {{"eps", "0.02"}, {"delta", "40"}});
  const Result det = make_algorithm("f2ba", {})->solve(*q, s);
  EXPECT_GT(det.trace.records.back().metrics[2], bound);
}

// The stochastic instances' oracles through Problem::grad, with a noise seed per call: unbiased,
// and within the variance bound sigma^2 the option states (hard-kwon's on the y*-aware
// neighbourhood |y - F(x)| <= eps); a call without a seed is exact.
TEST(HardStochasticOracles, AreUnbiasedWithinTheStatedVariance) {
  struct Case {
    std::string name;
    Fn fn;
    bool wrt_x;
    double sigma;
  };
  // G = 23 eps = 0.23 (hard-kwon: mu eps G = 0.0023): p = 0.17 in each case.
  for (const Case& c : {Case{"hard-arjevani", Fn::kF, false, 0.5},
                        Case{"hard-separable", Fn::kF, true, 0.5},
                        Case{"hard-kwon", Fn::kG, true, 0.005}}) {
    auto p = make_problem(c.name, {{"eps", "0.01"}, {"delta", "2"}, {"L_f", "3"},
                                   {"sigma", format_double(c.sigma)}});
    const auto& hp = dynamic_cast<HardChainProblem&>(*p);
    ASSERT_NEAR(hp.keep_probability(), 0.17, 0.01) << c.name;
    // The chain variable is active up to coordinate 3 (beyond 1/2 in units of lam).
    Vec chain = Vec::Zero(hp.chain().dim());
    chain.head(3) = Vec::Constant(3, 1.5 * hp.chain().lam());
    Vec x = c.wrt_x ? chain : Vec(Vec::Zero(p->dim_x()));
    Vec y = c.wrt_x ? Vec(Vec::Zero(p->dim_y())) : chain;
    if (c.name == "hard-kwon") y(0) = hp.chain().value(x) + 0.01;  // |y - F(x)| = eps
    auto grad = [&](const Batch& b) {
      Vec gx, gy;
      p->grad(c.fn, x, y, b, &gx, &gy);
      return c.wrt_x ? gx : gy;
    };
    const Vec exact = grad({});
    const int n = 40000;
    Vec mean = Vec::Zero(exact.size());
    double var = 0;
    for (int k = 0; k < n; ++k) {
      Batch b;
      b.noise_seed = 1000 + static_cast<std::uint64_t>(k);
      const Vec g = grad(b);
      mean += g / n;
      var += (g - exact).squaredNorm() / n;
    }
    EXPECT_GT(var, 0.0) << c.name << ": the oracle is not random";
    EXPECT_LT((mean - exact).norm(), 5 * std::sqrt(var / n)) << c.name;
    EXPECT_LE(var, 1.05 * c.sigma * c.sigma) << c.name;
  }
}

TEST(HardKwon, PenaltySolutionIsClosedForm) {
  auto p = make_problem("hard-kwon", {{"eps", "0.01"}, {"delta", "2"}, {"mu", "2"}});
  const Vec x = random_vector(p->dim_x(), 9);
  Vec y, gf, gg;
  for (double sigma : {0.0, 0.1, 1.0}) {
    ASSERT_TRUE(p->closed_form_solution(x, sigma, &y));
    p->grad(Fn::kF, x, y, {}, nullptr, &gf);
    p->grad(Fn::kG, x, y, {}, nullptr, &gg);
    EXPECT_NEAR((sigma * gf + gg).norm(), 0.0, 1e-12) << sigma;
  }
}

}  // namespace
}  // namespace bilevel
