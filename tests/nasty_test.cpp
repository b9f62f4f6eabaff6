// The slides' nasty example: oracles against finite differences, the closed-form lower-level
// and penalty solutions, phi and the solution-set metrics at known points, boxes, and that
// runs tolerate its undefined hypergradient.
#include "bilevel/problems/nasty.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bilevel/algorithms/f2sa.hpp"
#include "bilevel/algorithms/prox_f2sa.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

Vec vec(std::initializer_list<double> v) {
  Vec r(static_cast<Index>(v.size()));
  Index i = 0;
  for (double e : v) r(i++) = e;
  return r;
}

TEST(Nasty, GradientsAndProductsMatchFiniteDifferences) {
  NastyOptions o;
  o.dim = 3;
  Nasty p(o);
  const Vec x = vec({0.3, -0.7, 0.1}), y = vec({-0.2, 0.5, 0.9});
  const std::vector<Index> one = {0};
  testing::expect_gradients_match_finite_differences(p, x, y, one);
  const Vec v = vec({0.4, -1.0, 2.0});
  for (Fn fn : {Fn::kF, Fn::kG}) {
    auto gy_at = [&](const Vec& xx, const Vec& yy) {
      Vec gy;
      p.grad(fn, xx, yy, Batch{}, nullptr, &gy);
      return gy;
    };
    auto gx_at = [&](const Vec& xx, const Vec& yy) {
      Vec gx;
      p.grad(fn, xx, yy, Batch{}, &gx, nullptr);
      return gx;
    };
    Vec hyy, hxy, hyx;
    p.hyy(fn, x, y, v, Batch{}, &hyy);
    p.hxy(fn, x, y, v, Batch{}, &hxy);
    p.hyx(fn, x, y, v, Batch{}, &hyx);
    const Mat jyy = testing::fd_jacobian([&](const Vec& yy) { return gy_at(x, yy); }, y);
    const Mat jxy = testing::fd_jacobian([&](const Vec& yy) { return gx_at(x, yy); }, y);
    const Mat jyx = testing::fd_jacobian([&](const Vec& xx) { return gy_at(xx, y); }, x);
    EXPECT_LT(testing::rel_err(hyy, jyy * v), 1e-8) << to_string(fn);
    EXPECT_LT(testing::rel_err(hxy, jxy * v), 1e-8) << to_string(fn);
    EXPECT_LT(testing::rel_err(hyx, jyx * v), 1e-8) << to_string(fn);
  }
}

TEST(Nasty, LowerLevelAndPenaltySolutionsAreTheClosedForms) {
  Nasty p;
  Vec y;
  // sigma = 0: the corner -sign(x); at x = 0 the optimistic choice y = 0.
  for (auto [x, want] : {std::pair{0.5, -1.0}, {-0.3, 1.0}, {0.0, 0.0}}) {
    p.closed_form_solution(vec({x}), 0.0, &y);
    EXPECT_EQ(y(0), want) << "x = " << x;
  }
  // sigma > 0: argmin over [-1, 1] of sigma (x^2 + y^2) + x y, checked on a fine grid.
  for (double sigma : {0.1, 1.0}) {
    for (double x : {-0.9, -0.05, 0.0, 0.12, 0.6}) {
      p.closed_form_solution(vec({x}), sigma, &y);
      double best = 1e300, arg = 0;
      for (int i = 0; i <= 200000; ++i) {
        const double t = -1.0 + i * 1e-5;
        const double h = sigma * (x * x + t * t) + x * t;
        if (h < best) best = h, arg = t;
      }
      EXPECT_NEAR(y(0), arg, 1e-5) << "sigma " << sigma << " x " << x;
    }
  }
}

