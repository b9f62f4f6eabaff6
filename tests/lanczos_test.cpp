// lanczos_min_eig against Eigen's dense symmetric eigensolver: indefinite and clustered
// spectra, the n-product bound that full reorthogonalization gives, d = 1, the iteration
// budget, a given start vector, and bad input.
#include "bilevel/linalg/lanczos.hpp"

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <string>

#include "bilevel/core/error.hpp"
#include "symmetric_fixtures.hpp"

namespace bilevel {
namespace {

using testing::uniform_eigs;
using testing::with_eigenvalues;

std::function<void(const Vec&, Vec*)> product_of(const Mat& a) {
  return [&a](const Vec& v, Vec* out) { *out = a * v; };
}

double smallest_eigenvalue(const Mat& a) {
  return Eigen::SelfAdjointEigenSolver<Mat>(a, Eigen::EigenvaluesOnly).eigenvalues()(0);
}

double spectral_norm(const Mat& a) {
  return Eigen::SelfAdjointEigenSolver<Mat>(a, Eigen::EigenvaluesOnly)
      .eigenvalues()
      .cwiseAbs()
      .maxCoeff();
}

// The report's value and vector form an eigenpair of `a` with its reported residual.
void expect_eigenpair(const Mat& a, const LanczosReport& r, double tol) {
  const double norm = spectral_norm(a);
  EXPECT_NEAR(r.value, smallest_eigenvalue(a), tol * norm);
  ASSERT_EQ(r.vector.size(), a.rows());
  EXPECT_NEAR(r.vector.norm(), 1.0, 1e-12);
  const double true_residual = (a * r.vector - r.value * r.vector).norm();
  EXPECT_LE(true_residual, 10 * tol * norm);
  EXPECT_NEAR(true_residual, r.residual, 1e-10 * norm);
}

TEST(Lanczos, IndefiniteRandomMatricesMatchTheDenseSolver) {
  Rng rng(3);
  for (Index d : {5, 40, 120}) {
    const Mat a = with_eigenvalues(uniform_eigs(d, -3.0, 5.0, rng), rng);
    LanczosOptions o;
    o.tol = 1e-10;
    const LanczosReport r = lanczos_min_eig(product_of(a), d, o);
    SCOPED_TRACE("d = " + std::to_string(d));
    EXPECT_TRUE(r.converged);
    EXPECT_LE(r.iterations, d);
    expect_eigenpair(a, r, 1e-10);
  }
}

TEST(Lanczos, ClusteredBottomEigenvaluesGiveTheBottomOfTheCluster) {
  // Five eigenvalues within 4e-9 of -1 and the rest in [0.5, 10]: the Ritz value must reach
  // the lowest one, and its vector must be an eigenvector to the tolerance (a mixture of the
  // cluster's eigenvectors is, to the cluster's width).
  Rng rng(5);
  const Index d = 60;
  Vec eigs = uniform_eigs(d, 0.5, 10.0, rng);
  for (Index i = 0; i < 5; ++i) eigs(i) = -1.0 + 1e-9 * static_cast<double>(i);
  const Mat a = with_eigenvalues(eigs, rng);
  LanczosOptions o;
  o.tol = 1e-12;
  const LanczosReport r = lanczos_min_eig(product_of(a), d, o);
  EXPECT_TRUE(r.converged);
  expect_eigenpair(a, r, 1e-9);
}

TEST(Lanczos, FullReorthogonalizationEndsWithinDProductsAtTheExactValue) {
  // With tol = 0 only an invariant subspace counts as converged. With a reorthogonalized basis
  // the d-th product leaves nothing outside the basis (beta at rounding level), so the run
  // ends converged within d products at the exact value; a basis that lost orthogonality
  // would still have a large beta at d, and no bound on the products would hold.
  Rng rng(7);
  for (Index d : {2, 17, 64}) {
    Vec eigs = uniform_eigs(d, -2.0, 2.0, rng);
    eigs(0) = -2.0 + 1e-10;  // near-multiple bottom pair
    eigs(d - 1) = -2.0;
    const Mat a = with_eigenvalues(eigs, rng);
    LanczosOptions o;
    o.tol = 0;
    o.max_iters = 10 * d;
    const LanczosReport r = lanczos_min_eig(product_of(a), d, o);
    SCOPED_TRACE("d = " + std::to_string(d));
    EXPECT_LE(r.iterations, d);
    EXPECT_TRUE(r.converged);
    EXPECT_NEAR(r.value, -2.0, 1e-13 * 2.0);
    EXPECT_LE((a * r.vector - r.value * r.vector).norm(), 1e-9);
  }
}

TEST(Lanczos, OneDimensionalOperator) {
  const Mat a = Mat::Constant(1, 1, -2.5);
  const LanczosReport r = lanczos_min_eig(product_of(a), 1);
  EXPECT_EQ(r.value, -2.5);
  EXPECT_EQ(std::abs(r.vector(0)), 1.0);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.residual, 0.0);
}

TEST(Lanczos, ZeroOperatorHasEigenvalueZero) {
  const Mat a = Mat::Zero(6, 6);
  const LanczosReport r = lanczos_min_eig(product_of(a), 6);
  EXPECT_EQ(r.value, 0.0);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_TRUE(r.converged);
}

TEST(Lanczos, StopsAtMaxItersWithAnUpperBoundAndNotConverged) {
  Rng rng(11);
  const Index d = 200;
  const Mat a = with_eigenvalues(uniform_eigs(d, -1.0, 1.0, rng), rng);
  LanczosOptions o;
  o.max_iters = 4;
  o.tol = 1e-14;
  int calls = 0;
  const LanczosReport r = lanczos_min_eig(
      [&](const Vec& v, Vec* out) {
        ++calls;
        *out = a * v;
      },
      d, o);
  EXPECT_EQ(r.iterations, 4);
  EXPECT_EQ(calls, 4);
  EXPECT_FALSE(r.converged);
  // A Ritz value lies inside the spectrum (Cauchy interlacing): above the smallest eigenvalue.
  EXPECT_GT(r.value, smallest_eigenvalue(a));
  EXPECT_GT(r.residual, o.tol * spectral_norm(a));
}

TEST(Lanczos, AStartAtAnEigenvectorConvergesInOneProduct) {
  Rng rng(13);
  Mat q;
  const Vec eigs = uniform_eigs(30, -4.0, 4.0, rng);
  const Mat a = with_eigenvalues(eigs, rng, &q);
  Index bottom = 0;
  eigs.minCoeff(&bottom);
  LanczosOptions o;
  o.start = 3.0 * q.col(bottom);
  const LanczosReport r = lanczos_min_eig(product_of(a), 30, o);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.value, eigs(bottom), 1e-13);
}

