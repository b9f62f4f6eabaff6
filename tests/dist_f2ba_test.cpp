// dist-f2ba (f2ba paper, Alg. 3) on one rank: exactly f2ba's iterates (the averages over one
// rank leave every vector as it is), and the communication of the stacked form: K + 1 rounds
// and 2 K d_y + d_x doubles per outer iteration. The same method on 2 and 4 MPI ranks against
// f2ba on the whole problem (Prop. 6.1) is in tests/mpi/dist_f2ba_mpi_test.cpp.
#include "bilevel/algorithms/dist_f2ba.hpp"

#include <gtest/gtest.h>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

TEST(DistF2ba, OnOneRankItIsF2baBitForBit) {
  Quadratic p;
  F2baOptions o;
  o.penalty.K = 7;
  auto comm = make_serial_comm();
  RunSettings s = iterations(30);
  s.comm = comm.get();
  const Result dist = DistF2ba(o).solve(p, s);
  Quadratic q;
  const Result whole = F2ba(o).solve(q, iterations(30));
  EXPECT_EQ(dist.x, whole.x);
  EXPECT_EQ(dist.y, whole.y);
  EXPECT_EQ(dist.counts, whole.counts);
}

TEST(DistF2ba, CommunicatesKPlusOneRoundsOf2KDyPlusDxNumbersPerIteration) {
  QuadraticOptions qo;
  qo.dx = 6;
  qo.dy = 9;
  Quadratic p(qo);
  for (Index K : {1, 5, 10}) {
    F2baOptions o;
    o.penalty.K = K;
    auto comm = make_serial_comm();
    RunSettings s = iterations(4);
    s.comm = comm.get();
    const Result r = DistF2ba(o).solve(p, s);
    ASSERT_TRUE(r.trace.has_comm);
    for (const IterRecord& rec : r.trace.records) {
      EXPECT_EQ(rec.comm.rounds, (K + 1) * rec.iter) << K;
      EXPECT_EQ(rec.comm.bytes, (2 * K * 9 + 6) * 8 * rec.iter) << K;
    }
  }
}

TEST(DistF2ba, ConvergesWithItsDefaultsOnTheQuadratic) {
  Quadratic p;
  RunSettings s = iterations(300);
  s.diagnostics = true;
  const Result r = DistF2ba().solve(p, s);
  EXPECT_LT(r.hypergrad_norm, 1e-3 * r.trace.records.front().hypergrad_norm);
}

}  // namespace
}  // namespace bilevel
