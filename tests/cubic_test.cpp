// Cubic subproblem solvers: the dense exact solver against a brute-force search over directions
// (which does not use the secular equation), the hard case, the optimality conditions, reuse of
// one factorization, the Newton limit, the Hessian-vector solver against the exact one, and
// input validation.
#include "bilevel/linalg/cubic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"
#include "symmetric_fixtures.hpp"

namespace bilevel {
namespace {

using testing::uniform_eigs;
using testing::with_eigenvalues;

Vec v3(double a, double b, double c) { return Vec(Eigen::Vector3d(a, b, c)); }

// min over r >= 0 of m(r u) for a unit u: r a + r^2 b / 2 + M r^3 / 6 with a = <g, u>,
// b = u'Hu; the positive critical point of the cubic, or r = 0.
double ray_minimum(const Mat& h, const Vec& g, double M, const Vec& u) {
  const double a = g.dot(u), b = u.dot(h * u);
  const double disc = b * b - 2 * M * a;
  if (disc < 0) return 0;
  const double r = (-b + std::sqrt(disc)) / M;
  if (r <= 0) return 0;
  return std::min(0.0, r * a + 0.5 * r * r * b + M / 6 * r * r * r);
}

// Brute force for d = 2, 3: the best ray minimum over a dense set of directions (20000 on the
// circle or a Fibonacci sphere), refined by a compass search from the best 8 of them.
double brute_force_minimum(const Mat& h, const Vec& g, double M) {
  const Index d = g.size();
  const int n = 20000;
  std::vector<std::pair<double, Vec>> cands;
  for (int k = 0; k < n; ++k) {
    Vec u(d);
    if (d == 2) {
      const double t = 2 * std::numbers::pi * k / n;
      u << std::cos(t), std::sin(t);
    } else {
      const double z = 1 - (2.0 * k + 1) / n;
      const double r = std::sqrt(1 - z * z);
      const double t = k * std::numbers::pi * (3 - std::sqrt(5.0));
      u << r * std::cos(t), r * std::sin(t), z;
    }
    cands.emplace_back(ray_minimum(h, g, M, u), u);
  }
  std::partial_sort(cands.begin(), cands.begin() + 8, cands.end(),
                    [](const auto& a, const auto& b) { return a.first < b.first; });
  double best = cands[0].first;
  for (int c = 0; c < 8; ++c) {
    Vec w = cands[c].second;
    double val = cands[c].first;
    for (double step = 1e-3; step > 1e-12;) {
      bool moved = false;
      for (Index i = 0; i < d; ++i)
        for (double sgn : {1.0, -1.0}) {
          Vec t = w;
          t(i) += sgn * step;
          t.normalize();
          const double v = ray_minimum(h, g, M, t);
          if (v < val) {
            val = v;
            w = t;
            moved = true;
          }
        }
      if (!moved) step *= 0.5;
    }
    best = std::min(best, val);
  }
  return best;
}

// The residuals of the global optimality conditions (Nesterov & Polyak, Theorem 10).
struct Conditions {
  double stationarity;  // ||(H + sigma I) s + g|| / ((||H|| + sigma) ||s|| + ||g||)
  double multiplier;    // |sigma - M ||s|| / 2| / max(sigma, 1e-300)
  double psd;           // lambda_min(H + sigma I) / max(||H||, 1)  (should be >= -rounding)
};

Conditions conditions(const Mat& h, const Vec& g, double M, const CubicSolution& sol) {
  const Index d = g.size();
  Conditions c;
  Eigen::SelfAdjointEigenSolver<Mat> es(h, Eigen::EigenvaluesOnly);
  const double hnorm = es.eigenvalues().cwiseAbs().maxCoeff();
  // Relative to the size of the terms: the backward error that rounding alone would leave.
  c.stationarity = ((h + sol.sigma * Mat::Identity(d, d)) * sol.s + g).norm() /
                   std::max((hnorm + sol.sigma) * sol.s.norm() + g.norm(), 1e-300);
  c.multiplier = std::abs(sol.sigma - 0.5 * M * sol.s.norm()) / std::max(sol.sigma, 1e-300);
  c.psd = (es.eigenvalues()(0) + sol.sigma) / std::max(hnorm, 1.0);
  return c;
}

TEST(CubicExact, MatchesBruteForceOnSmallInstances) {
  Rng rng(11);
  int indefinite = 0;
  double worst = 0;
  for (Index d : {2, 3}) {
    for (int trial = 0; trial < 24; ++trial) {
      const Vec eigs = uniform_eigs(d, -2.0, 2.0, rng);
      indefinite += eigs.minCoeff() < 0;
      const Mat h = with_eigenvalues(eigs, rng);
      const Vec g = gaussian_vector(d, rng);
      const double M = std::pow(10.0, -1.0 + 2.0 * uniform01(rng));  // 0.1 .. 10
      const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
      const double brute = brute_force_minimum(h, g, M);
      const double rel = std::abs(sol.model_value - brute) / std::abs(brute);
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-9) << "d " << d << " trial " << trial;
      // The reported value is that of the returned s.
      EXPECT_NEAR(sol.model_value, cubic_model_value(h, g, M, sol.s), 1e-12 * std::abs(brute));
    }
  }
  EXPECT_GE(indefinite, 30);  // most instances are nonconvex
  std::cout << "  [cubic exact vs brute force] worst relative gap " << worst << "\n";
}

TEST(CubicExact, HardCaseMeetsTheRadiusAndIsGlobal) {
  const Mat h = v3(-1.0, 2.0, 3.0).asDiagonal();
  const Vec g = v3(0.0, 1.0, 1.0);
  const double M = 1.0;
  const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
  EXPECT_TRUE(sol.hard_case);
  EXPECT_NEAR(sol.sigma, 1.0, 1e-14);
  EXPECT_NEAR(sol.s.norm(), 2 * sol.sigma / M, 1e-12);
  // Closed form: s = (+-tau, -1/3, -1/4) with tau^2 = 4 - 1/9 - 1/16.
  EXPECT_NEAR(sol.s(1), -1.0 / 3, 1e-14);
  EXPECT_NEAR(sol.s(2), -1.0 / 4, 1e-14);
  EXPECT_NEAR(std::abs(sol.s(0)), std::sqrt(4.0 - 1.0 / 9 - 1.0 / 16), 1e-12);
  const double brute = brute_force_minimum(h, g, M);
  EXPECT_LE(std::abs(sol.model_value - brute), 1e-9 * std::abs(brute));
  const Conditions c = conditions(h, g, M, sol);
  EXPECT_LE(c.stationarity, 1e-14);
  EXPECT_GE(c.psd, -1e-15);
}

TEST(CubicExact, NearHardCaseFollowsTheSignOfTheSmallComponent) {
  const Mat h = v3(-1.0, 2.0, 3.0).asDiagonal();
  const double M = 1.0;
  const double tau = std::sqrt(4.0 - 1.0 / 9 - 1.0 / 16);
  for (double eps : {1e-12, -1e-12, 1e-6}) {
    const Vec g = v3(eps, 1.0, 1.0);
    const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
    EXPECT_FALSE(sol.hard_case) << eps;  // a root exists and is found
    // sigma - 1 = eps / tau to first order: resolved although it is far below eps * sigma for
    // eps = 1e-12 would not be if sigma itself were the unknown.
    EXPECT_NEAR((sol.sigma - 1) * tau / std::abs(eps), 1.0, 1e-3) << eps;
    EXPECT_LT(sol.s(0) * eps, 0) << eps;  // the side opposite to g's component
    EXPECT_NEAR(std::abs(sol.s(0)), tau, 1e-5) << eps;
    const double brute = brute_force_minimum(h, g, M);
    EXPECT_LE(std::abs(sol.model_value - brute), 1e-9 * std::abs(brute)) << eps;
    const Conditions c = conditions(h, g, M, sol);
    EXPECT_LE(c.stationarity, 1e-12) << eps;
    EXPECT_LE(c.multiplier, 1e-14) << eps;
    EXPECT_GE(c.psd, 0.0) << eps;
  }
}

TEST(CubicExact, NoHardCaseWhenTheRadiusIsAlreadyExceeded) {
  // With M = 10 the minimum-norm solution at sigma = 1 (norm 5/12) is longer than
  // 2 sigma / M = 0.2: sigma > 1 and s has no component along the negative eigenvector.
  const Mat h = v3(-1.0, 2.0, 3.0).asDiagonal();
  const Vec g = v3(0.0, 1.0, 1.0);
  const double M = 10.0;
  const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
  EXPECT_FALSE(sol.hard_case);
  EXPECT_GT(sol.sigma, 1.0);
  EXPECT_EQ(sol.s(0), 0.0);
  EXPECT_LE(conditions(h, g, M, sol).stationarity, 1e-14);
  const double brute = brute_force_minimum(h, g, M);
  EXPECT_LE(std::abs(sol.model_value - brute), 1e-9 * std::abs(brute));
}

TEST(CubicExact, HardCaseInARotatedBasisAndWithZeroGradient) {
  // The same hard case seen through a random rotation: the computed eigenvectors make g's
  // bottom component rounding noise instead of an exact zero.
  Rng rng(3);
  Mat q;
  const Mat h = with_eigenvalues(v3(-1.0, 2.0, 3.0), rng, &q);
  const Vec g = q * v3(0.0, 1.0, 1.0);
  const CubicSolution sol = DenseCubicSolver(h, 1.0).solve(g);
  EXPECT_NEAR(sol.sigma, 1.0, 1e-12);
  EXPECT_NEAR(sol.s.norm(), 2.0, 1e-12);
  const double brute = brute_force_minimum(h, g, 1.0);
  EXPECT_LE(std::abs(sol.model_value - brute), 1e-9 * std::abs(brute));
  // g = 0: s = 0 is a saddle; the minimizers are +-(2 / M) v_min.
  const CubicSolution zero = DenseCubicSolver(h, 0.5).solve(Vec::Zero(3));
  EXPECT_TRUE(zero.hard_case);
  EXPECT_NEAR(zero.s.norm(), 4.0, 1e-12);
  EXPECT_NEAR(std::abs(zero.s.dot(q.col(0))), 4.0, 1e-12);
  EXPECT_NEAR(zero.model_value, -0.5 * 16 + 0.5 / 6 * 64, 1e-12);
  // g = 0 with H positive definite: s = 0.
  const CubicSolution pd = DenseCubicSolver(Mat::Identity(3, 3), 1.0).solve(Vec::Zero(3));
  EXPECT_FALSE(pd.hard_case);
  EXPECT_EQ(pd.s, Vec::Zero(3));
  EXPECT_EQ(pd.model_value, 0.0);
}

TEST(CubicExact, OptimalityConditionsHoldInDimension50) {
  Rng rng(5);
  Index max_iters = 0;
  double worst_stat = 0, worst_mult = 0, min_psd = 1e300;
  for (int trial = 0; trial < 12; ++trial) {
    const Index d = 50;
    const double lo = trial % 3 == 0 ? 0.1 : -5.0;  // a third positive definite
    const Mat h = with_eigenvalues(uniform_eigs(d, lo, 5.0, rng), rng);
    const Vec g = gaussian_vector(d, rng) * std::pow(10.0, -2.0 + 4.0 * uniform01(rng));
    const double M = std::pow(10.0, -2.0 + 4.0 * uniform01(rng));
    const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
    const Conditions c = conditions(h, g, M, sol);
    EXPECT_LE(c.stationarity, 1e-14) << trial;
    EXPECT_LE(c.multiplier, 1e-14) << trial;
    worst_stat = std::max(worst_stat, c.stationarity);
    worst_mult = std::max(worst_mult, c.multiplier);
    min_psd = std::min(min_psd, c.psd);
    EXPECT_GE(c.psd, -1e-14) << trial;
    EXPECT_FALSE(sol.hard_case) << trial;
    max_iters = std::max(max_iters, sol.iterations);
  }
  EXPECT_LE(max_iters, 40);
  std::cout << "  [cubic exact d=50] max iterations " << max_iters << ", stationarity "
            << worst_stat << ", multiplier " << worst_mult << ", min lambda(H + sigma I)/||H|| "
            << min_psd << "\n";
}

TEST(CubicExact, OneFactorizationServesManyGradients) {
  Rng rng(7);
  const Index d = 40;
  const Mat h = with_eigenvalues(uniform_eigs(d, -3.0, 3.0, rng), rng);
  const double M = 2.0;
  const DenseCubicSolver shared(h, M);
  for (int k = 0; k < 10; ++k) {
    const Vec g = gaussian_vector(d, rng);
    const CubicSolution a = shared.solve(g);
    const CubicSolution b = DenseCubicSolver(h, M).solve(g);  // rebuilt each time
    EXPECT_EQ(a.s, b.s) << k;  // identical, not merely close: solve() does not alter the state
    EXPECT_EQ(a.sigma, b.sigma) << k;
    EXPECT_EQ(a.model_value, b.model_value) << k;
    EXPECT_LE(conditions(h, g, M, a).stationarity, 1e-12) << k;
  }
}

TEST(CubicExact, TinyMApproachesTheNewtonStep) {
  Rng rng(9);
  const Index d = 20;
  const Mat h = with_eigenvalues(uniform_eigs(d, 0.5, 4.0, rng), rng);
  const Vec g = gaussian_vector(d, rng);
  const Vec newton = -h.ldlt().solve(g);
  double prev = 1e300;
  for (double M : {1e-2, 1e-4, 1e-6, 1e-8}) {
    const CubicSolution sol = DenseCubicSolver(h, M).solve(g);
    const double err = (sol.s - newton).norm() / newton.norm();
    // sigma = M ||s|| / 2 shifts H by O(M): the error shrinks in proportion to M.
    EXPECT_LE(err, 10 * M) << M;
    EXPECT_LT(err, prev) << M;
    prev = err;
  }
  EXPECT_LE(prev, 1e-7);
}

// H as a product callback, counting calls.
struct Hvp {
  const Mat& h;
  Index calls = 0;
  std::function<void(const Vec&, Vec*)> fn() {
    return [this](const Vec& v, Vec* out) {
      ++calls;
      *out = h * v;
    };
  }
};

TEST(CubicGradientDescent, ReachesTheExactModelValue) {
  Rng rng(13);
  const Index d = 30;
  struct Case {
    const char* name;
    double bottom, rest_lo;   // lowest eigenvalue; the others uniform in [rest_lo, 3]
    double bottom_component;  // g's component along the bottom eigenvector (< 0: random)
  };
  // In the (near-)hard cases the other eigenvalues are >= 0.5 and ||g|| = 3, so the
  // minimum-norm solution at sigma = 2 has norm <= 3 / 2.5, inside the radius 2 * 2 / M = 4.
  const Case cases[] = {{"positive definite", 0.2, 0.2, -1},
                        {"indefinite", -2.0, -2.0, -1},
                        {"near hard", -2.0, 0.5, 1e-8},
                        {"hard", -2.0, 0.5, 0.0}};
  for (const Case& cs : cases) {
    for (int trial = 0; trial < 3; ++trial) {
      Vec eigs = uniform_eigs(d, cs.rest_lo, 3.0, rng);
      eigs(0) = cs.bottom;
      Mat q;
      const Mat h = with_eigenvalues(eigs, rng, &q);
      Vec g = gaussian_vector(d, rng);
      if (cs.bottom_component >= 0) {
        g -= q.col(0).dot(g) * q.col(0);
        g *= 3 / g.norm();
        g += cs.bottom_component * q.col(0);
      }
      const double M = 1.0;
      const CubicSolution exact = DenseCubicSolver(h, M).solve(g);
      Hvp prod{h};
      Rng gd_rng(100 + trial);
      const CubicGdResult gd = cubic_gradient_descent(prod.fn(), g, M, gd_rng);
      if (cs.bottom_component >= 0) {  // the instance is what its name says
        EXPECT_EQ(exact.hard_case, cs.bottom_component == 0) << cs.name;
        EXPECT_LE(exact.sigma - 2, 1e-7) << cs.name;
      }
      EXPECT_TRUE(gd.converged) << cs.name << " " << trial;
      EXPECT_LE(std::abs(gd.model_value - exact.model_value), 1e-6 * std::abs(exact.model_value))
          << cs.name << " " << trial;
      EXPECT_EQ(gd.hvps, prod.calls) << cs.name;
      EXPECT_GT(gd.hvps, gd.iterations) << cs.name;  // power iteration and the Cauchy point too
      EXPECT_NEAR(gd.model_value, cubic_model_value(h, g, M, gd.s), 1e-12 * std::abs(gd.model_value));
      std::cout << "  [cubic gd] " << cs.name << ": hvps " << gd.hvps << ", gap "
                << std::abs(gd.model_value - exact.model_value) / std::abs(exact.model_value)
                << (exact.hard_case ? " (exact: hard case)" : "") << "\n";
    }
  }
}

TEST(CubicGradientDescent, WithoutPerturbationTheHardCaseStallsAtASaddle) {
  // The reason for the perturbation: from the Cauchy point, every iterate stays orthogonal to the
  // negative eigenvector when g is, and descent ends at a stationary point that is not global.
  const Mat h = v3(-1.0, 2.0, 3.0).asDiagonal();
  const Vec g = v3(0.0, 1.0, 1.0);
  const CubicSolution exact = DenseCubicSolver(h, 1.0).solve(g);
  Hvp prod{h};
  Rng rng(1);
  CubicGdOptions o;
  o.perturbation = 0;
  const CubicGdResult stalled = cubic_gradient_descent(prod.fn(), g, 1.0, rng, o);
  EXPECT_EQ(stalled.s(0), 0.0);
  EXPECT_GT(stalled.model_value, exact.model_value + 0.1);
  const CubicGdResult gd = cubic_gradient_descent(prod.fn(), g, 1.0, rng);
  EXPECT_TRUE(gd.converged);
  EXPECT_LE(std::abs(gd.model_value - exact.model_value), 1e-9 * std::abs(exact.model_value));
}

TEST(CubicGradientDescent, StopsAtTheRoundingLevelWhenGIsTinyNextToHs) {
  // With ||g|| = 1e-8 and lambda_min = -1 the minimizer has ||s|| about 2 / M = 2: the terms of
  // the gradient are 1e8 times ||g||, and tol * ||g|| = 1e-18 is below what rounding lets the
  // computed gradient show. Descent must stop there rather than run to max_iters.
  Rng rng(19);
  Vec eigs = uniform_eigs(10, -1.0, 2.0, rng);
  eigs(0) = -1.0;
  const Mat h = with_eigenvalues(eigs, rng);
  const Vec g = 1e-8 * gaussian_vector(10, rng).normalized();
  const CubicSolution exact = DenseCubicSolver(h, 1.0).solve(g);
  Hvp prod{h};
  const CubicGdResult gd = cubic_gradient_descent(prod.fn(), g, 1.0, rng);
  EXPECT_TRUE(gd.converged);
  EXPECT_LT(gd.iterations, 20000);
  EXPECT_LE(std::abs(gd.model_value - exact.model_value), 1e-9 * std::abs(exact.model_value));
}

TEST(CubicGradientDescent, GivenLAndStepAreUsedAndMaxItersBinds) {
  Rng rng(17);
  const Mat h = with_eigenvalues(uniform_eigs(10, -1.0, 2.0, rng), rng);
  const Vec g = gaussian_vector(10, rng);
  Hvp prod{h};
  CubicGdOptions o;
  o.L = 2.0;
  o.step = 0.01;
  o.max_iters = 5;
  const CubicGdResult r = cubic_gradient_descent(prod.fn(), g, 1.0, rng, o);
  EXPECT_EQ(r.L, 2.0);
  EXPECT_EQ(r.step, 0.01);
  EXPECT_EQ(r.iterations, 5);
  EXPECT_EQ(r.hvps, 6);  // the Cauchy point's product and five steps; no power iteration
  EXPECT_FALSE(r.converged);
}

template <class Fn>
void expect_one_line_error(Fn fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected one mentioning " << fragment;
  } catch (const InvalidInput& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(CubicInput, InvalidInputThrowsOneClearLine) {
  const Mat h = Mat::Identity(3, 3);
  expect_one_line_error([&] { DenseCubicSolver(h, 0.0); }, "M must be");
  expect_one_line_error([&] { DenseCubicSolver(h, -1.0); }, "M must be");
  expect_one_line_error([&] { DenseCubicSolver(h, std::nan("")); }, "M must be");
  expect_one_line_error([&] { DenseCubicSolver(Mat::Zero(3, 2), 1.0); }, "square");
  expect_one_line_error([&] { DenseCubicSolver(Mat(0, 0), 1.0); }, "empty");
  Mat asym = h;
  asym(0, 1) = 1e-3;
  expect_one_line_error([&] { DenseCubicSolver(asym, 1.0); }, "symmetric");
  Mat inf = h;
  inf(1, 1) = std::numeric_limits<double>::infinity();
  expect_one_line_error([&] { DenseCubicSolver(inf, 1.0); }, "non-finite");
  const DenseCubicSolver solver(h, 1.0);
  expect_one_line_error([&] { solver.solve(Vec::Ones(4)); }, "dimension 4");
  // Rounding-level asymmetry is accepted.
  Mat nearly = h;
  nearly(0, 1) = 1e-14;
  EXPECT_NO_THROW(DenseCubicSolver(nearly, 1.0).solve(Vec::Ones(3)));

  Hvp prod{h};
  Rng rng(1);
  expect_one_line_error([&] { cubic_gradient_descent(prod.fn(), Vec::Ones(3), 0.0, rng); },
                        "M must be");
  CubicGdOptions bad;
  bad.tol = 0;
  bad.max_iters = 0;
  expect_one_line_error([&] { cubic_gradient_descent(prod.fn(), Vec::Ones(3), 1.0, rng, bad); },
                        "tol must be > 0");
  EXPECT_THROW(cubic_gradient_descent(prod.fn(), Vec::Ones(3), 1.0, rng, bad), InvalidOptions);
  const std::function<void(const Vec&, Vec*)> wrong = [](const Vec&, Vec* out) {
    *out = Vec::Ones(3);
  };
  expect_one_line_error([&] { cubic_gradient_descent(wrong, Vec::Ones(4), 1.0, rng); },
                        "size 3 for an input of size 4");
}

}  // namespace
}  // namespace bilevel
