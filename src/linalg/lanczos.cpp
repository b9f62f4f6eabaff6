#include "bilevel/linalg/lanczos.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

namespace {

// Relative size of beta below which the Krylov space counts as invariant.
constexpr double kBreakdown = 1e-14;

void check_input(Index n, const LanczosOptions& o) {
  if (n < 1) throw InvalidInput("lanczos: the operator size must be >= 1 (got " +
                                std::to_string(n) + ")");
  if (o.max_iters < 1)
    throw InvalidInput("lanczos: max_iters must be >= 1 (got " + std::to_string(o.max_iters) +
                       ")");
  if (!(o.tol >= 0) || !std::isfinite(o.tol))
    throw InvalidInput("lanczos: tol must be a finite number >= 0");
  if (o.start.size() != 0 && o.start.size() != n)
    throw InvalidInput("lanczos: the start vector has size " + std::to_string(o.start.size()) +
                       " but the operator has size " + std::to_string(n));
  if (o.start.size() != 0 && !(o.start.norm() > 0 && o.start.allFinite()))
    throw InvalidInput("lanczos: the start vector must be finite and nonzero");
}

Vec start_vector(Index n, const LanczosOptions& o) {
  if (o.start.size() != 0) return o.start.normalized();
  Rng rng(o.seed);
  return gaussian_vector(n, rng).normalized();
}

}  // namespace

LanczosReport lanczos_min_eig(const std::function<void(const Vec&, Vec*)>& apply, Index n,
                              const LanczosOptions& o) {
  check_input(n, o);
  const Index max_dim = std::min(o.max_iters, n);
  // The basis grows by doubling: a full n x max_iters block would be wasted on the usual
  // early convergence, and n can be large.
  Mat basis(n, std::min<Index>(max_dim, 8));
  basis.col(0) = start_vector(n, o);
  Vec alpha(max_dim), beta(max_dim);
  Vec w(n);
  Eigen::SelfAdjointEigenSolver<Mat> ritz;

  LanczosReport rep;
  for (Index k = 0; k < max_dim; ++k) {
    apply(basis.col(k), &w);
    rep.iterations = k + 1;
    if (w.size() != n)
      throw InvalidInput("lanczos: the operator returned a vector of size " +
                         std::to_string(w.size()) + " for an input of size " +
                         std::to_string(n));
    if (!w.allFinite()) {
      rep.value = std::numeric_limits<double>::quiet_NaN();
      rep.vector = Vec::Constant(n, rep.value);
      rep.residual = rep.value;
      rep.converged = false;
      return rep;
    }
    alpha(k) = basis.col(k).dot(w);
    w -= alpha(k) * basis.col(k);
    if (k > 0) w -= beta(k - 1) * basis.col(k - 1);
    // Full reorthogonalization, two passes of classical Gram-Schmidt: one pass leaves
    // components of the order of the cancellation it suffered, the second removes them.
    const auto q = basis.leftCols(k + 1);
    for (int pass = 0; pass < 2; ++pass) {
      const Vec c = q.transpose() * w;
      w.noalias() -= q * c;
    }
    beta(k) = w.norm();

    ritz.computeFromTridiagonal(alpha.head(k + 1), beta.head(k), Eigen::ComputeEigenvectors);
    const Vec& theta = ritz.eigenvalues();  // increasing
    const double norm_estimate = std::max(std::abs(theta(0)), std::abs(theta(k)));
    rep.value = theta(0);
    rep.residual = beta(k) * std::abs(ritz.eigenvectors()(k, 0));
    rep.converged =
        rep.residual <= o.tol * norm_estimate || beta(k) <= kBreakdown * norm_estimate;
    if (rep.converged || k + 1 == max_dim) break;

    if (basis.cols() == k + 1) basis.conservativeResize(n, std::min(2 * (k + 1), max_dim));
    basis.col(k + 1) = w / beta(k);
  }
  rep.vector = (basis.leftCols(rep.iterations) * ritz.eigenvectors().col(0)).normalized();
  return rep;
}

}  // namespace bilevel