TEST(Nasty, PhiIsTheSlidesStepFunctionAndTheHypergradientIsUnknown) {
  Nasty p;
  Diagnostics d(p);
  EXPECT_EQ(d.phi(vec({0.0})), 0.0);
  EXPECT_DOUBLE_EQ(d.phi(vec({0.5})), 1.25);
  EXPECT_DOUBLE_EQ(d.phi(vec({-1e-3})), 1.000001);
  EXPECT_TRUE(std::isnan(d.hypergradient(vec({0.5})).norm()));
}

TEST(Nasty, MetricsMeasureDistanceToTheSolutionLowerLevelGapAndBoxViolation) {
  Nasty p;
  ASSERT_EQ(p.metric_names(), (std::vector<std::string>{"dist_solution", "ll_gap",
                                                        "box_violation"}));
  auto m = [&](double x, double y) { return p.metrics(vec({x}), vec({y})); };
  EXPECT_EQ(m(0, 0), (std::vector<double>{0, 0, 0}));             // the solution
  EXPECT_EQ(m(0, 0.7)[1], 0.0);                                    // y in S(0) = [-1, 1]
  EXPECT_DOUBLE_EQ(m(0.5, -1)[0], std::sqrt(1.25));               // feasible, not optimal
  EXPECT_DOUBLE_EQ(m(0.5, -1)[1], 0.0);
  EXPECT_DOUBLE_EQ(m(0.5, 1)[1], 1.0);                             // worst response
  EXPECT_DOUBLE_EQ(m(1.5, 0)[2], 0.5);
  EXPECT_DOUBLE_EQ(m(0.2, -1.25)[2], 0.25);
}

TEST(Nasty, ExposesUnitBoxesAndConstantsWithoutStrongConvexity) {
  NastyOptions o;
  o.dim = 2;
  Nasty p(o);
  ASSERT_TRUE(p.box_x() && p.box_y());
  EXPECT_TRUE(p.box_y()->contains(vec({1.0, -1.0})));
  EXPECT_FALSE(p.box_x()->contains(vec({1.0, -1.01})));
  Vec v = vec({3.0, -0.5});
  p.box_x()->project(&v);
  EXPECT_EQ(v, vec({1.0, -0.5}));
  EXPECT_FALSE(p.constants().mu_g.has_value());
  // Methods whose auto options need mu_g say so instead of dividing by zero.
  F2sa f2sa;
  EXPECT_TRUE(testing::run_error(f2sa, p).find("mu_g") != std::string::npos);
}

TEST(Nasty, RunsWithDiagnosticsReportPhiAndAnUnknownHypergradientWithoutDiverging) {
  Nasty p;
  ProxF2saOptions o;
  o.lam0 = 1;
  ProxF2sa a(o);
  RunSettings s;
  s.stopping.max_iters = 5;
  const Result r = a.solve(p, s);
  EXPECT_EQ(r.status, Status::kMaxIterations);
  EXPECT_TRUE(std::isfinite(r.phi));
  EXPECT_TRUE(std::isnan(r.hypergrad_norm));
}

TEST(Nasty, IsRegisteredWithTheNewMethods) {
  const auto p = make_problem("nasty", {{"dim", "2"}, {"sigma", "0.1"}});
  EXPECT_EQ(p->dim_x(), 2);
  const auto a = make_algorithm("prox-f2sa", {{"variant", "single-loop"}, {"lam0", "1"}});
  const Result r = a->solve(*p, testing::iterations(3));
  EXPECT_EQ(r.iters, 3);
  EXPECT_EQ(make_algorithm("f3sa")->name(), "f3sa");
}

TEST(NastyOptions, RejectsBadValues) {
  NastyOptions o;
  o.dim = 0;
  o.sigma = -1;
  const auto v = option_violations(o, "");
  EXPECT_TRUE(testing::mentions(v, "dim must be >= 1"));
  EXPECT_TRUE(testing::mentions(v, "sigma must be >= 0"));
  EXPECT_THROW(Nasty{o}, InvalidOptions);
}

}  // namespace
}  // namespace bilevel
