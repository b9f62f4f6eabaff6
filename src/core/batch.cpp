#include "bilevel/core/batch.hpp"

#include <numeric>
#include <utility>

#include "bilevel/core/error.hpp"

namespace bilevel {

Sampler::Sampler(Index n, Index batch_size) : n_(n), batch_size_(batch_size) {
  if (n < 1) throw InvalidInput("sampler: the sum must have at least one component");
  if (batch_size < 0) throw InvalidInput("sampler: batch size must be >= 0 (0 = full batch)");
  if (batch_size >= n) batch_size_ = 0;  // a batch as large as the data is the full sum
  if (batch_size_ > 0) {
    perm_.resize(static_cast<std::size_t>(n));
    std::iota(perm_.begin(), perm_.end(), Index{0});
  }
}

Batch Sampler::draw(Rng& rng) {
  Batch b;
  if (batch_size_ > 0) {
    for (Index i = 0; i < batch_size_; ++i) {
      std::uniform_int_distribution<Index> pick(i, n_ - 1);
      std::swap(perm_[static_cast<std::size_t>(i)], perm_[static_cast<std::size_t>(pick(rng))]);
    }
    b.indices = std::span<const Index>(perm_.data(), static_cast<std::size_t>(batch_size_));
  }
  b.noise_seed = rng();
  return b;
}

}  // namespace bilevel
