// conjugate_gradient: convergence on SPD systems, warm starts, the product budget, and a safe
// stop on matrices that are not positive definite along the search direction.
#include "bilevel/linalg/cg.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

namespace bilevel {
namespace {

// A random symmetric positive definite matrix Q diag(eigs) Q' with a random orthogonal Q.
Mat spd_with_eigenvalues(const Vec& eigs, std::uint64_t seed) {
  const Index n = eigs.size();
  Rng rng(seed);
  std::normal_distribution<double> normal;
  Mat m(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) m(i, j) = normal(rng);
  const Mat q = Eigen::HouseholderQR<Mat>(m).householderQ();
  return q * eigs.asDiagonal() * q.transpose();
}

Mat random_spd(Index n, double lo, double hi, std::uint64_t seed) {
  Vec eigs(n);
  for (Index i = 0; i < n; ++i) eigs(i) = lo * std::pow(hi / lo, double(i) / double(n - 1));
  return spd_with_eigenvalues(eigs, seed);
}

Vec random_vec(Index n, std::uint64_t seed) {
  Rng rng(seed);
  std::normal_distribution<double> normal;
  Vec v(n);
  for (Index i = 0; i < n; ++i) v(i) = normal(rng);
  return v;
}

// The product callback for A, counting how often it is called.
struct Product {
  const Mat& a;
  int calls = 0;
  std::function<void(const Vec&, Vec*)> fn() {
    return [this](const Vec& v, Vec* out) {
      ++calls;
      *out = a * v;
    };
  }
};

TEST(ConjugateGradient, ConvergesToTheSolutionWithinNProductsFromZero) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    const Index n = 25;
    const Mat a = random_spd(n, 1.0, 2.0, seed);
    const Vec b = random_vec(n, 100 + seed);
    const Vec exact = a.ldlt().solve(b);
    Product prod{a};
    Vec x = Vec::Zero(n);
    const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 1000, 1e-12);
    EXPECT_TRUE(rep.converged) << "seed " << seed;
    EXPECT_LE(rep.iterations, n) << "seed " << seed;
    EXPECT_EQ(rep.iterations, prod.calls) << "seed " << seed;
    EXPECT_LE((x - exact).norm(), 1e-10 * exact.norm()) << "seed " << seed;
    // The reported residual is the true one (up to rounding) and meets the tolerance.
    EXPECT_LE(rep.residual, 1e-12 * b.norm()) << "seed " << seed;
    EXPECT_NEAR(rep.residual, (b - a * x).norm(), 1e-12 * b.norm()) << "seed " << seed;
  }
}

TEST(ConjugateGradient, ReachesTheToleranceWithinNProductsBeforeTheChebyshevBoundWould) {
  // kappa = 10: the Chebyshev bound needs about 35 products for 1e-9; finite termination
  // (exact in exact arithmetic, nearly so in floating point) does it in n = 25.
  for (std::uint64_t seed : {5u, 6u, 7u, 8u}) {
    const Index n = 25;
    const Mat a = random_spd(n, 1.0, 10.0, seed);
    const Vec b = random_vec(n, 100 + seed);
    const Vec exact = a.ldlt().solve(b);
    Vec x = Vec::Zero(n);
    const CgReport rep = conjugate_gradient(Product{a}.fn(), b, &x, n, 1e-9);
    EXPECT_TRUE(rep.converged) << "seed " << seed;
    EXPECT_LE((b - a * x).norm(), 1e-9 * b.norm()) << "seed " << seed;
    EXPECT_LE((x - exact).norm(), 10 * 1e-9 * exact.norm()) << "seed " << seed;  // kappa
  }
}

TEST(ConjugateGradient, NeedsOnlyAsManyProductsAsDistinctEigenvalues) {
  Vec eigs(30);
  for (Index i = 0; i < 30; ++i) eigs(i) = 1.0 + double(i % 3);  // {1, 2, 3}
  const Mat a = spd_with_eigenvalues(eigs, 4);
  const Vec b = random_vec(30, 5);
  Product prod{a};
  Vec x = Vec::Zero(30);
  const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 1000, 1e-10);
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(rep.iterations, 3);
  EXPECT_LE((a * x - b).norm(), 1e-10 * b.norm());
}

