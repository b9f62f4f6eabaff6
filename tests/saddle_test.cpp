// The saddle problem: oracles against finite differences, closed forms against their
// definitions and against Diagnostics' generic solvers, the strict saddle at the start, the
// minimizers, and the stated constants.
#include "bilevel/problems/saddle.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_gradient;
using testing::fd_jacobian;
using testing::rel_err;

constexpr double kPi = std::numbers::pi;

// A non-default instance: three coordinates (evenly spaced lower curvatures), coupling != 1.
SaddleOptions three_dims() {
  SaddleOptions o;
  o.dx = 3;
  o.mu = 0.5;
  o.L = 2.0;
  o.coupling = 0.7;
  o.depth = 1.3;
  o.curvature = 0.8;
  return o;
}

// The saddle with its closed forms hidden: Diagnostics must use Newton-CG and CG.
using SaddleWithoutClosedForms = testing::WithoutClosedForms<Saddle>;

double min_eigenvalue(const Mat& h) {
  Eigen::SelfAdjointEigenSolver<Mat> es(h, Eigen::EigenvaluesOnly);
  return es.eigenvalues().minCoeff();
}

Vec random_x(const Problem& p, std::uint64_t seed) {
  return testing::random_vector(p.dim_x(), seed);
}

TEST(Saddle, GradientsMatchFiniteDifferencesOfValues) {
  for (const SaddleOptions& o : {SaddleOptions{}, three_dims()}) {
    Saddle s(o);
    const std::vector<Index> one = {0};
    testing::expect_gradients_match_finite_differences(s, random_x(s, 1), random_x(s, 2), one);
  }
}

TEST(Saddle, SecondOrderProductsAndDenseHessiansMatchFiniteDifferences) {
  for (const SaddleOptions& o : {SaddleOptions{}, three_dims()}) {
    Saddle s(o);
    const Vec x = random_x(s, 3), y = random_x(s, 4), v = random_x(s, 5), u = random_x(s, 6);
    for (Fn fn : {Fn::kF, Fn::kG})
      testing::expect_second_order_matches_finite_differences(s, fn, x, y, v, u, Batch{}, 1e-7);
  }
}

TEST(Saddle, LowerSolutionsAreStationaryForEverySigma) {
  Saddle s(three_dims());
  const Vec x = 2.0 * random_x(s, 7);
  // sigma up to just below the convexity limit mu / (w pi^2) = 0.039 of sigma f + g in y_1.
  for (double sigma : {0.0, 1e-4, 0.01, 0.035}) {
    Vec y, gf, gg;
    ASSERT_TRUE(s.closed_form_solution(x, sigma, &y)) << sigma;
    s.grad(Fn::kF, x, y, Batch{}, nullptr, &gf);
    s.grad(Fn::kG, x, y, Batch{}, nullptr, &gg);
    EXPECT_LT((sigma * gf + gg).norm(), 1e-14) << sigma;
  }
  Vec y;
  EXPECT_FALSE(s.closed_form_solution(x, 0.04, &y)) << "sigma f + g is not convex in y_1";
}

TEST(Saddle, ClosedFormsAgreeWithDiagnosticsGenericSolvers) {
  // The generic path solves Newton-CG for y and CG for the implicit term
  // grad_x f - Hxy g Hyy g^-1 grad_y f: an independent check of the closed forms.
  const SaddleOptions o = three_dims();
  Saddle s(o);
  SaddleWithoutClosedForms generic(o);
  Diagnostics exact(s), numeric(generic);
  for (std::uint64_t seed : {8, 9, 10}) {
    const Vec x = random_x(s, seed);
    EXPECT_LT(rel_err(exact.lower_solution(x), numeric.lower_solution(x)), 1e-12);
    EXPECT_LT(rel_err(exact.penalty_solution(x, 100), numeric.penalty_solution(x, 100)), 1e-12);
    EXPECT_LT(rel_err(exact.hypergradient(x), numeric.hypergradient(x)), 1e-11);
    EXPECT_LT((exact.hessian_phi(x) - numeric.hessian_phi(x)).norm(), 1e-6);
  }
}

TEST(Saddle, HypergradientAndHessianMatchFiniteDifferencesOfPhi) {
  Saddle s(three_dims());
  Diagnostics d(s);
  const Vec x = random_x(s, 11);
  Vec g;
  Mat h;
  ASSERT_TRUE(s.closed_form_hypergradient(x, &g));
  ASSERT_TRUE(s.closed_form_hessian_phi(x, &h));
  EXPECT_LT(rel_err(g, fd_gradient([&](const Vec& xx) { return d.phi(xx); }, x, 1e-4)), 1e-8);
  const Mat fd = fd_jacobian([&](const Vec& xx) { return d.hypergradient(xx); }, x, 1e-4);
  EXPECT_LT((h - fd).norm() / h.norm(), 1e-8);
}

TEST(Saddle, StartIsAStrictSaddle) {
  const SaddleOptions o = three_dims();
  Saddle s(o);
  Diagnostics d(s);
  const Vec x0 = s.initial_x();
  EXPECT_EQ(s.initial_y(), d.lower_solution(x0));  // y0 = y*(x0)
  EXPECT_EQ(d.hypergradient(x0).norm(), 0.0);
  const double c = o.coupling;
  EXPECT_NEAR(min_eigenvalue(d.hessian_phi(x0)), -o.depth * kPi * kPi * c * c, 1e-12);
  EXPECT_LT(min_eigenvalue(d.hessian_phi(x0)), -1.0);
}

