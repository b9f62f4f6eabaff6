// Sampler and Batch: full batches, minibatches drawn uniformly without replacement,
// reproducibility from the run's generator, validation.
#include "bilevel/core/batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "bilevel/core/error.hpp"

namespace bilevel {
namespace {

std::vector<Index> indices_of(const Batch& b) { return {b.indices.begin(), b.indices.end()}; }

TEST(Sampler, BatchSizeZeroGivesFullBatchesWithANoiseSeed) {
  Sampler s(10, 0);
  EXPECT_EQ(s.n(), 10);
  EXPECT_EQ(s.batch_size(), 0);
  Rng rng(1);
  for (int i = 0; i < 5; ++i) {
    const Batch b = s.draw(rng);
    EXPECT_TRUE(b.full());
    EXPECT_TRUE(b.indices.empty());
    EXPECT_TRUE(b.noise_seed.has_value());
    EXPECT_EQ(b.size(10), 10);
  }
}

TEST(Sampler, BatchAsLargeAsTheDataOrLargerIsTheFullBatch) {
  for (Index batch : {Index{10}, Index{11}, Index{1000}}) {
    Sampler s(10, batch);
    EXPECT_EQ(s.batch_size(), 0) << "batch " << batch;
    Rng rng(2);
    const Batch b = s.draw(rng);
    EXPECT_TRUE(b.full()) << "batch " << batch;
    EXPECT_TRUE(b.noise_seed.has_value());
    EXPECT_EQ(b.size(10), 10);
  }
}

TEST(Sampler, SingleComponentSumIsAlwaysFull) {
  Sampler s(1, 1);
  Rng rng(3);
  const Batch b = s.draw(rng);
  EXPECT_TRUE(b.full());
  EXPECT_EQ(b.size(1), 1);
}

TEST(Sampler, FullBatchesStillGetFreshNoiseSeeds) {
  Sampler s(5, 0);
  Rng rng(4);
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 100; ++i) seeds.insert(*s.draw(rng).noise_seed);
  EXPECT_EQ(seeds.size(), 100u);
}

TEST(Sampler, MinibatchHasBatchSizeDistinctIndicesInRange) {
  const Index n = 17, batch = 6;
  Sampler s(n, batch);
  EXPECT_EQ(s.batch_size(), batch);
  Rng rng(5);
  for (int draw = 0; draw < 200; ++draw) {
    const Batch b = s.draw(rng);
    ASSERT_FALSE(b.full());
    ASSERT_EQ(static_cast<Index>(b.indices.size()), batch);
    EXPECT_EQ(b.size(n), batch);
    EXPECT_TRUE(b.noise_seed.has_value());
    std::set<Index> distinct(b.indices.begin(), b.indices.end());
    EXPECT_EQ(static_cast<Index>(distinct.size()), batch) << "draw " << draw;
    for (Index i : b.indices) {
      EXPECT_GE(i, 0);
      EXPECT_LT(i, n);
    }
  }
}

TEST(Sampler, BatchOfNMinusOneLeavesOutExactlyOneIndex) {
  const Index n = 8;
  Sampler s(n, n - 1);
  Rng rng(6);
  for (int draw = 0; draw < 50; ++draw) {
    std::vector<Index> idx = indices_of(s.draw(rng));
    std::sort(idx.begin(), idx.end());
    ASSERT_EQ(static_cast<Index>(idx.size()), n - 1);
    EXPECT_EQ(std::adjacent_find(idx.begin(), idx.end()), idx.end());
    EXPECT_GE(idx.front(), 0);
    EXPECT_LT(idx.back(), n);
  }
}

TEST(Sampler, DrawsAreReproducibleForAGeneratorSeed) {
  Sampler s1(30, 4), s2(30, 4), s3(30, 4);
  Rng r1(99), r2(99), r3(100);
  bool any_difference = false;
  for (int draw = 0; draw < 50; ++draw) {
    const Batch a = s1.draw(r1);
    const std::vector<Index> ia = indices_of(a);
    const auto seed_a = a.noise_seed;
    const Batch b = s2.draw(r2);
    EXPECT_EQ(ia, indices_of(b)) << "draw " << draw;
    EXPECT_EQ(seed_a, b.noise_seed) << "draw " << draw;
    const Batch c = s3.draw(r3);
    any_difference = any_difference || ia != indices_of(c);
  }
  EXPECT_TRUE(any_difference);  // another seed gives another sequence
}

TEST(Sampler, EveryIndexAppearsWithFrequencyBatchOverN) {
  // Each index is in a batch with probability batch/n = 0.3. Over 20000 draws a count has
  // standard deviation about 65; the bound below is about 6 standard deviations.
  const Index n = 10, batch = 3;
  const int draws = 20000;
  Sampler s(n, batch);
  Rng rng(2024);
  std::vector<int> hits(n, 0);
  std::vector<int> first(n, 0);  // the position within a batch must not matter either
  for (int d = 0; d < draws; ++d) {
    const Batch b = s.draw(rng);
    for (Index i : b.indices) ++hits[static_cast<std::size_t>(i)];
    ++first[static_cast<std::size_t>(b.indices[0])];
  }
  const double p = static_cast<double>(batch) / n;
  for (Index i = 0; i < n; ++i) {
    EXPECT_NEAR(hits[static_cast<std::size_t>(i)] / double(draws), p, 0.02) << "index " << i;
    EXPECT_NEAR(first[static_cast<std::size_t>(i)] / double(draws), 1.0 / n, 0.015)
        << "index " << i;
  }
}

TEST(Sampler, PairsOfIndicesAppearTogetherUniformly) {
  // Without replacement, each of the n(n-1)/2 pairs is in a batch with probability
  // b(b-1) / (n(n-1)) = 1/15 for n = 6, b = 3.
  const Index n = 6, batch = 3;
  const int draws = 30000;
  Sampler s(n, batch);
  Rng rng(7);
  std::vector<std::vector<int>> together(n, std::vector<int>(n, 0));
  for (int d = 0; d < draws; ++d) {
    const Batch b = s.draw(rng);
    for (std::size_t u = 0; u < b.indices.size(); ++u)
      for (std::size_t v = u + 1; v < b.indices.size(); ++v) {
        const auto i = static_cast<std::size_t>(std::min(b.indices[u], b.indices[v]));
        const auto j = static_cast<std::size_t>(std::max(b.indices[u], b.indices[v]));
        ++together[i][j];
      }
  }
  const double p = double(batch * (batch - 1)) / double(n * (n - 1));
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j)
      EXPECT_NEAR(together[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] /
                      double(draws),
                  p, 0.01)
          << "pair " << i << ", " << j;
}

