// Which data an oracle call sees: the full sums, a minibatch of component indices, and
// optionally a seed for the problem's additive oracle noise (the bounded-variance model).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bilevel/core/state_archive.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

struct Batch {
  // Component indices of the finite sum; empty means every component (the full mean).
  std::span<const Index> indices;
  // When set, a problem with oracle noise (e.g. quadratic's sigma > 0) adds a noise draw
  // generated from this seed to the gradient. Unset: the exact oracle.
  std::optional<std::uint64_t> noise_seed;

  bool full() const { return indices.empty(); }
  // Components touched by one call on a sum of n components.
  Index size(Index n) const { return full() ? n : static_cast<Index>(indices.size()); }
};

// Whether every batch is a full one (no index selection).
inline bool all_full(std::span<const Batch> batches) {
  for (const Batch& b : batches)
    if (!b.full()) return false;
  return true;
}

// Draws batches for one function (f or g) of a problem with n components. batch_size = 0
// means full batches. Minibatches are drawn uniformly without replacement within a batch
// (a partial Fisher-Yates shuffle of a persistent permutation: O(batch) per draw, no
// allocation). Every draw carries a fresh noise seed from the run's generator, so a problem
// with oracle noise is stochastic for every method, deterministic ones included.
class Sampler {
 public:
  Sampler() = default;
  Sampler(Index n, Index batch_size);

  // The returned batch views an internal buffer: valid until the next draw.
  Batch draw(Rng& rng);

  Index n() const { return n_; }
  Index batch_size() const { return batch_size_; }
  // The permutation the draws shuffle on (checkpoints).
  void visit(StateArchive& a) { a("perm", perm_); }

 private:
  Index n_ = 0;
  Index batch_size_ = 0;
  std::vector<Index> perm_;
};

}  // namespace bilevel