TEST(Saddle, MinimizersAreSecondOrderStationaryWithTheLowestValue) {
  const SaddleOptions o = three_dims();
  Saddle s(o);
  Diagnostics d(s);
  const double c = o.coupling;
  for (Index k : {-2, -1, 0, 1}) {
    const Vec xm = s.minimizer(k);
    EXPECT_LT(d.hypergradient(xm).norm(), 1e-14) << k;
    EXPECT_NEAR(d.phi(xm), -o.depth, 1e-14) << k;
    const Mat h = d.hessian_phi(xm);
    EXPECT_NEAR(min_eigenvalue(h), std::min(o.depth * kPi * kPi * c * c,
                                            o.curvature * (1 + c) * (1 + c)),
                1e-12);
  }
  for (std::uint64_t seed = 20; seed < 30; ++seed)
    EXPECT_GT(d.phi(3.0 * random_x(s, seed)), -o.depth);
}

TEST(Saddle, ConstantsBoundTheCurvaturesAndAreAttained) {
  const SaddleOptions o = three_dims();
  Saddle s(o);
  const ProblemConstants k = s.constants();
  ASSERT_TRUE(k.mu_g && k.L_g && k.L_f && k.L_phi);
  EXPECT_EQ(*k.mu_g, o.mu);
  EXPECT_EQ(*k.L_g, o.L);
  Diagnostics d(s);
  double max_f = 0, max_phi = 0, max_rho = 0;
  for (std::uint64_t seed = 30; seed < 60; ++seed) {
    const Vec x = 2.0 * random_x(s, seed), y = 2.0 * random_x(s, seed + 100);
    // Hyy g: eigenvalues in [mu_g, L_g], both attained (the block does not depend on (x, y)).
    Mat gyy, fxx, fxy, fyy;
    s.hessian(Fn::kG, x, y, Batch{}, nullptr, nullptr, &gyy);
    Eigen::SelfAdjointEigenSolver<Mat> eg(gyy);
    EXPECT_NEAR(eg.eigenvalues().minCoeff(), *k.mu_g, 1e-15);
    EXPECT_NEAR(eg.eigenvalues().maxCoeff(), *k.L_g, 1e-15);
    // f's joint Hessian.
    s.hessian(Fn::kF, x, y, Batch{}, &fxx, &fxy, &fyy);
    Mat joint(2 * o.dx, 2 * o.dx);
    joint << fxx, fxy, fxy.transpose(), fyy;
    Eigen::SelfAdjointEigenSolver<Mat> ef(joint);
    max_f = std::max(max_f, ef.eigenvalues().cwiseAbs().maxCoeff());
    // Hess phi and its Lipschitz constant.
    const Mat h = d.hessian_phi(x);
    Eigen::SelfAdjointEigenSolver<Mat> eh(h);
    max_phi = std::max(max_phi, eh.eigenvalues().cwiseAbs().maxCoeff());
    const Vec x2 = x + 0.01 * random_x(s, seed + 200);
    max_rho = std::max(max_rho, (d.hessian_phi(x2) - h).norm() / (x2 - x).norm());
  }
  EXPECT_LE(max_f, *k.L_f * (1 + 1e-12));
  EXPECT_GT(max_f, 0.5 * *k.L_f);
  EXPECT_LE(max_phi, *k.L_phi * (1 + 1e-12));
  EXPECT_GT(max_phi, 0.5 * *k.L_phi);
  EXPECT_LE(max_rho, s.hessian_lipschitz() * (1 + 1e-6));
  EXPECT_GT(max_rho, 0.3 * s.hessian_lipschitz());
  // The bounds are attained at the saddle (y_1 = 0, x = 0).
  Mat fyy;
  s.hessian(Fn::kF, Vec::Zero(o.dx), Vec::Zero(o.dx), Batch{}, nullptr, nullptr, &fyy);
  EXPECT_NEAR(std::abs(fyy(0, 0)), *k.L_f, 1e-12);
  EXPECT_NEAR(std::abs(min_eigenvalue(d.hessian_phi(Vec::Zero(o.dx)))), *k.L_phi, 1e-12);
}

TEST(Saddle, OneDimensionalInstanceHasOnlyTheSaddleCoordinate) {
  SaddleOptions o;
  o.dx = 1;
  o.L = o.mu;
  Saddle s(o);
  EXPECT_EQ(*s.constants().L_g, o.mu);
  EXPECT_NEAR(*s.constants().L_f, kPi * kPi, 1e-12);
  Diagnostics d(s);
  EXPECT_NEAR(d.hessian_phi(s.initial_x())(0, 0), -kPi * kPi, 1e-12);
}

TEST(SaddleOptions, RejectsBadValuesNamingTheOption) {
  auto message_for = [](const KeyValues& kv) -> std::string {
    try {
      make_problem("saddle", kv);
    } catch (const InvalidOptions& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message_for({}), "");
  EXPECT_NE(message_for({{"dx", "0"}}).find("dx must be >= 1"), std::string::npos);
  EXPECT_NE(message_for({{"mu", "0"}}).find("mu must be > 0"), std::string::npos);
  EXPECT_NE(message_for({{"L", "0.5"}}).find("L must be >= mu"), std::string::npos);
  EXPECT_NE(message_for({{"dx", "1"}}).find("set L = mu"), std::string::npos);
  EXPECT_NE(message_for({{"coupling", "-1"}}).find("coupling must be > 0"), std::string::npos);
  EXPECT_NE(message_for({{"depth", "0"}}).find("depth must be > 0"), std::string::npos);
  EXPECT_NE(message_for({{"curvature", "0"}}).find("curvature must be > 0"),
            std::string::npos);
  EXPECT_EQ(make_problem("saddle", {{"dx", "4"}})->dim_y(), 4);
}

}  // namespace
}  // namespace bilevel
