#include "bilevel/hard/probability_p.hpp"

#include "bilevel/core/random.hpp"

namespace bilevel::hard {

Index next_coordinate(const Vec& v) {
  for (Index i = 0; i < v.size(); ++i)
    if (v(i) == 0.0) return i;
  return v.size();
}

Index active_count(const Vec& v) { return (v.array() != 0.0).count(); }

double bernoulli_scale(const std::optional<std::uint64_t>& seed, double p) {
  if (!seed || p >= 1.0) return 1.0;
  // A different stream from the seed's other uses (e.g. minibatch noise): mix it first.
  Rng rng(*seed ^ 0x9E3779B97F4A7C15ULL);
  return uniform01(rng) < p ? 1.0 / p : 0.0;
}

double keep_probability(double G, double sigma) {
  if (sigma <= 0.0 || G <= 0.0) return 1.0;
  return G * G / (G * G + sigma * sigma);
}

}  // namespace bilevel::hard
