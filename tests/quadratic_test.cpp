// The quadratic problem: oracles against finite differences, closed forms against their
// definitions, prescribed spectra, minibatch and noise behaviour, counting.
#include "bilevel/problems/quadratic.hpp"

#include <gtest/gtest.h>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_gradient;
using testing::fd_jacobian;
using testing::rel_err;
using testing::small_quadratic;

// Tests take named references to its members, not a structured binding: clang 14 (the
// sanitizer build) cannot capture structured bindings in lambdas.
struct Point {
  Vec x, y;
};

Point random_point(const Problem& p, std::uint64_t seed) {
  Rng rng(seed);
  return {gaussian_vector(p.dim_x(), rng), gaussian_vector(p.dim_y(), rng)};
}

class QuadraticOracles : public ::testing::TestWithParam<Fn> {};

TEST_P(QuadraticOracles, GradientMatchesFiniteDifferencesOfValue) {
  Quadratic q(small_quadratic());
  const Fn fn = GetParam();
  const Point point = random_point(q, 3);
  const Vec &x = point.x, &y = point.y;
  const std::vector<Index> idx = {0, 2, 3};
  for (const Batch b : {Batch{}, Batch{std::span<const Index>(idx)}}) {
    Vec gx, gy;
    q.grad(fn, x, y, b, &gx, &gy);
    const Vec fx = fd_gradient([&](const Vec& xx) { return q.value(fn, xx, y, b); }, x);
    const Vec fy = fd_gradient([&](const Vec& yy) { return q.value(fn, x, yy, b); }, y);
    EXPECT_LT(rel_err(gx, fx), 1e-8);
    EXPECT_LT(rel_err(gy, fy), 1e-8);
  }
}

TEST_P(QuadraticOracles, SecondOrderProductsMatchFiniteDifferencesOfGradient) {
  Quadratic q(small_quadratic());
  const Fn fn = GetParam();
  const Point point = random_point(q, 4);
  const Vec &x = point.x, &y = point.y;
  Rng rng(5);
  const Vec v = gaussian_vector(q.dim_y(), rng);
  const Vec u = gaussian_vector(q.dim_x(), rng);
  const std::vector<Index> idx = {1, 4};
  for (const Batch b : {Batch{}, Batch{std::span<const Index>(idx)}}) {
    auto grad_y_at = [&](const Vec& xx, const Vec& yy) {
      Vec gy;
      q.grad(fn, xx, yy, b, nullptr, &gy);
      return gy;
    };
    auto grad_x_at = [&](const Vec& xx, const Vec& yy) {
      Vec gx;
      q.grad(fn, xx, yy, b, &gx, nullptr);
      return gx;
    };
    const Mat jyy = fd_jacobian([&](const Vec& yy) { return grad_y_at(x, yy); }, y);
    const Mat jyx = fd_jacobian([&](const Vec& xx) { return grad_y_at(xx, y); }, x);  // dy x dx
    const Mat jxy = fd_jacobian([&](const Vec& yy) { return grad_x_at(x, yy); }, y);  // dx x dy
    Vec hyy, hxy, hyx;
    q.hyy(fn, x, y, v, b, &hyy);
    q.hxy(fn, x, y, v, b, &hxy);
    q.hyx(fn, x, y, u, b, &hyx);
    EXPECT_LT(rel_err(hyy, jyy * v), 1e-8);
    EXPECT_LT(rel_err(hxy, jxy * v), 1e-8);  // d/dx <grad_y, v> = (d grad_x / dy) v
    EXPECT_LT(rel_err(hyx, jyx * u), 1e-8);
    Mat bxx, bxy, byy;
    q.hessian(fn, x, y, b, &bxx, &bxy, &byy);
    EXPECT_LT((byy * v - hyy).norm(), 1e-10);
    EXPECT_LT((bxy * v - hxy).norm(), 1e-10);
    EXPECT_LT((bxy.transpose() * u - hyx).norm(), 1e-10);
    const Mat jxx = fd_jacobian([&](const Vec& xx) { return grad_x_at(xx, y); }, x);
    EXPECT_LT((bxx - jxx).norm() / std::max(1.0, bxx.norm()), 1e-8);
    Vec hxx;
    q.hxx(fn, x, y, u, b, &hxx);
    EXPECT_LT((bxx * u - hxx).norm(), 1e-10);
  }
}

