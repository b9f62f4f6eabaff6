// Arjevani et al.'s probability-p zero-chain oracle (Lower bounds for non-convex stochastic
// optimization, Math. Prog. 2023, Lemma 3; recalled as Lemma 5 of the Ji paper): the exact
// gradient of a zero-chain, except that the coordinate the chain would activate next is
// multiplied by xi / p with xi ~ Bernoulli(p). The estimate is unbiased, it reveals the next
// coordinate only with probability p, and its variance is at most G^2 (1 - p) / p when that
// gradient coordinate is bounded by G. The hard instances draw xi from Batch::noise_seed,
// so the oracle is exact when a call carries no seed.
#pragma once

#include <cstdint>
#include <optional>

#include "bilevel/core/types.hpp"

namespace bilevel::hard {

// i*(v) = the first index (0-based) with v_i = 0: the next coordinate of a chain started at
// zero; v.size() when every coordinate is active.
Index next_coordinate(const Vec& v);

// The number of non-zero coordinates (the `active_x` / `active_y` trace metrics).
Index active_count(const Vec& v);

// xi / p with xi ~ Bernoulli(p) drawn from the seed: 1/p with probability p, else 0. Exactly
// 1 (the exact oracle) when there is no seed or p = 1.
double bernoulli_scale(const std::optional<std::uint64_t>& seed, double p);

// The largest p in (0, 1] whose oracle variance G^2 (1 - p) / p stays <= sigma^2:
// p = G^2 / (G^2 + sigma^2) (1 when sigma = 0).
double keep_probability(double G, double sigma);

}  // namespace bilevel::hard
