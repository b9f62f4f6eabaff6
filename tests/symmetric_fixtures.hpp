// Random symmetric matrices with a chosen spectrum, for the linear-algebra tests (cubic
// subproblem, Lanczos): the exact eigenvalues are known, whatever the basis.
#pragma once

#include "bilevel/core/random.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel::testing {

inline Mat random_orthogonal(Index n, Rng& rng) {
  return Eigen::HouseholderQR<Mat>(gaussian_matrix(n, n, rng)).householderQ();
}

// Q diag(eigs) Q' with a random orthogonal Q (returned in *q if asked), symmetrized so that
// rounding in the product leaves no asymmetry.
inline Mat with_eigenvalues(const Vec& eigs, Rng& rng, Mat* q = nullptr) {
  const Mat qq = random_orthogonal(eigs.size(), rng);
  if (q) *q = qq;
  const Mat h = qq * eigs.asDiagonal() * qq.transpose();
  return 0.5 * (h + h.transpose());
}

// n eigenvalues drawn uniformly from [lo, hi].
inline Vec uniform_eigs(Index n, double lo, double hi, Rng& rng) {
  Vec e(n);
  for (Index i = 0; i < n; ++i) e(i) = lo + (hi - lo) * uniform01(rng);
  return e;
}

}  // namespace bilevel::testing