INSTANTIATE_TEST_SUITE_P(BothLevels, QuadraticOracles, ::testing::Values(Fn::kF, Fn::kG),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(Quadratic, LowerLevelHasThePrescribedSpectrum) {
  QuadraticOptions o;  // dx = dy = 20, mu = 0.1, L = 1: kappa = 10
  Quadratic q(o);
  const Index dx = q.dim_x(), dy = q.dim_y();
  Eigen::SelfAdjointEigenSolver<Mat> es(q.hessian_matrix(Fn::kG).bottomRightCorner(dy, dy));
  EXPECT_NEAR(es.eigenvalues().minCoeff(), 0.1, 1e-12);
  EXPECT_NEAR(es.eigenvalues().maxCoeff(), 1.0, 1e-12);
  EXPECT_NEAR(*q.constants().mu_g, 0.1, 1e-12);
  EXPECT_NEAR(*q.constants().L_g, 1.0, 1e-12);
  // The joint Hessian of g is positive semidefinite; f's has eigenvalues in [mu_f, L_f].
  Eigen::SelfAdjointEigenSolver<Mat> eg(q.hessian_matrix(Fn::kG));
  EXPECT_GE(eg.eigenvalues().minCoeff(), -1e-10);
  Eigen::SelfAdjointEigenSolver<Mat> ef(q.hessian_matrix(Fn::kF));
  EXPECT_NEAR(ef.eigenvalues().minCoeff(), o.mu_f, 1e-12);
  EXPECT_NEAR(ef.eigenvalues().maxCoeff(), o.L_f, 1e-12);
  (void)dx;
}

TEST(Quadratic, EveryLowerComponentStaysStronglyConvexInY) {
  QuadraticOptions o = small_quadratic();
  Quadratic q(o);
  const Index dy = q.dim_y();
  for (Index i = 0; i < o.n_g; ++i) {
    const std::vector<Index> one = {i};
    Mat hyy;
    q.hessian(Fn::kG, Vec::Zero(q.dim_x()), Vec::Zero(dy), Batch{std::span<const Index>(one)},
              nullptr, nullptr, &hyy);
    Eigen::SelfAdjointEigenSolver<Mat> es(hyy);
    EXPECT_GE(es.eigenvalues().minCoeff(), (1 - o.hetero) * o.mu - 1e-12);
  }
}

TEST(Quadratic, ComponentsAverageToTheFullOracle) {
  QuadraticOptions o = small_quadratic();
  Quadratic q(o);
  const Point point = random_point(q, 6);
  const Vec &x = point.x, &y = point.y;
  for (Fn fn : {Fn::kF, Fn::kG}) {
    Vec gx, gy, ax = Vec::Zero(q.dim_x()), ay = Vec::Zero(q.dim_y());
    const Index n = q.num_samples(fn);
    for (Index i = 0; i < n; ++i) {
      const std::vector<Index> one = {i};
      q.grad(fn, x, y, Batch{std::span<const Index>(one)}, &gx, &gy);
      ax += gx / static_cast<double>(n);
      ay += gy / static_cast<double>(n);
      // A single component differs from the mean: minibatches are genuinely stochastic.
    }
    q.grad(fn, x, y, Batch{}, &gx, &gy);
    EXPECT_LT((ax - gx).norm(), 1e-12 * std::max(1.0, gx.norm()));
    EXPECT_LT((ay - gy).norm(), 1e-12 * std::max(1.0, gy.norm()));
    const std::vector<Index> first = {0};
    Vec g0x, g0y;
    q.grad(fn, x, y, Batch{std::span<const Index>(first)}, &g0x, &g0y);
    EXPECT_GT((g0y - gy).norm(), 1e-3);
  }
}

TEST(Quadratic, ClosedFormLowerSolutionIsStationary) {
  Quadratic q(small_quadratic());
  const Point point = random_point(q, 7);
  const Vec &x = point.x, &y = point.y;
  for (double sigma : {0.0, 0.01, 0.5}) {
    Vec ys;
    ASSERT_TRUE(q.closed_form_solution(x, sigma, &ys));
    Vec gf, gg;
    q.grad(Fn::kF, x, ys, Batch{}, nullptr, &gf);
    q.grad(Fn::kG, x, ys, Batch{}, nullptr, &gg);
    EXPECT_LT((sigma * gf + gg).norm(), 1e-11);
  }
}

TEST(Quadratic, ClosedFormHypergradientMatchesFiniteDifferencesOfPhi) {
  Quadratic q(small_quadratic());
  Diagnostics d(q);
  Rng rng(8);
  const Vec x = gaussian_vector(q.dim_x(), rng);
  Vec g;
  ASSERT_TRUE(q.closed_form_hypergradient(x, &g));
  const Vec fd = fd_gradient([&](const Vec& xx) { return d.phi(xx); }, x, 1e-4);
  EXPECT_LT(rel_err(g, fd), 1e-8);
}

TEST(Quadratic, ClosedFormHessianOfPhiMatchesFiniteDifferencesOfHypergradient) {
  Quadratic q(small_quadratic());
  Rng rng(9);
  const Vec x = gaussian_vector(q.dim_x(), rng);
  Mat h;
  ASSERT_TRUE(q.closed_form_hessian_phi(x, &h));
  const Mat fd = testing::fd_hessian_phi(q, x, 1e-4);
  EXPECT_LT((h - fd).norm() / h.norm(), 1e-8);
  EXPECT_NEAR(*q.constants().L_phi, h.cwiseAbs().maxCoeff() > 0 ? *q.constants().L_phi : 0, 0);
  Eigen::SelfAdjointEigenSolver<Mat> es(h);
  EXPECT_NEAR(*q.constants().L_phi, es.eigenvalues().cwiseAbs().maxCoeff(), 1e-10);
}

TEST(Quadratic, NoiseIsSeededUnbiasedWithTheStatedVariance) {
  QuadraticOptions o = small_quadratic();
  o.sigma = 0.3;
  Quadratic q(o);
  const Point point = random_point(q, 10);
  const Vec &x = point.x, &y = point.y;
  Vec ex, ey, nx, ny;
  q.grad(Fn::kG, x, y, Batch{}, &ex, &ey);  // no seed: exact
  const Index draws = 20000;
  Vec mean = Vec::Zero(q.dim_x() + q.dim_y());
  double sq = 0;
  for (Index i = 0; i < draws; ++i) {
    Batch b;
    b.noise_seed = 1000 + static_cast<std::uint64_t>(i);
    q.grad(Fn::kG, x, y, b, &nx, &ny);
    Vec e(mean.size());
    e << nx - ex, ny - ey;
    mean += e / static_cast<double>(draws);
    sq += e.squaredNorm() / static_cast<double>(draws);
  }
  // E||xi||^2 = sigma^2 = 0.09; the sample mean of 11-dim noise has std ~ 0.3/sqrt(2e4).
  EXPECT_NEAR(sq, 0.09, 0.09 * 0.05);
  EXPECT_LT(mean.norm(), 5 * 0.3 / std::sqrt(static_cast<double>(draws)));
  // The same seed gives the same draw; a partial request sees the same noise.
  Batch b;
  b.noise_seed = 77;
  Vec ax, ay, by;
  q.grad(Fn::kG, x, y, b, &ax, &ay);
  q.grad(Fn::kG, x, y, b, nullptr, &by);
  EXPECT_EQ(ay, by);
}

TEST(Quadratic, CountsEveryOracleCallByKindAndSamples) {
  QuadraticOptions o = small_quadratic();
  Quadratic q(o);
  const Point point = random_point(q, 11);
  const Vec &x = point.x, &y = point.y;
  const std::vector<Index> idx = {0, 1, 2};
  const Batch mb{std::span<const Index>(idx)};
  Vec a, b;
  q.grad(Fn::kF, x, y, Batch{}, &a, &b);
  q.grad(Fn::kG, x, y, mb, &a, nullptr);
  q.hyy(Fn::kG, x, y, y, mb, &a);
  q.hxy(Fn::kG, x, y, y, Batch{}, &a);
  q.hxx(Fn::kG, x, y, x, mb, &a);
  q.value(Fn::kF, x, y, mb);
  Mat h;
  q.hessian(Fn::kG, x, y, Batch{}, nullptr, nullptr, &h);
  const OracleCounts& c = q.counts();
  EXPECT_EQ(c.f.grad, 1);
  EXPECT_EQ(c.f.value, 1);
  EXPECT_EQ(c.g.grad, 1);
  EXPECT_EQ(c.g.hvp, 3);
  EXPECT_EQ(c.g.hess, 1);
  EXPECT_EQ(c.f.samples, o.n_f + 3);
  EXPECT_EQ(c.g.samples, 3 + 3 + o.n_g + 3 + o.n_g);
  EXPECT_EQ(c.total_calls(), 7);
}

TEST(Quadratic, SameSeedSameInstanceDifferentSeedDifferentInstance) {
  Quadratic a(small_quadratic(5)), b(small_quadratic(5)), c(small_quadratic(6));
  EXPECT_EQ(a.hessian_matrix(Fn::kF), b.hessian_matrix(Fn::kF));
  EXPECT_NE(a.hessian_matrix(Fn::kF), c.hessian_matrix(Fn::kF));
}

TEST(QuadraticOptions, DefaultsAreValid) { EXPECT_TRUE(option_violations(QuadraticOptions{}, "").empty()); }

TEST(QuadraticOptions, RejectsBadValuesWithAClearMessage) {
  QuadraticOptions o;
  o.mu = 0;
  o.dx = 0;
  EXPECT_EQ(option_violations(o, "").size(), 2u);
  try {
    Quadratic q(o);
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_NE(std::string(e.what()).find("mu must be > 0"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("dx must be >= 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace bilevel