TEST(ConjugateGradient, IllConditionedSystemsConvergeToo) {
  const Index n = 40;
  const Mat a = random_spd(n, 1e-3, 1.0, 6);
  const Vec b = random_vec(n, 7);
  Vec x = Vec::Zero(n);
  Product prod{a};
  const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 10 * n, 1e-12);
  EXPECT_TRUE(rep.converged);
  EXPECT_LE((a * x - b).norm(), 1e-11 * b.norm());
  EXPECT_TRUE(x.allFinite());
}

TEST(ConjugateGradient, WarmStartFromTheExactSolutionTakesOneProduct) {
  const Index n = 20;
  const Mat a = random_spd(n, 1.0, 10.0, 8);
  const Vec b = random_vec(n, 9);
  Vec x = a.ldlt().solve(b);
  const Vec exact = x;
  Product prod{a};
  const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 100, 1e-10);
  EXPECT_EQ(rep.iterations, 1);
  EXPECT_EQ(prod.calls, 1);
  EXPECT_TRUE(rep.converged);
  EXPECT_EQ(x, exact);  // nothing to improve: x untouched
  EXPECT_LE(rep.residual, 1e-10 * b.norm());
}

TEST(ConjugateGradient, WarmStartNearTheSolutionNeedsFewerProductsThanCold) {
  const Index n = 30;
  const Mat a = random_spd(n, 1.0, 100.0, 10);
  const Vec b = random_vec(n, 11);
  const Vec exact = a.ldlt().solve(b);
  Vec cold = Vec::Zero(n);
  const CgReport rc = conjugate_gradient(Product{a}.fn(), b, &cold, 1000, 1e-10);
  Vec warm = exact + 1e-6 * random_vec(n, 12);
  Product prod{a};
  const CgReport rw = conjugate_gradient(prod.fn(), b, &warm, 1000, 1e-10);
  ASSERT_TRUE(rc.converged);
  ASSERT_TRUE(rw.converged);
  EXPECT_LT(rw.iterations, rc.iterations);
  EXPECT_EQ(rw.iterations, prod.calls);
  EXPECT_LE((warm - exact).norm(), 1e-8 * exact.norm());
}

TEST(ConjugateGradient, AnInitialGuessOfTheWrongSizeIsReplacedByZero) {
  const Index n = 10;
  const Mat a = random_spd(n, 1.0, 5.0, 13);
  const Vec b = random_vec(n, 14);
  Vec x;  // empty
  Product prod{a};
  const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 100, 1e-12);
  ASSERT_EQ(x.size(), n);
  EXPECT_TRUE(rep.converged);
  EXPECT_LE(rep.iterations, n);  // no product spent on a residual of zero
  EXPECT_LE((a * x - b).norm(), 1e-11 * b.norm());
}

TEST(ConjugateGradient, MaxIterLimitsTheProducts) {
  const Index n = 40;
  const Mat a = random_spd(n, 1e-3, 1.0, 15);
  const Vec b = random_vec(n, 16);
  for (Index max_iter : {Index{0}, Index{1}, Index{3}, Index{7}}) {
    Vec x = Vec::Zero(n);
    Product prod{a};
    const CgReport rep = conjugate_gradient(prod.fn(), b, &x, max_iter, 1e-12);
    EXPECT_EQ(rep.iterations, max_iter);
    EXPECT_EQ(prod.calls, max_iter);
    EXPECT_FALSE(rep.converged);
    EXPECT_NEAR(rep.residual, (b - a * x).norm(), 1e-10 * b.norm());
    EXPECT_TRUE(x.allFinite());
  }
  // The warm-start product counts against max_iter too.
  Vec x = random_vec(n, 17);
  Product prod{a};
  const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 3, 1e-12);
  EXPECT_EQ(rep.iterations, 3);
  EXPECT_EQ(prod.calls, 3);
}

