// dist-aid and aggitd on one rank: what they compute and communicate. dist-aid is aid-cg bit
// for bit with its rounds counted (K + 1 + P + 1 per outer iteration, P the CG products);
// aggitd communicates K + 1 rounds of 2 K d_y + d_x numbers and its hypergradient estimate
// tends to the exact one as K grows. Their runs on several ranks are in
// tests/mpi/sharded_mpi_test.cpp.
#include <gtest/gtest.h>

#include "bilevel/algorithms/aggitd.hpp"
#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/dist_aid.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

QuadraticOptions small() {
  QuadraticOptions o;
  o.dx = 6;
  o.dy = 9;
  return o;
}

TEST(DistAid, OnOneRankItIsAidCgBitForBitWithItsRoundsCounted) {
  AidCgOptions o;
  o.K = 4;
  o.N = 3;
  o.cg_tol = 1e-300;  // every product is made: the formula below is exact
  const Index T = 6, dx = 6, dy = 9;
  Quadratic p(small()), q(small());
  auto comm = make_serial_comm();
  RunSettings s = iterations(T);
  s.comm = comm.get();
  const Result dist = DistAid(o).solve(p, s);
  const Result want = AidCg(o).solve(q, iterations(T));
  EXPECT_EQ(dist.x, want.x);
  EXPECT_EQ(dist.y, want.y);
  EXPECT_EQ(dist.counts, want.counts);
  ASSERT_TRUE(dist.trace.has_comm);
  // Iteration t: K grad_y g, grad f stacked, P = N (t = 1, v = 0) or N + 1 CG products, Hxy.
  for (const IterRecord& r : dist.trace.records) {
    const Index t = r.iter;
    const Index products = t == 0 ? 0 : o.N + (t - 1) * (o.N + 1);
    EXPECT_EQ(r.comm.rounds, t * (o.K + 2) + products) << t;
    EXPECT_EQ(r.comm.bytes, (t * (o.K * dy + (dx + dy) + dx) + products * dy) * 8) << t;
  }
}

TEST(Aggitd, CommunicatesKPlusOneRoundsAndCallsWhatItsRecursionNeeds) {
  const Index T = 5, dx = 6, dy = 9;
  for (Index K : {1, 4, 10}) {
    AggitdOptions o;
    o.K = K;
    Quadratic p(small());
    const Result r = Aggitd(o).solve(p, iterations(T));
    ASSERT_TRUE(r.trace.has_comm);
    EXPECT_EQ(r.comm.rounds, T * (K + 1)) << K;
    EXPECT_EQ(r.comm.bytes, T * (2 * K * dy + dx) * 8) << K;
    EXPECT_EQ(r.counts.g.grad, T * K) << K;
    EXPECT_EQ(r.counts.f.grad, T * (K + 1)) << K;
    EXPECT_EQ(r.counts.g.hvp, T * (K + 1)) << K;  // K Hyy, 1 Hxy
    EXPECT_EQ(r.counts.f.hvp, 0) << K;
  }
}

TEST(Aggitd, HypergradientTendsToTheExactOneAsKGrows) {
  Quadratic p(small());
  const Vec x0 = p.initial_x();
  Vec exact;
  ASSERT_TRUE(p.closed_form_hypergradient(x0, &exact));
  double previous = 1e300;
  for (Index K : {5, 20, 80, 320}) {
    AggitdOptions o;
    o.K = K;
    const Result r = Aggitd(o).solve(p, iterations(1));
    const auto* run = dynamic_cast<const AggitdRun*>(r.state.get());
    ASSERT_NE(run, nullptr);
    const double err = (run->last_hypergradient() - exact).norm() / exact.norm();
    EXPECT_LT(err, previous) << K;
    previous = err;
  }
  EXPECT_LT(previous, 1e-6);
}

TEST(Aggitd, ConvergesWithItsDefaultsOnTheQuadratic) {
  Quadratic p;
  RunSettings s = iterations(300);
  s.diagnostics = true;
  const Result r = Aggitd().solve(p, s);
  EXPECT_LT(r.hypergrad_norm, 1e-3 * r.trace.records.front().hypergrad_norm);
}

TEST(DistAid, ConvergesWithItsDefaultsOnTheQuadratic) {
  Quadratic p;
  RunSettings s = iterations(300);
  s.diagnostics = true;
  const Result r = DistAid().solve(p, s);
  EXPECT_LT(r.hypergrad_norm, 1e-3 * r.trace.records.front().hypergrad_norm);
}

}  // namespace
}  // namespace bilevel
