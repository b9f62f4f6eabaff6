// The Hessian of the penalty proxy L*_lam (fsba paper; penalty_hessian.hpp): the dense
// assembly matches finite differences of the exact proxy gradient, approaches Hess phi like
// 1/lam, and the Hessian-vector route (CG on the y-blocks) reproduces the dense matrix with no
// dense-Hessian calls and the documented number of products.
#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/problems/saddle.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_jacobian;
using testing::random_vector;

// The dense proxy Hessian at exact inner solutions y*_lam(x), y*(x).
Mat exact_penalty_hessian(Problem& p, const Vec& x, double lam) {
  Diagnostics d(p);
  const Vec y = d.penalty_solution(x, lam);
  const Vec z = d.lower_solution(x);
  Mat h;
  EXPECT_TRUE(penalty_hessian(p, x, y, z, lam, &h));
  return h;
}

double relative(const Mat& a, const Mat& b) { return (a - b).norm() / std::max(1.0, b.norm()); }

SaddleOptions three_dim_saddle() {
  SaddleOptions o;
  o.dx = 3;
  o.coupling = 0.7;
  return o;
}

TEST(SchurComplement, MatchesTheExplicitInverseAndRefusesAnIndefiniteBlock) {
  const Mat a = Mat::Random(3, 3), b = Mat::Random(3, 4), c0 = Mat::Random(4, 4);
  const Mat c = c0 * c0.transpose() + Mat::Identity(4, 4);
  Mat s;
  ASSERT_TRUE(schur_complement(a, b, c, &s));
  EXPECT_LT((s - (a - b * c.inverse() * b.transpose())).norm(), 1e-12);
  Mat untouched = Mat::Constant(3, 3, 7.0);
  EXPECT_FALSE(schur_complement(a, b, -c, &untouched));
  EXPECT_EQ(untouched, Mat::Constant(3, 3, 7.0));
}

TEST(PenaltyHessian, MatchesFiniteDifferencesOfTheExactProxyGradient) {
  Quadratic q(testing::small_quadratic());
  Saddle s(three_dim_saddle());
  for (Problem* p : {static_cast<Problem*>(&q), static_cast<Problem*>(&s)}) {
    for (double lam : {20.0, 200.0}) {
      const Vec x = 0.5 * random_vector(p->dim_x(), 3);
      Diagnostics d(*p);
      const Mat fd = fd_jacobian([&](const Vec& xx) { return d.penalty_gradient(xx, lam); }, x);
      const Mat h = exact_penalty_hessian(*p, x, lam);
      EXPECT_LT((h - h.transpose()).norm(), 1e-12 * std::max(1.0, h.norm()));
      EXPECT_LT(relative(h, 0.5 * (fd + fd.transpose())), 1e-6) << p->name() << " lam=" << lam;
    }
  }
}

TEST(PenaltyHessian, ApproachesTheHessianOfPhiLikeOneOverLam) {
  Quadratic q(testing::small_quadratic());
  Saddle s(three_dim_saddle());
  for (Problem* p : {static_cast<Problem*>(&q), static_cast<Problem*>(&s)}) {
    const Vec x = 0.5 * random_vector(p->dim_x(), 4);
    Diagnostics d(*p);
    const Mat hphi = d.hessian_phi(x);
    std::vector<double> lams, errs;
    // Far enough past lam = w pi^2 / mu (saddle) for the 1/lam^2 terms to be negligible.
    for (double lam = 160; lam <= 10240; lam *= 2) {
      lams.push_back(lam);
      errs.push_back((exact_penalty_hessian(*p, x, lam) - hphi).norm());
    }
    EXPECT_NEAR(testing::loglog_slope(lams, errs), -1.0, 0.05) << p->name();
    EXPECT_LT(errs.back(), errs.front() / 30) << p->name();
  }
}

TEST(PenaltyHessian, CostsThreeDenseHessianCalls) {
  Quadratic q(testing::small_quadratic());
  const Vec x = random_vector(q.dim_x(), 5), y = random_vector(q.dim_y(), 6);
  Mat h;
  ASSERT_TRUE(penalty_hessian(q, x, y, y, 50.0, &h));
  EXPECT_EQ(q.counts().f.hess, 1);
  EXPECT_EQ(q.counts().g.hess, 2);
  EXPECT_EQ(q.counts().total_calls(), 3);
}

TEST(PenaltyHessian, RefusesALamTooSmallForStrongConvexity) {
  Saddle s;  // f + lam g has curvature lam mu - pi^2 cos(pi y_1) in y_1: indefinite for lam < pi^2
  Mat h;
  EXPECT_FALSE(penalty_hessian(s, s.initial_x(), s.initial_y(), s.initial_y(), 2.0, &h));
  EXPECT_TRUE(penalty_hessian(s, s.initial_x(), s.initial_y(), s.initial_y(), 20.0, &h));
}

TEST(PenaltyHessianProduct, ReproducesTheDenseHessianWithProductsOnly) {
  Quadratic q(testing::small_quadratic());
  Saddle s(three_dim_saddle());
  for (Problem* p : {static_cast<Problem*>(&q), static_cast<Problem*>(&s)}) {
    const double lam = 30;
    const Vec x = 0.5 * random_vector(p->dim_x(), 7);
    const Vec y = 0.3 * random_vector(p->dim_y(), 8), z = 0.3 * random_vector(p->dim_y(), 9);
    Mat dense;
    ASSERT_TRUE(penalty_hessian(*p, x, y, z, lam, &dense));
    p->reset_counts();
    PenaltyHessianProduct prod(*p, x, y, z, lam);
    for (std::uint64_t seed : {10, 11, 12}) {
      const Vec u = random_vector(p->dim_x(), seed);
      Vec out;
      prod.apply(u, &out);
      EXPECT_LT((out - dense * u).norm(), 1e-8 * std::max(1.0, (dense * u).norm()))
          << p->name();
    }
    EXPECT_TRUE(prod.all_converged());
    const OracleCounts& c = p->counts();
    EXPECT_EQ(c.hess_calls(), 0);
    // Per product: hyx, hxx, hxy of h (f and g each) at y and of g at z, plus one f and one g
    // product per CG product with Hyy h, one g product per CG product with Hyy g.
    const Index cg_h = prod.penalty_cg_iterations(), cg_g = prod.cg_iterations() - cg_h;
    EXPECT_GT(cg_h, 3);
    EXPECT_GT(cg_g, 3);
    EXPECT_EQ(c.f.hvp, 3 * 3 + cg_h);
    EXPECT_EQ(c.g.hvp, 3 * 6 + cg_h + cg_g);
    EXPECT_EQ(c.grad_calls() + c.value_calls(), 0);
  }
}

}  // namespace
}  // namespace bilevel
