// Diagnostics::min_eig_phi and hessian_phi_product: the dense and the Lanczos paths on the same
// problems against closed forms (quadratic's Hess phi, saddle's eigenvalue -w pi^2 c^2 at the
// saddle), the difference paths of problems without a closed-form Hess phi, the automatic
// choice of path, and a problem whose hypergradient is unknown.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <numbers>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/nasty.hpp"
#include "bilevel/problems/saddle.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::QuadraticWithoutClosedForms;

// Saddle with its Hess phi hidden: Diagnostics must difference the (closed-form) hypergradient.
class SaddleWithoutHessianOfPhi : public Saddle {
 public:
  using Saddle::Saddle;
  bool closed_form_hessian_phi(const Vec&, Mat*) const override { return false; }
};

DiagnosticsOptions forced(MinEigMethod m) {
  DiagnosticsOptions o;
  o.min_eig_method = m;
  return o;
}

// An indefinite Hess phi (f's joint Hessian has eigenvalues in [-1, 1]).
QuadraticOptions indefinite_quadratic() {
  QuadraticOptions o = testing::small_quadratic();
  o.mu_f = -1.0;
  return o;
}

double closed_form_min_eig(const Problem& p, const Vec& x, double* norm = nullptr) {
  Mat h;
  EXPECT_TRUE(p.closed_form_hessian_phi(x, &h));
  const Vec eigs = Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly).eigenvalues();
  if (norm) *norm = eigs.cwiseAbs().maxCoeff();
  return eigs(0);
}

// The vector of `r` is a unit eigenvector of the closed-form Hess phi for its value.
void expect_eigenvector(const Problem& p, const Vec& x, const MinEigPhi& r, double tol) {
  Mat h;
  p.closed_form_hessian_phi(x, &h);
  ASSERT_EQ(r.vector.size(), x.size());
  EXPECT_NEAR(r.vector.norm(), 1.0, 1e-12);
  EXPECT_LT((h * r.vector - r.value * r.vector).norm(), tol * h.norm());
}

TEST(DiagnosticsMinEig, QuadraticDenseAndLanczosAgreeWithTheClosedForm) {
  QuadraticOptions o = indefinite_quadratic();
  o.dx = 30;
  Quadratic q(o);
  const Vec x = testing::random_vector(o.dx, 2);
  double norm = 0;
  const double exact = closed_form_min_eig(q, x, &norm);
  ASSERT_LT(exact, 0.0) << "the test needs an indefinite Hess phi";

  Diagnostics automatic(q);
  const MinEigPhi dense = automatic.min_eig_phi(x);
  EXPECT_EQ(dense.method, MinEigMethod::kDense) << "a closed form goes to the dense path";
  EXPECT_NEAR(dense.value, exact, 1e-13 * norm);
  expect_eigenvector(q, x, dense, 1e-12);

  Diagnostics lanczos(q, forced(MinEigMethod::kLanczos));
  const MinEigPhi lz = lanczos.min_eig_phi(x);
  EXPECT_EQ(lz.method, MinEigMethod::kLanczos);
  EXPECT_TRUE(lz.converged);
  EXPECT_GT(lz.products, 0);
  EXPECT_LE(lz.products, o.dx);
  EXPECT_NEAR(lz.value, exact, 1e-8 * norm);
  expect_eigenvector(q, x, lz, 1e-6);
  EXPECT_EQ(q.counts().total_calls(), 0) << "diagnostics must never be counted";
}

TEST(DiagnosticsMinEig, SaddleHasEigenvalueMinusWPiSquaredCSquaredAtTheSaddle) {
  SaddleOptions o;
  o.dx = 4;
  o.depth = 1.5;     // w
  o.coupling = 0.8;  // c
  const double expected = -1.5 * std::numbers::pi * std::numbers::pi * 0.8 * 0.8;
  Saddle closed(o);
  SaddleWithoutHessianOfPhi differenced(o);
  const Vec x0 = Vec::Zero(o.dx);
  for (Problem* p : {static_cast<Problem*>(&closed), static_cast<Problem*>(&differenced)}) {
    for (MinEigMethod m : {MinEigMethod::kDense, MinEigMethod::kLanczos}) {
      SCOPED_TRACE(std::string(p == &closed ? "closed form" : "differences") +
                   (m == MinEigMethod::kDense ? ", dense" : ", lanczos"));
      Diagnostics d(*p, forced(m));
      const MinEigPhi r = d.min_eig_phi(x0);
      EXPECT_EQ(r.method, m);
      EXPECT_TRUE(r.converged);
      EXPECT_NEAR(r.value, expected, 1e-8 * std::abs(expected));
      // The eigenvector is the saddle's escape direction, the first coordinate.
      EXPECT_NEAR(std::abs(r.vector(0)), 1.0, 1e-6);
    }
  }
}

