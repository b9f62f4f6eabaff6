// Sharded problems (shard.hpp): a shard's block of rows, its weight, and the property that
// makes distributed runs exact: the mean over the shards of every oracle (values, gradients,
// Hessian-vector products, metrics) is the whole problem's, also when the number of samples is
// not a multiple of the number of shards. The shards are built here in one process, without a
// communicator (constants are then each shard's own); the runs on several ranks are in
// tests/mpi/sharded_mpi_test.cpp.
#include "bilevel/core/shard.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/problems/learnreg.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

Shard shard(int index, int count) {
  Shard s;
  s.index = index;
  s.count = count;
  return s;
}

TEST(Shard, BlocksCoverTheSetInOrderAndWeightsAverageToOne) {
  for (Index n : {1, 7, 10, 12, 1001})
    for (int m : {1, 2, 3, 4}) {
      if (n < m) continue;
      Index next = 0;
      double weights = 0;
      for (int r = 0; r < m; ++r) {
        const auto [first, count] = shard(r, m).rows(n);
        EXPECT_EQ(first, next);
        EXPECT_GE(count, n / m);
        EXPECT_LE(count, n / m + 1);
        next = first + count;
        weights += shard(r, m).weight(n);
      }
      EXPECT_EQ(next, n);
      EXPECT_NEAR(weights / m, 1.0, 1e-15);
    }
  EXPECT_THROW(shard(0, 4).check_size(3, "training", "t"), InvalidInput);
}

double rel(const Vec& a, const Vec& b) { return (a - b).norm() / std::max(b.norm(), 1e-300); }

// The mean over the m shards of each oracle against the whole problem, at a random point.
void expect_mean_is_whole(Problem& whole, std::vector<std::unique_ptr<Problem>>& shards,
                          double tol) {
  Rng rng(3);
  const Vec x = 0.3 * gaussian_vector(whole.dim_x(), rng);
  const Vec y = 0.3 * gaussian_vector(whole.dim_y(), rng);
  const Vec vy = gaussian_vector(whole.dim_y(), rng);
  const Vec vx = gaussian_vector(whole.dim_x(), rng);
  const double m = static_cast<double>(shards.size());
  for (Fn fn : {Fn::kF, Fn::kG}) {
    double value = 0;
    Vec gx = Vec::Zero(whole.dim_x()), gy = Vec::Zero(whole.dim_y());
    Vec hyy = Vec::Zero(whole.dim_y()), hxy = Vec::Zero(whole.dim_x());
    Vec hyx = Vec::Zero(whole.dim_y());
    for (auto& s : shards) {
      Vec a, b;
      value += s->value(fn, x, y) / m;
      s->grad(fn, x, y, {}, &a, &b);
      gx += a / m;
      gy += b / m;
      s->hyy(fn, x, y, vy, {}, &a);
      hyy += a / m;
      s->hxy(fn, x, y, vy, {}, &a);
      hxy += a / m;
      s->hyx(fn, x, y, vx, {}, &a);
      hyx += a / m;
    }
    Vec a, b;
    const std::string what = fn == Fn::kF ? "f" : "g";
    EXPECT_NEAR(value, whole.value(fn, x, y), tol * std::abs(whole.value(fn, x, y))) << what;
    whole.grad(fn, x, y, {}, &a, &b);
    EXPECT_LE(rel(gx, a), tol) << what;
    EXPECT_LE(rel(gy, b), tol) << what;
    whole.hyy(fn, x, y, vy, {}, &a);
    EXPECT_LE(rel(hyy, a), tol) << what;
    whole.hxy(fn, x, y, vy, {}, &a);
    if (a.norm() > 0) EXPECT_LE(rel(hxy, a), tol) << what;
    whole.hyx(fn, x, y, vx, {}, &a);
    if (a.norm() > 0) EXPECT_LE(rel(hyx, a), tol) << what;
  }
  // Metrics: the shards' shares average to the whole problem's.
  const std::vector<double> want = whole.metrics(x, y);
  std::vector<double> mean(want.size(), 0.0);
  for (auto& s : shards) {
    const std::vector<double> got = s->metrics(x, y);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t j = 0; j < want.size(); ++j) mean[j] += got[j] / m;
  }
  for (std::size_t j = 0; j < want.size(); ++j)
    EXPECT_NEAR(mean[j], want[j], tol * std::max(1.0, std::abs(want[j]))) << "metric " << j;
}

TEST(ShardedQuadratic, MeanOfTheShardsIsTheWholeProblemWithUnevenShards) {
  QuadraticOptions o;
  o.n_f = 7;  // 3 + 2 + 2
  o.n_g = 10;  // 4 + 3 + 3
  o.dx = 5;
  o.dy = 6;
  Quadratic whole(o);
  std::vector<std::unique_ptr<Problem>> shards;
  Index held = 0;
  for (int r = 0; r < 3; ++r) {
    shards.push_back(make_problem("quadratic",
                                  {{"n_f", "7"}, {"n_g", "10"}, {"dx", "5"}, {"dy", "6"}},
                                  shard(r, 3)));
    held += shards.back()->num_samples(Fn::kG);
    EXPECT_EQ(shards.back()->shard().count, 3);
    Vec y;
    EXPECT_FALSE(shards.back()->closed_form_solution(Vec::Zero(5), 0.0, &y));
  }
  EXPECT_EQ(held, 10);
  expect_mean_is_whole(whole, shards, 1e-13);
  // Each shard on its own is not the whole problem: the test above can fail.
  Vec a, b;
  shards[0]->grad(Fn::kG, Vec::Ones(5), Vec::Ones(6), {}, nullptr, &a);
  whole.grad(Fn::kG, Vec::Ones(5), Vec::Ones(6), {}, nullptr, &b);
  EXPECT_GT(rel(a, b), 1e-3);
}

