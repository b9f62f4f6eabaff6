// The three gradients of one inner step of the penalty methods (F2BA, F2SA): the y sequence
// on f + lam g and the z sequence on g need
//     gfy = grad_y f(x, y),   ggz = grad_y g(x, z),   ggy = grad_y g(x, y).
// With full batches the two gradients of g come from one grad_y_multi call (one pass over the
// training data for problems that fuse it; still counted as two gradient calls). Batches are
// drawn in the order z (g), y (f), y (g) either way, so a seed gives the same run.
#pragma once

#include "bilevel/core/batch.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/state_archive.hpp"

namespace bilevel {

struct PenaltyGradients {
  Vec gfy, ggz, ggy;
  void visit(StateArchive& a) { a("gfy", gfy)("ggz", ggz)("ggy", ggy); }
};

void penalty_inner_gradients(Problem& p, Rng& rng, Sampler& sf, Sampler& sg, const Vec& x,
                             const Vec& z, const Vec& y, PenaltyGradients* out);

}  // namespace bilevel