TEST(DiagnosticsMinEig, SaddleLanczosAgreesWithDenseAwayFromTheSaddle) {
  SaddleOptions o;
  o.dx = 5;
  SaddleWithoutHessianOfPhi p(o);
  Vec x = Vec::Zero(o.dx);
  x(0) = 0.3;
  x(3) = -1.2;
  Diagnostics dense(p, forced(MinEigMethod::kDense));
  Diagnostics lanczos(p, forced(MinEigMethod::kLanczos));
  const double a = dense.min_eig_phi(x).value, b = lanczos.min_eig_phi(x).value;
  // Hess phi = diag(-w pi^2 c^2 cos(pi c x_1), e (1 + c)^2, ...).
  const double exact = -std::numbers::pi * std::numbers::pi * std::cos(std::numbers::pi * 0.3);
  EXPECT_NEAR(a, exact, 1e-8);
  EXPECT_NEAR(b, exact, 1e-8);
}

TEST(DiagnosticsMinEig, WithoutClosedFormsBothPathsMatchTheClosedForm) {
  // Everything differenced from the CG hypergradient: the accuracy of the difference
  // products (about 1e-7 relative, see diagnostics.hpp) bounds both paths.
  const QuadraticOptions o = indefinite_quadratic();
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  const Vec x = testing::random_vector(o.dx, 4);
  double norm = 0;
  const double expected = closed_form_min_eig(exact, x, &norm);
  for (MinEigMethod m : {MinEigMethod::kDense, MinEigMethod::kLanczos}) {
    SCOPED_TRACE(m == MinEigMethod::kDense ? "dense" : "lanczos");
    Diagnostics d(generic, forced(m));
    const MinEigPhi r = d.min_eig_phi(x);
    EXPECT_TRUE(r.converged);
    EXPECT_NEAR(r.value, expected, 1e-6 * norm);
    expect_eigenvector(exact, x, r, 1e-5);
  }
  EXPECT_EQ(generic.counts().total_calls(), 0) << "diagnostics must never be counted";
}

TEST(DiagnosticsMinEig, DifferenceProductMatchesTheClosedFormForEveryLength) {
  const QuadraticOptions o = indefinite_quadratic();
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  Diagnostics d(generic);
  Diagnostics closed(exact);
  const Vec x = 3.0 * testing::random_vector(o.dx, 5);
  Mat h;
  exact.closed_form_hessian_phi(x, &h);
  for (double length : {1e-6, 1.0, 1e4}) {
    const Vec v = length * testing::random_vector(o.dx, 6).normalized();
    EXPECT_LT((d.hessian_phi_product(x, v) - h * v).norm(), 1e-6 * h.norm() * length)
        << "||v|| = " << length;
    EXPECT_LT((closed.hessian_phi_product(x, v) - h * v).norm(), 1e-14 * h.norm() * length);
  }
  EXPECT_EQ(d.hessian_phi_product(x, Vec::Zero(o.dx)), Vec::Zero(o.dx));
}

TEST(DiagnosticsMinEig, AutoIsDenseForAClosedFormOrASmallDimensionElseLanczos) {
  const QuadraticOptions o = indefinite_quadratic();  // dx = 6
  Quadratic exact(o);
  QuadraticWithoutClosedForms generic(o);
  const Vec x = Vec::Ones(o.dx);
  DiagnosticsOptions small_limit;
  small_limit.dense_min_eig_limit = 5;
  EXPECT_EQ(Diagnostics(exact, small_limit).min_eig_phi(x).method, MinEigMethod::kDense);
  EXPECT_EQ(Diagnostics(generic, small_limit).min_eig_phi(x).method, MinEigMethod::kLanczos);
  DiagnosticsOptions limit_at_dx;
  limit_at_dx.dense_min_eig_limit = 6;
  EXPECT_EQ(Diagnostics(generic, limit_at_dx).min_eig_phi(x).method, MinEigMethod::kDense);
}

TEST(DiagnosticsMinEig, LanczosOutOfProductsIsNotConverged) {
  QuadraticOptions o = indefinite_quadratic();
  o.dx = 40;
  Quadratic q(o);
  DiagnosticsOptions opts = forced(MinEigMethod::kLanczos);
  opts.lanczos_max_iters = 2;
  const MinEigPhi r = Diagnostics(q, opts).min_eig_phi(Vec::Zero(o.dx));
  EXPECT_EQ(r.products, 2);
  EXPECT_FALSE(r.converged);
  EXPECT_GT(r.value, closed_form_min_eig(q, Vec::Zero(o.dx)));
}

TEST(DiagnosticsMinEig, UnknownHypergradientGivesNaNOnBothPaths) {
  Nasty p;  // reports its hypergradient as unknown (NaN)
  const Vec x = Vec::Constant(p.dim_x(), 0.25);
  for (MinEigMethod m : {MinEigMethod::kDense, MinEigMethod::kLanczos}) {
    const MinEigPhi r = Diagnostics(p, forced(m)).min_eig_phi(x);
    EXPECT_TRUE(std::isnan(r.value));
    EXPECT_FALSE(r.converged);
  }
}

}  // namespace
}  // namespace bilevel