TEST(ShardedLearnreg, MeanOfTheShardsIsTheWholeProblemAndLabelsAreCorruptedAsWhole) {
  // australian: 690 rows, split 346 / 172 / 172, none a multiple of 4; 30% corrupted.
  LearnregOptions o;
  o.corrupt = 0.3;
  o.seed = 5;
  Learnreg whole(o);
  std::vector<std::unique_ptr<Problem>> shards;
  Index at = 0;
  for (int r = 0; r < 4; ++r) {
    auto s = std::make_unique<Learnreg>(o, shard(r, 4));
    const auto [first, count] = shard(r, 4).rows(whole.train().num_samples());
    EXPECT_EQ(first, at);
    ASSERT_EQ(s->train().num_samples(), count);
    at += count;
    // The same rows, with the same (corrupted) labels, as the whole problem's block.
    for (Index i = 0; i < count; ++i)
      ASSERT_EQ(s->train().labels[static_cast<std::size_t>(i)],
                whole.train().labels[static_cast<std::size_t>(first + i)])
          << "rank " << r << " row " << i;
    shards.push_back(std::move(s));
  }
  EXPECT_EQ(at, whole.train().num_samples());
  expect_mean_is_whole(whole, shards, 1e-12);
}

TEST(ShardedHyperclean, XIsSplitWithTheSamplesAndTheMeansAreTheWholeProblems) {
  // australian, 346 training rows over 3 ranks (116 + 115 + 115), 40% corrupted.
  HypercleanOptions o;
  o.corrupt = 0.4;
  Hyperclean whole(o);
  const Index n = whole.dim_x();
  Rng rng(4);
  const Vec x = 0.5 * gaussian_vector(n, rng);
  const Vec y = 0.3 * gaussian_vector(whole.dim_y(), rng);
  const Vec v = gaussian_vector(whole.dim_y(), rng);
  const Vec u = gaussian_vector(n, rng);
  Vec gy_mean = Vec::Zero(whole.dim_y()), hyx_mean = Vec::Zero(whole.dim_y());
  double g_mean = 0;
  Vec want_gx, want_gy, want_hxy, want_hyx;
  whole.grad(Fn::kG, x, y, {}, &want_gx, &want_gy);
  whole.hxy(Fn::kG, x, y, v, {}, &want_hxy);
  whole.hyx(Fn::kG, x, y, u, {}, &want_hyx);
  for (int r = 0; r < 3; ++r) {
    Hyperclean mine(o, shard(r, 3));
    const auto [first, count] = shard(r, 3).rows(n);
    ASSERT_EQ(mine.dim_x(), count);
    EXPECT_TRUE(mine.shard().x_local);
    const Vec xr = x.segment(first, count);
    Vec gx, gy, hxy, hyx;
    mine.grad(Fn::kG, xr, y, {}, &gx, &gy);
    mine.hxy(Fn::kG, xr, y, v, {}, &hxy);
    mine.hyx(Fn::kG, xr, y, u.segment(first, count), {}, &hyx);
    g_mean += mine.value(Fn::kG, xr, y) / 3;
    gy_mean += gy / 3;
    hyx_mean += hyx / 3;
    // x-space results: this rank's block of the whole problem's, times the number of ranks.
    EXPECT_LE(rel(gx / 3, want_gx.segment(first, count)), 1e-13) << r;
    EXPECT_LE(rel(hxy / 3, want_hxy.segment(first, count)), 1e-13) << r;
  }
  EXPECT_NEAR(g_mean, whole.value(Fn::kG, x, y), 1e-13 * whole.value(Fn::kG, x, y));
  EXPECT_LE(rel(gy_mean, want_gy), 1e-13);
  EXPECT_LE(rel(hyx_mean, want_hyx), 1e-13);
  o.weight = "softmax";
  EXPECT_THROW(Hyperclean(o, shard(0, 3)), InvalidInput);
}

TEST(ShardedLearnreg, RefusesMoreRanksThanValidationSamples) {
  LearnregOptions o;
  o.split.n_val = 3;
  EXPECT_THROW(Learnreg(o, shard(0, 4)), InvalidInput);
}

// A communicator that says it has two ranks and leaves data as it is: enough to check what
// a run refuses before any communication.
class TwoRanks : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 2; }
  std::string name() const override { return "two"; }

 protected:
  void do_allreduce_sum(std::span<double>) override {}
  void do_broadcast(std::span<double>, int) override {}
  int do_lowest_failing(bool failed) override { return failed ? 0 : -1; }
  std::string do_broadcast_text(const std::string& text, int) override { return text; }
  Index do_sum_index(Index local) override { return local; }
};

TEST(DistributedRun, RefusesAMethodThatDoesNotDistributeAndAMismatchedShardCount) {
  TwoRanks two;
  Quadratic p;
  RunSettings s = testing::iterations(2);
  s.comm = &two;
  try {
    AidCg().solve(p, s);
    FAIL() << "aid-cg ran on two ranks";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("does not run on several ranks"), std::string::npos);
  }
  auto three = make_problem("quadratic", {}, shard(0, 3));
  EXPECT_THROW(F2ba().solve(*three, s), InvalidInput);
  // A whole problem on several ranks (replicated) is accepted.
  EXPECT_NO_THROW(F2ba().solve(p, s));
}

}  // namespace
}  // namespace bilevel
