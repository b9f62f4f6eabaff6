// minimax-synthetic: F's oracles against finite differences, the f = F, g = -F convention,
// strong concavity, the closed forms of y*, P, grad P and Hess P against Diagnostics' generic
// solvers, P's saddle and minimizers, the default start, and the stated constants.
#include "bilevel/problems/minimax_synthetic.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/algorithm.hpp"
#include "minimax_support.hpp"

namespace bilevel {
namespace {

using testing::rel_err;

// A non-default instance: dy > dx, non-unit mu and coupling.
MinimaxSyntheticOptions four_by_six() {
  MinimaxSyntheticOptions o;
  o.dx = 4;
  o.dy = 6;
  o.mu = 0.5;
  o.coupling = 0.8;
  o.height = 3.0;
  o.seed = 7;
  return o;
}

using MinimaxSyntheticWithoutClosedForms = testing::WithoutClosedForms<MinimaxSynthetic>;

Vec random_x(const Problem& p, std::uint64_t seed) {
  return testing::random_vector(p.dim_x(), seed);
}
Vec random_y(const Problem& p, std::uint64_t seed) {
  return testing::random_vector(p.dim_y(), seed);
}

TEST(MinimaxSynthetic, GradientsMatchFiniteDifferencesOfValues) {
  for (const MinimaxSyntheticOptions& o : {MinimaxSyntheticOptions{}, four_by_six()}) {
    MinimaxSynthetic p(o);
    const std::vector<Index> one = {0};
    testing::expect_gradients_match_finite_differences(p, random_x(p, 1), random_y(p, 2), one);
  }
}

TEST(MinimaxSynthetic, SecondOrderProductsAndDenseHessiansMatchFiniteDifferences) {
  for (const MinimaxSyntheticOptions& o : {MinimaxSyntheticOptions{}, four_by_six()}) {
    MinimaxSynthetic p(o);
    const Vec x = random_x(p, 3), y = random_y(p, 4), v = random_y(p, 5), u = random_x(p, 6);
    for (Fn fn : {Fn::kF, Fn::kG})
      testing::expect_second_order_matches_finite_differences(p, fn, x, y, v, u, Batch{}, 1e-7);
  }
}

TEST(MinimaxSynthetic, GIsMinusFAndCallsCountOnTheirLevel) {
  MinimaxSynthetic p(four_by_six());
  testing::expect_g_is_minus_f_counted_by_level(p, random_x(p, 7), random_y(p, 8),
                                                random_y(p, 9), random_x(p, 10));
}

TEST(MinimaxSynthetic, StronglyConcaveInY) {
  MinimaxSynthetic p(four_by_six());
  for (std::uint64_t seed = 11; seed < 16; ++seed)
    testing::expect_strongly_concave(p, 3.0 * random_x(p, seed), random_y(p, seed + 50));
}

TEST(MinimaxSynthetic, MaximizerIsARootOfGradY) {
  MinimaxSynthetic p(four_by_six());
  for (std::uint64_t seed = 16; seed < 19; ++seed)
    testing::expect_maximizer_is_stationary(p, random_x(p, seed), 1e-14);
}

TEST(MinimaxSynthetic, ClosedFormsAgreeWithDiagnosticsGenericSolvers) {
  const MinimaxSyntheticOptions o = four_by_six();
  MinimaxSynthetic p(o);
  MinimaxSyntheticWithoutClosedForms generic(o);
  for (std::uint64_t seed = 19; seed < 22; ++seed) {
    const Vec x = 1.5 * random_x(p, seed);
    testing::expect_closed_forms_match_generic(p, generic, x, 1e-10);
    Vec ys;
    ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
    EXPECT_NEAR(p.max_value(x), p.objective(x, ys), 1e-13);
  }
}

TEST(MinimaxSynthetic, SaddleAndMinimizersOfP) {
  const MinimaxSyntheticOptions o = four_by_six();
  MinimaxSynthetic p(o);
  Diagnostics d(p);
  const double k = p.k(), h = o.height;
  // The strict saddle: grad P = 0, one eigenvalue k - h < 0, the others k.
  const Vec x0 = p.saddle_point();
  EXPECT_EQ(d.hypergradient(x0).norm(), 0.0);
  const Vec eig0 = Eigen::SelfAdjointEigenSolver<Mat>(d.hessian_phi(x0)).eigenvalues();
  EXPECT_NEAR(eig0(0), k - h, 1e-14);
  EXPECT_LT(eig0(0), -1.0);
  EXPECT_NEAR(eig0(1), k, 1e-14);
  EXPECT_NEAR(d.phi(x0), h, 1e-14);
  // The minimizers +-r e_1: grad P = 0, Hess P = diag(2 k ln(h/k), k, ...) > 0, the lowest P.
  const double p_min = k * (1 + std::log(h / k));
  for (int sign : {-1, 1}) {
    const Vec xm = p.minimizer(sign);
    EXPECT_EQ(xm(0) > 0, sign > 0);
    EXPECT_LT(d.hypergradient(xm).norm(), 1e-14);
    EXPECT_NEAR(d.phi(xm), p_min, 1e-14);
    const Vec eig = Eigen::SelfAdjointEigenSolver<Mat>(d.hessian_phi(xm)).eigenvalues();
    EXPECT_NEAR(eig.minCoeff(), std::min(k, 2 * k * std::log(h / k)), 1e-13);
    EXPECT_GT(eig.minCoeff(), 0.0);
  }
  for (std::uint64_t seed = 22; seed < 32; ++seed)
    EXPECT_GT(d.phi(2.0 * random_x(p, seed)), p_min);
}

TEST(MinimaxSynthetic, DescentFromTheDefaultStartReachesThePositiveMinimizer) {
  // The documented start: near the saddle with x_1 > 0, P falls towards +r e_1. Plain gradient
  // descent on P with step 1/L_phi must get there (and not to -r e_1).
  MinimaxSynthetic p(four_by_six());
  Diagnostics d(p);
  Vec x = p.initial_x();
  EXPECT_GT(x(0), 0.0);
  EXPECT_LT(d.hypergradient(x)(0), 0.0);
  const double step = 1.0 / *p.constants().L_phi;
  for (int t = 0; t < 2000; ++t) x -= step * d.hypergradient(x);
  EXPECT_LT((x - p.minimizer(+1)).norm(), 1e-8);
}

TEST(MinimaxSynthetic, BilevelMethodsRunOnIt) {
  // aid-cg with its default steps (from the constants) from the default start.
  MinimaxSynthetic p;
  auto a = make_algorithm("aid-cg", {});
  const Result r = a->solve(p, testing::iterations(500));
  EXPECT_LT((r.x - p.minimizer(+1)).norm(), 1e-6);
}

TEST(MinimaxSynthetic, ConstantsBoundTheCurvaturesAndAreAttained) {
  const MinimaxSyntheticOptions o = four_by_six();
  MinimaxSynthetic p(o);
  const ProblemConstants k = p.constants();
  ASSERT_TRUE(k.mu_g && k.L_g && k.L_f && k.L_phi && k.rho_phi);
  EXPECT_EQ(*k.mu_g, o.mu);
  EXPECT_EQ(*k.L_g, o.mu);
  Diagnostics d(p);
  auto joint_norm = [&](const Vec& x, const Vec& y) {
    Mat hxx, hxy, hyy;
    p.hessian(Fn::kF, x, y, Batch{}, &hxx, &hxy, &hyy);
    Mat joint(o.dx + o.dy, o.dx + o.dy);
    joint << hxx, hxy, hxy.transpose(), hyy;
    return testing::max_abs_eigenvalue(joint);
  };
  double max_f = 0, max_phi = 0, max_rho = 0;
  for (std::uint64_t seed = 32; seed < 72; ++seed) {
    const Vec x = 2.0 * random_x(p, seed), y = 2.0 * random_y(p, seed + 100);
    max_f = std::max(max_f, joint_norm(x, y));
    const Mat h = d.hessian_phi(x);
    max_phi = std::max(max_phi, testing::max_abs_eigenvalue(h));
    const Vec x2 = x + 0.01 * random_x(p, seed + 200);
    max_rho = std::max(max_rho, (d.hessian_phi(x2) - h).norm() / (x2 - x).norm());
  }
  EXPECT_LE(max_f, *k.L_f * (1 + 1e-12));
  EXPECT_LE(max_phi, *k.L_phi * (1 + 1e-12));
  EXPECT_LE(max_rho, *k.rho_phi * (1 + 1e-6));
  EXPECT_GT(max_rho, 0.3 * *k.rho_phi);
  // L_f and L_phi are attained at x_1 = 0 (the hill's most negative curvature, -h) or at
  // x_1 = sqrt 3 (its largest, 2 h e^{-3/2}).
  const Vec y = testing::random_vector(o.dy, 1);
  Vec top = Vec::Zero(o.dx);
  top(0) = std::sqrt(3.0);
  const Vec x0 = p.saddle_point();
  EXPECT_NEAR(std::max(joint_norm(x0, y), joint_norm(top, y)), *k.L_f, 1e-12);
  EXPECT_NEAR(std::max(testing::max_abs_eigenvalue(d.hessian_phi(x0)),
                       testing::max_abs_eigenvalue(d.hessian_phi(top))),
              *k.L_phi, 1e-12);
  // rho_phi is attained in the limit at x_1 = t0 = sqrt(3 - sqrt 6).
  Vec a = Vec::Zero(o.dx), b = Vec::Zero(o.dx);
  a(0) = std::sqrt(3 - std::sqrt(6.0)) - 1e-6;
  b(0) = a(0) + 2e-6;
  EXPECT_NEAR((d.hessian_phi(b) - d.hessian_phi(a)).norm() / 2e-6, *k.rho_phi, 1e-6);
}

TEST(MinimaxSyntheticOptions, RejectsBadValuesNamingTheOption) {
  using testing::problem_error;
  const std::string name = "minimax-synthetic";
  EXPECT_EQ(problem_error(name, {}), "");
  EXPECT_NE(problem_error(name, {{"dx", "0"}}).find("dx must be >= 1"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"dx", "4"}}).find("dy must be >= dx"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"mu", "0"}}).find("mu must be > 0"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"coupling", "0"}}).find("coupling must be > 0"),
            std::string::npos);
  EXPECT_NE(problem_error(name, {{"height", "1"}}).find("height must be > coupling^2 / mu = 1"),
            std::string::npos);
  EXPECT_EQ(make_problem(name, {{"dx", "3"}, {"dy", "3"}})->dim_y(), 3);
}

}  // namespace
}  // namespace bilevel
