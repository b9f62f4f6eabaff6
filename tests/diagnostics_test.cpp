// Diagnostics: the generic Newton-CG / CG paths against the quadratic's closed forms, and
// the penalty proxy's gradient against grad phi at the O(1/lam) rate of the f2ba paper.
#include "bilevel/core/diagnostics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/random.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::loglog_slope;
using testing::QuadraticWithoutClosedForms;


TEST(Diagnostics, CgHypergradientAgreesWithClosedForm) {
  QuadraticOptions o;  // dx = dy = 20, kappa = 10
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  Diagnostics d(generic);
  Rng rng(1);
  for (int trial = 0; trial < 3; ++trial) {
    const Vec x = gaussian_vector(o.dx, rng);
    Vec g;
    exact.closed_form_hypergradient(x, &g);
    EXPECT_LT((d.hypergradient(x) - g).norm(), 1e-9 * std::max(1.0, g.norm()));
    Vec ys;
    exact.closed_form_solution(x, 0.0, &ys);
    EXPECT_LT((d.lower_solution(x) - ys).norm(), 1e-10 * std::max(1.0, ys.norm()));
  }
  EXPECT_EQ(generic.counts().total_calls(), 0) << "diagnostics must never be counted";
}

TEST(Diagnostics, NewtonPenaltySolutionAgreesWithClosedForm) {
  QuadraticOptions o = testing::small_quadratic();
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  Diagnostics d(generic);
  Rng rng(2);
  const Vec x = gaussian_vector(o.dx, rng);
  for (double lam : {10.0, 1e3}) {
    Vec yl;
    exact.closed_form_solution(x, 1.0 / lam, &yl);
    EXPECT_LT((d.penalty_solution(x, lam) - yl).norm(), 1e-10 * std::max(1.0, yl.norm()));
  }
}

TEST(Diagnostics, FiniteDifferenceHessianOfPhiAgreesWithClosedForm) {
  QuadraticOptions o = testing::small_quadratic();
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  Diagnostics d(generic);
  const Vec x = Vec::Ones(o.dx);
  Mat h;
  exact.closed_form_hessian_phi(x, &h);
  EXPECT_LT((d.hessian_phi(x) - h).norm() / h.norm(), 1e-6);
}

TEST(Diagnostics, PenaltyProxyGradientApproachesHypergradientLikeOneOverLambda) {
  QuadraticOptions o;  // kappa = 10
  Quadratic q(o);
  Diagnostics d(q);
  Rng rng(3);
  const Vec x = gaussian_vector(o.dx, rng);
  const Vec g = d.hypergradient(x);
  std::vector<double> lams = {1e1, 1e2, 1e3, 1e4}, errs;
  for (double lam : lams) errs.push_back((d.penalty_gradient(x, lam) - g).norm());
  const double slope = loglog_slope(lams, errs);
  EXPECT_GE(slope, -1.2);
  EXPECT_LE(slope, -0.8);
  EXPECT_LT(errs.back(), 1e-2 * errs.front());
}

TEST(Diagnostics, PenaltyValueApproachesPhi) {
  Quadratic q(testing::small_quadratic());
  Diagnostics d(q);
  const Vec x = Vec::Ones(q.dim_x());
  const double phi = d.phi(x);
    // |L*_lam - phi| = O(1/lam): a 100x larger lam shrinks the gap about 100x.
  EXPECT_LT(std::abs(d.penalty_value(x, 1e4) - phi), 0.05 * std::abs(d.penalty_value(x, 1e2) - phi));
}

}  // namespace
}  // namespace bilevel
