// Portable random index draws: the same seed gives the same result with every standard
// library (std::shuffle and std::uniform_int_distribution are implementation-defined).
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "bilevel/core/types.hpp"

namespace bilevel::data::detail {

// Uniform in [0, n), n >= 1, by rejection so that no value is favoured.
inline Index uniform_index(Rng& rng, Index n) {
  const auto range = static_cast<std::uint64_t>(n);
  // The largest multiple of range that fits: draws at or above it are redrawn.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  std::uint64_t r = rng();
  while (r >= limit) r = rng();
  return static_cast<Index>(r % range);
}

// Fisher-Yates: afterwards the first `count` entries are a uniform random draw without
// replacement from all of `items` (count = items.size() gives a full shuffle).
template <class T>
void partial_shuffle(std::span<T> items, std::size_t count, Rng& rng) {
  const auto n = static_cast<Index>(items.size());
  for (Index i = 0; i < static_cast<Index>(count) && i < n - 1; ++i) {
    const Index j = i + uniform_index(rng, n - i);
    std::swap(items[static_cast<std::size_t>(i)], items[static_cast<std::size_t>(j)]);
  }
}

}  // namespace bilevel::data::detail
