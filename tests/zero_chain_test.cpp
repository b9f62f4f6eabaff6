// Carmon et al.'s zero-chain (hard/zero_chain.hpp), checked against the properties the lower
// bounds use: derivatives against finite differences, Psi vanishing to all orders on t <= 1/2,
// the zero-chain support rule, ||grad|| > 1 while |x_T| < 1, f(0) - inf f <= 12 T, the bounds of
// Lemma 1 (item 4) and the gradient's Lipschitz constant 152.
#include "bilevel/hard/zero_chain.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "bilevel/core/error.hpp"
#include "test_support.hpp"

namespace bilevel::hard {
namespace {

using testing::fd_gradient;
using testing::fd_jacobian;

TEST(ZeroChainPieces, DerivativesMatchFiniteDifferencesAndPsiVanishesBelowOneHalf) {
  for (double t : {-1.3, 0.0, 0.4, 0.6, 0.8, 1.0, 1.7, 3.0}) {
    for (int k : {0, 1}) {
      const double h = 1e-6;
      EXPECT_NEAR(psi(t, k + 1), (psi(t + h, k) - psi(t - h, k)) / (2 * h),
                  1e-6 * std::max(1.0, std::abs(psi(t, k + 1))))
          << "t=" << t << " k=" << k;
      EXPECT_NEAR(phi(t, k + 1), (phi(t + h, k) - phi(t - h, k)) / (2 * h), 1e-6)
          << "t=" << t << " k=" << k;
    }
  }
  for (double t : {-5.0, 0.0, 0.5})
    for (int k : {0, 1, 2}) EXPECT_EQ(psi(t, k), 0.0);
  EXPECT_DOUBLE_EQ(psi(1.0), 1.0);
  EXPECT_NEAR(phi(50.0), std::sqrt(2 * std::numbers::pi * std::numbers::e), 1e-12);
}

TEST(ZeroChainPieces, BoundsOfLemmaOne) {
  const double e = std::numbers::e;
  for (double t = -6; t <= 6; t += 0.01) {
    EXPECT_GE(psi(t), 0.0);
    EXPECT_LT(psi(t), e);
    EXPECT_GE(psi(t, 1), 0.0);
    EXPECT_LT(psi(t, 1), std::sqrt(54 / e));
    EXPECT_GT(phi(t), 0.0);
    EXPECT_LT(phi(t), std::sqrt(2 * std::numbers::pi * e));
    EXPECT_GT(phi(t, 1), 0.0);
    EXPECT_LE(phi(t, 1), std::sqrt(e));
  }
}

TEST(ZeroChain, GradientAndHessianMatchFiniteDifferences) {
  const ZeroChain f(6);
  for (std::uint64_t seed : {1, 2, 3}) {
    const Vec x = testing::random_vector(6, seed);
    Vec g;
    f.gradient(x, &g);
    EXPECT_LT(testing::rel_err(g, fd_gradient([&](const Vec& v) { return f.value(v); }, x)), 1e-7);
    const Mat fd = fd_jacobian(
        [&](const Vec& v) {
          Vec gv;
          f.gradient(v, &gv);
          return gv;
        },
        x);
    const Mat h = f.hessian(x);
    EXPECT_LT((h - fd).norm() / std::max(1.0, h.norm()), 1e-6);
    const Vec u = testing::random_vector(6, seed + 10);
    Vec hu;
    f.hessian_product(x, u, &hu);
    EXPECT_LT((hu - h * u).norm(), 1e-12 * std::max(1.0, (h * u).norm()));
  }
}

TEST(ZeroChain, GradientActivatesAtMostOneNewCoordinate) {
  const Index T = 8;
  const ZeroChain f(T);
  Vec g;
  f.gradient(Vec::Zero(T), &g);
  EXPECT_EQ(ZeroChain::progress(g), 1);  // from the origin only x_1 can move
  for (Index i = 1; i < T; ++i) {
    Vec x = Vec::Zero(T);
    x.head(i) = testing::random_vector(i, 20 + static_cast<std::uint64_t>(i));
    f.gradient(x, &g);
    EXPECT_LE(ZeroChain::progress(g), i + 1) << "support 1.." << i;
    Vec hu;
    f.hessian_product(x, x, &hu);
    EXPECT_LE(ZeroChain::progress(hu), i + 1);
  }
}

TEST(ZeroChain, GradientNormExceedsOneWhileTheLastCoordinateIsBelowOne) {
  const Index T = 10;
  const ZeroChain f(T);
  Rng rng(7);
  double smallest = 1e300;
  for (int trial = 0; trial < 2000; ++trial) {
    Vec x = (trial % 2 ? 3.0 : 0.8) * gaussian_vector(T, rng);
    x(T - 1) = 2 * uniform01(rng) - 1;  // |x_T| < 1
    Vec g;
    f.gradient(x, &g);
    smallest = std::min(smallest, g.norm());
  }
  EXPECT_GT(smallest, 1.0);
}

TEST(ZeroChain, InitialGapIsAtMostTwelveTAndTheHessianBoundIs152) {
  const Index T = 10;
  const ZeroChain f(T);
  const double f0 = f.value(Vec::Zero(T));
  Rng rng(8);
  for (int trial = 0; trial < 500; ++trial) {
    const Vec x = 4.0 * gaussian_vector(T, rng);
    EXPECT_GE(f.value(x), f0 - 12.0 * static_cast<double>(T));
    const double norm = Eigen::SelfAdjointEigenSolver<Mat>(f.hessian(x), Eigen::EigenvaluesOnly)
                            .eigenvalues()
                            .cwiseAbs()
                            .maxCoeff();
    EXPECT_LE(norm, 152.0);
  }
  // Far along the chain f approaches its infimum, still above f(0) - 12 T.
  EXPECT_GE(f.value(Vec::Constant(T, 10.0)), f0 - 12.0 * static_cast<double>(T));
  EXPECT_LT(f.value(Vec::Constant(T, 10.0)), f0 - 10.0 * static_cast<double>(T - 1));
}

TEST(ZeroChain, RejectsAnEmptyChain) { EXPECT_THROW(ZeroChain(0), InvalidInput); }

}  // namespace
}  // namespace bilevel::hard
