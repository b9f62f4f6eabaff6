// Prop. 6.1 of the f2ba paper under mpirun: dist-f2ba with each rank holding a different shard
// of a quadratic bilevel problem, whose means over the ranks are the whole problem, produces
// f2ba's iterates on the whole problem (to 1e-12 relative, 60 outer iterations of K = 10).
// The shards: rank r's f and g are the whole problem's plus linear terms in x and y that sum to
// zero over the ranks, so every rank's own gradients differ from the whole problem's; only
// their average matches.
#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/algorithms/dist_f2ba.hpp"
#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/problems/quadratic.hpp"

namespace bilevel {
namespace {

// Linear term k of rank r: a random vector minus the mean of all ranks' (the same on every
// rank: seeded by k and the rank it belongs to), so that the terms sum to zero.
Vec shard_term(Index dim, int rank, int ranks, int k) {
  auto raw = [&](int of) {
    Rng rng(1000 * static_cast<std::uint64_t>(k) + static_cast<std::uint64_t>(of));
    Vec v(dim);
    for (Index i = 0; i < dim; ++i) v(i) = 2 * uniform01(rng) - 1;
    return v;
  };
  Vec mean = Vec::Zero(dim);
  for (int of = 0; of < ranks; ++of) mean += raw(of) / ranks;
  return raw(rank) - mean;
}

class QuadraticShard : public Quadratic {
 public:
  QuadraticShard(int rank, int ranks)
      : fx_(shard_term(dim_x(), rank, ranks, 0)), fy_(shard_term(dim_y(), rank, ranks, 1)),
        gx_(shard_term(dim_x(), rank, ranks, 2)), gy_(shard_term(dim_y(), rank, ranks, 3)) {}

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override {
    const bool f = fn == Fn::kF;
    return Quadratic::do_value(fn, x, y, b) + (f ? fx_ : gx_).dot(x) + (f ? fy_ : gy_).dot(y);
  }
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
               Vec* gy) const override {
    Quadratic::do_grad(fn, x, y, b, gx, gy);
    const bool f = fn == Fn::kF;
    if (gx) *gx += f ? fx_ : gx_;
    if (gy) *gy += f ? fy_ : gy_;
  }

 private:
  Vec fx_, fy_, gx_, gy_;
};

double rel(const Vec& a, const Vec& b) { return (a - b).norm() / std::max(b.norm(), 1e-300); }

TEST(DistF2baMpi, IsF2baOnTheWholeProblem) {
  Comm& comm = world_comm();
  ASSERT_GT(comm.size(), 1);
  QuadraticShard shard(comm.rank(), comm.size());
  Quadratic whole;
  RunSettings s;
  s.stopping.max_iters = 60;
  s.diagnostics = false;
  F2baOptions o;
  o.penalty.K = 10;
  // lam from the paper's grid {10, 100, 1000}. (The auto lam here is kappa^3/eps, about 1e8:
  // the shards' lam-scaled linear terms then cancel in the mean with a rounding of 1e8 times
  // the machine epsilon, and the iterates agree to about 1e-8, not 1e-12.)
  o.penalty.lam = 100.0;
  // The shard's own run differs from the whole problem's: the check below can fail.
  // In this process alone (f2ba on several ranks is dist-f2ba).
  const auto one = make_serial_comm();
  RunSettings serial = s;
  serial.comm = one.get();
  const Result alone = F2ba(o).solve(shard, serial);
  const Result want = F2ba(o).solve(whole, serial);
  EXPECT_GT(rel(alone.x, want.x), 1e-3);
  comm.reset_counts();
  const Result got = DistF2ba(o).solve(shard, s);
  EXPECT_LE(rel(got.x, want.x), 1e-12) << rel(got.x, want.x);
  EXPECT_LE(rel(got.y, want.y), 1e-12) << rel(got.y, want.y);
  EXPECT_EQ(got.comm.rounds, 60 * 11);
  EXPECT_EQ(got.comm.bytes, 60 * (2 * 10 * whole.dim_y() + whole.dim_x()) * 8);
}

}  // namespace
}  // namespace bilevel