TEST(ConjugateGradient, ResidualDecreasesAsMoreProductsAreAllowed) {
  const Index n = 30;
  const Mat a = random_spd(n, 1e-2, 1.0, 18);
  const Vec b = random_vec(n, 19);
  const Vec exact = a.ldlt().solve(b);
  double prev_err = std::numeric_limits<double>::infinity();
  for (Index k : {Index{2}, Index{5}, Index{10}, Index{20}}) {
    Vec x = Vec::Zero(n);
    conjugate_gradient(Product{a}.fn(), b, &x, k, 1e-14);
    // CG minimizes the A-norm of the error over growing Krylov spaces.
    const double err = std::sqrt((x - exact).dot(a * (x - exact)));
    EXPECT_LT(err, prev_err) << "k = " << k;
    prev_err = err;
  }
}

TEST(ConjugateGradient, ZeroRightHandSideFromZeroNeedsNoProduct) {
  const Mat a = random_spd(5, 1.0, 2.0, 20);
  Vec x = Vec::Zero(5);
  Product prod{a};
  const CgReport rep = conjugate_gradient(prod.fn(), Vec::Zero(5), &x, 10, 1e-10);
  EXPECT_EQ(rep.iterations, 0);
  EXPECT_EQ(prod.calls, 0);
  EXPECT_TRUE(rep.converged);
  EXPECT_TRUE(x.isZero(0.0));
}

TEST(ConjugateGradient, StopsWithoutNaNWhenNotPositiveDefiniteAlongTheDirection) {
  // p' A p = 0 on the first direction p = b.
  {
    Mat a = Mat::Zero(2, 2);
    a.diagonal() << 1.0, -1.0;
    const Vec b = Vec::Ones(2);
    Vec x = Vec::Zero(2);
    Product prod{a};
    const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 50, 1e-10);
    EXPECT_TRUE(x.allFinite());
    EXPECT_FALSE(rep.converged);
    EXPECT_EQ(prod.calls, 1);
    EXPECT_TRUE(std::isfinite(rep.residual));
  }
  // Negative definite: p' A p < 0 at once.
  {
    const Mat a = -random_spd(6, 1.0, 3.0, 21);
    const Vec b = random_vec(6, 22);
    Vec x = Vec::Zero(6);
    Product prod{a};
    const CgReport rep = conjugate_gradient(prod.fn(), b, &x, 50, 1e-10);
    EXPECT_TRUE(x.allFinite());
    EXPECT_FALSE(rep.converged);
    EXPECT_EQ(prod.calls, 1);
  }
  // Indefinite: positive curvature at first, negative later; never NaN.
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Vec eigs(12);
    for (Index i = 0; i < 12; ++i) eigs(i) = i < 9 ? 1.0 + i : -0.5 - i;
    const Mat a = spd_with_eigenvalues(eigs, 30 + seed);  // symmetric, indefinite
    const Vec b = random_vec(12, 50 + seed);
    Vec x = Vec::Zero(12);
    const CgReport rep = conjugate_gradient(Product{a}.fn(), b, &x, 200, 1e-12);
    EXPECT_TRUE(x.allFinite()) << "seed " << seed;
    EXPECT_TRUE(std::isfinite(rep.residual)) << "seed " << seed;
    EXPECT_LE(rep.iterations, 200) << "seed " << seed;
  }
  // Zero matrix.
  {
    const Mat a = Mat::Zero(4, 4);
    Vec x = Vec::Zero(4);
    const CgReport rep = conjugate_gradient(Product{a}.fn(), Vec::Ones(4), &x, 50, 1e-10);
    EXPECT_TRUE(x.isZero(0.0));
    EXPECT_FALSE(rep.converged);
    EXPECT_EQ(rep.residual, 2.0);
  }
}

}  // namespace
}  // namespace bilevel