TEST(Sampler, FirstDrawOfAFreshSamplerIsAUniformSubset) {
  // A persistent permutation mixes over many draws even under a biased shuffle, so check a
  // single draw from the initial state: each of the 6 two-element subsets of {0..3} has
  // probability 1/6 (sd about 0.0034 over 12000 generators; the bound is 5 sd).
  const int trials = 12000;
  std::vector<std::vector<int>> count(4, std::vector<int>(4, 0));
  for (int t = 0; t < trials; ++t) {
    Sampler s(4, 2);
    Rng rng(static_cast<std::uint64_t>(t));
    const Batch b = s.draw(rng);
    const auto i = static_cast<std::size_t>(std::min(b.indices[0], b.indices[1]));
    const auto j = static_cast<std::size_t>(std::max(b.indices[0], b.indices[1]));
    ++count[i][j];
  }
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = i + 1; j < 4; ++j)
      EXPECT_NEAR(count[i][j] / double(trials), 1.0 / 6.0, 0.017) << "{" << i << ", " << j << "}";
}

TEST(Sampler, InvalidSizesThrowInvalidInput) {
  EXPECT_THROW(Sampler(0, 0), InvalidInput);
  EXPECT_THROW(Sampler(-5, 1), InvalidInput);
  EXPECT_THROW(Sampler(10, -1), InvalidInput);
  EXPECT_NO_THROW(Sampler(10, 0));
  EXPECT_NO_THROW(Sampler(10, 9));
}

TEST(Sampler, DefaultBatchIsTheExactFullOracle) {
  const Batch b;
  EXPECT_TRUE(b.full());
  EXPECT_FALSE(b.noise_seed.has_value());
  EXPECT_EQ(b.size(42), 42);
}

TEST(SamplerBatch, SizeIsTheNumberOfIndicesOrNForAFullBatch) {
  const std::vector<Index> idx = {4, 1, 7};
  Batch b;
  b.indices = idx;
  EXPECT_FALSE(b.full());
  EXPECT_EQ(b.size(100), 3);
  EXPECT_EQ(b.size(3), 3);
  Batch full;
  EXPECT_EQ(full.size(1), 1);
  EXPECT_EQ(full.size(1000), 1000);
}

}  // namespace
}  // namespace bilevel
