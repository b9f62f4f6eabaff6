// Sizes checked before allocating: the checked arithmetic and the memory budget of the core,
// and the problems that refuse sizes beyond it (issue 14, "Sizes") with one line naming the
// option and the size, before they allocate.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/data/synthetic_text.hpp"
#include "bilevel/registry.hpp"
#include "data_test_support.hpp"

namespace bilevel {
namespace {

constexpr Index kMax = std::numeric_limits<Index>::max();

using testing::peak_rss_mb;

// Restores the default budget when a test that set one ends.
struct LimitGuard {
  ~LimitGuard() { set_memory_limit(0); }
};

// One line, InvalidInput, every fragment.
using testing::expect_invalid;

TEST(CheckedSize, ProductsAndSumsThatFitAreExact) {
  EXPECT_EQ(checked_mul(3, 4), 12);
  EXPECT_EQ(checked_mul(0, kMax), 0);
  EXPECT_EQ(checked_add(kMax - 1, 1), kMax);
  EXPECT_EQ(size_mul(Index{1} << 31, Index{1} << 31, "x"), Index{1} << 62);
}

TEST(CheckedSize, OverflowAndNegativeOperandsAreReported) {
  EXPECT_FALSE(checked_mul(Index{1} << 32, Index{1} << 32));
  EXPECT_FALSE(checked_mul(0x80000000LL * 0x80000000LL, 4));  // wraps to 0 unchecked
  EXPECT_FALSE(checked_add(kMax, 1));                         // d + 1 at the largest index
  EXPECT_FALSE(checked_mul(-1, 2));
  expect_invalid([] { size_mul(kMax, 2, "IDX images"); }, {"IDX images", "overflows"});
  expect_invalid([] { size_add(kMax, 1, "features"); }, {"features", "overflows"});
}

TEST(MemoryBudget, ParsesSizesWithUnits) {
  std::int64_t b = -1;
  EXPECT_TRUE(parse_memory_size("auto", &b));
  EXPECT_EQ(b, 0);
  EXPECT_TRUE(parse_memory_size("4G", &b));
  EXPECT_EQ(b, std::int64_t{4} << 30);
  EXPECT_TRUE(parse_memory_size("512MiB", &b));
  EXPECT_EQ(b, std::int64_t{512} << 20);
  EXPECT_TRUE(parse_memory_size("1.5k", &b));
  EXPECT_EQ(b, 1536);
  EXPECT_TRUE(parse_memory_size("1e9", &b));
  EXPECT_EQ(b, 1000000000);
  for (const char* bad : {"", "G", "-1G", "0", "4X", "1e30", "nan", "inf"})
    EXPECT_FALSE(parse_memory_size(bad, &b)) << bad;
}

TEST(MemoryBudget, RefusesAboveTheLimitNamingWhatAskedAndTheLimit) {
  LimitGuard guard;
  set_memory_limit(std::int64_t{100} << 20);
  EXPECT_NO_THROW(check_memory("small", std::int64_t{50} << 20));
  expect_invalid([] { check_memory("option n=7", std::int64_t{200} << 20); },
                 {"option n=7", "210 MB", "--max-memory", "105 MB"});
  // Without a limit the machine's available memory is the budget.
  set_memory_limit(0);
  EXPECT_GT(available_memory(), 0);
  expect_invalid([] { check_memory("x", bytes_for(kMax / 4, 8)); }, {"more than 2^63 bytes"});
  expect_invalid([] { check_memory("y", available_memory() + (std::int64_t{1} << 30)); },
                 {"y needs", "available"});
}

TEST(MemoryBudget, FormatsBytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(4900000000), "4.9 GB");
}

// hard-arjevani -P eps=1e-6 took 4.9 GB before its first iteration, eps=1e-8 ended in
// bad_alloc and eps=1e-12 overflowed a float-to-int64 conversion into a wrong message.
TEST(ProblemSizes, HardArjevaniRefusesChainsBeyondTheBudgetBeforeAllocating) {
  LimitGuard guard;
  const double before = peak_rss_mb();
  for (const char* eps : {"1e-8", "1e-12", "1e-200"})
    expect_invalid(
        [&] {
          make_problem("hard-arjevani", {{"eps", eps}});
        },
        {"eps=", "chain of T =", "needs", "of memory"});
  set_memory_limit(std::int64_t{256} << 20);
  expect_invalid(
      [] {
        make_problem("hard-arjevani", {{"eps", "1e-6"}});
      },
      {"eps=1e-06", "--max-memory limit of 268 MB"});
  EXPECT_LT(peak_rss_mb() - before, 200.0);
}

TEST(ProblemSizes, SyntheticTextRefusesATrillionSamples) {
  const double before = peak_rss_mb();
  expect_invalid([] { data::make_synthetic_text({.num_samples = 1000000000000}); },
                 {"synthetic-text: n=1000000000000", "of memory"});
  expect_invalid([] { data::make_synthetic_text({.num_samples = kMax / 2, .nnz_per_row = 5}); },
                 {"synthetic-text", "overflows"});
  EXPECT_LT(peak_rss_mb() - before, 200.0);
}

TEST(ProblemSizes, DenseProblemsRefuseTheirMatricesBeyondTheBudget) {
  LimitGuard guard;
  set_memory_limit(std::int64_t{16} << 20);
  // One component each: 8 dense 1000 x 1000 matrices, 64 MB (the option rule on the
  // components' total does not fire).
  expect_invalid(
      [] {
        make_problem("quadratic", {{"dx", "500"}, {"dy", "500"}, {"n_f", "1"}, {"n_g", "1"}});
      },
      {"quadratic: dx=500, dy=500, n_f=1, n_g=1", "--max-memory"});
  expect_invalid(
      [] {
        make_problem("minimax-synthetic", {{"dx", "4000"}, {"dy", "4000"}});
      },
      {"minimax-synthetic: dx=4000, dy=4000"});
  expect_invalid([] { make_problem("saddle", {{"dx", "1e9"}}); }, {"saddle: dx=1000000000"});
  EXPECT_NO_THROW(make_problem("quadratic"));
}

}  // namespace
}  // namespace bilevel
