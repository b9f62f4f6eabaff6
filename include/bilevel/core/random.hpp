// Portable random draws: the same seed gives the same numbers with every compiler and
// standard library (std::normal_distribution is implementation-defined, so it is not used).
#pragma once

#include <cmath>
#include <numbers>

#include "bilevel/core/types.hpp"

namespace bilevel {

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Standard normal by the Box-Muller transform (one draw per call; the pair's second value is
// discarded so that a draw depends only on the generator state).
inline double standard_normal(Rng& rng) {
  const double u1 = 1.0 - uniform01(rng);  // in (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

inline Vec gaussian_vector(Index n, Rng& rng) {
  Vec v(n);
  for (Index i = 0; i < n; ++i) v(i) = standard_normal(rng);
  return v;
}

inline Mat gaussian_matrix(Index rows, Index cols, Rng& rng) {
  Mat m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = standard_normal(rng);
  return m;
}

}  // namespace bilevel