TEST(Lanczos, TheSameSeedGivesTheSameResult) {
  Rng rng(17);
  const Mat a = with_eigenvalues(uniform_eigs(50, -1.0, 3.0, rng), rng);
  LanczosOptions o;
  o.seed = 9;
  const LanczosReport r1 = lanczos_min_eig(product_of(a), 50, o);
  const LanczosReport r2 = lanczos_min_eig(product_of(a), 50, o);
  EXPECT_EQ(r1.value, r2.value);
  EXPECT_EQ(r1.iterations, r2.iterations);
  EXPECT_EQ(r1.vector, r2.vector);
}

TEST(Lanczos, ANonFiniteProductGivesNaNNotConverged) {
  const LanczosReport r = lanczos_min_eig(
      [](const Vec& v, Vec* out) { *out = Vec::Constant(v.size(), std::nan("")); }, 4);
  EXPECT_TRUE(std::isnan(r.value));
  EXPECT_FALSE(r.converged);
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "";
}

TEST(Lanczos, AProductOfTheWrongSizeIsAnError) {
  const std::string msg = error_of([] {
    lanczos_min_eig([](const Vec& v, Vec* out) { *out = Vec::Ones(v.size() + 1); }, 5);
  });
  EXPECT_NE(msg.find("size 6 for an input of size 5"), std::string::npos) << msg;
}

TEST(Lanczos, BadSizesAndOptionsAreErrors) {
  const Mat a = Mat::Identity(3, 3);
  auto run = [&](Index n, LanczosOptions o) {
    return error_of([&] { lanczos_min_eig(product_of(a), n, o); });
  };
  EXPECT_NE(run(0, {}).find("size must be >= 1"), std::string::npos);
  LanczosOptions o;
  o.max_iters = 0;
  EXPECT_NE(run(3, o).find("max_iters"), std::string::npos);
  o = {};
  o.tol = -1;
  EXPECT_NE(run(3, o).find("tol"), std::string::npos);
  o = {};
  o.start = Vec::Ones(4);
  EXPECT_NE(run(3, o).find("start vector has size 4"), std::string::npos);
  o.start = Vec::Zero(3);
  EXPECT_NE(run(3, o).find("nonzero"), std::string::npos);
}

}  // namespace
}  // namespace bilevel
