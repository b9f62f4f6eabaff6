// The smallest eigenvalue of a symmetric operator given by a product callback (Lanczos).
//
// For the second-order stationarity of phi, where Hess phi is known only through products
// (finite differences of the hypergradient) and forming it column by column would cost dim_x
// products. The Krylov basis is kept and every new vector is reorthogonalized against all of
// it (twice, "twice is enough"), so no spurious copies of converged eigenvalues appear and
// the iteration ends after at most n products with the exact answer (up to rounding). Memory
// is n * iterations doubles.
#pragma once

#include <cstdint>
#include <functional>

#include "bilevel/core/types.hpp"

namespace bilevel {

struct LanczosOptions {
  Index max_iters = 300;    // products (Krylov dimension); at most n are ever used
  double tol = 1e-10;       // stop when ||A v - theta v|| <= tol * ||A|| (estimate, below)
  std::uint64_t seed = 0;   // of the Gaussian start vector when `start` is empty
  Vec start;                // start vector (any nonzero length-n vector); empty = random
};

struct LanczosReport {
  double value = 0;        // smallest Ritz value theta (NaN if a product was not finite)
  Vec vector;              // its unit Ritz vector v
  Index iterations = 0;    // products performed = Krylov dimension
  double residual = 0;     // ||A v - theta v||, from the recurrence (|beta_k s_k|)
  bool converged = false;  // residual <= tol * ||A|| estimate, or an invariant subspace
};

// `apply(v, out)` sets out = A v for a symmetric n x n operator A. ||A|| is estimated by the
// largest |Ritz value|, a lower bound that is tight once the extreme eigenvalues have
// converged. The iteration also stops, converged, when the Krylov space becomes invariant
// (beta below 1e-14 ||A||, or all n dimensions used): its smallest Ritz value is then an
// eigenvalue of A, the smallest one unless the start vector is orthogonal to its
// eigenspace (a random start almost surely is not).
// Throws InvalidInput for n < 1, max_iters < 1, tol < 0 or not finite, a start vector of the
// wrong size or zero, or a product of the wrong size.
LanczosReport lanczos_min_eig(const std::function<void(const Vec&, Vec*)>& apply, Index n,
                              const LanczosOptions& options = {});

}  // namespace bilevel
