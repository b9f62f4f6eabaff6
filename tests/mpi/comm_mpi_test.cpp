// The MPI Comm under mpirun (registered in CMakeLists.txt at 2 and 4 ranks): every rank runs
// these tests; a failure on any rank fails the launch. Collectives against their closed forms,
// the counts (one round and the vector's bytes per collective, as in the serial Comm), and the
// error agreement that lets every rank end a run together when one of them fails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bilevel/core/comm.hpp"

namespace bilevel {
namespace {

int launched_size() {
  const char* s = std::getenv("OMPI_COMM_WORLD_SIZE");
  return s ? std::atoi(s) : -1;
}

TEST(MpiComm, IsTheWorldOfTheLaunch) {
  ASSERT_TRUE(mpi_built());
  ASSERT_TRUE(launched_by_mpi());
  Comm& comm = world_comm();
  EXPECT_EQ(comm.name(), "mpi");
  EXPECT_EQ(comm.size(), launched_size());
  EXPECT_GE(comm.rank(), 0);
  EXPECT_LT(comm.rank(), comm.size());
}

TEST(MpiComm, AllreduceSumsAndAveragesOverRanks) {
  Comm& comm = world_comm();
  comm.reset_counts();
  const double m = comm.size(), r = comm.rank();
  std::vector<double> v = {r + 1, -2 * r, 0.5};
  comm.allreduce_sum(v);
  EXPECT_EQ(v[0], m * (m + 1) / 2);
  EXPECT_EQ(v[1], -m * (m - 1));
  EXPECT_EQ(v[2], 0.5 * m);
  std::vector<double> w = {r, 1.0};
  comm.allreduce_mean(w);
  EXPECT_DOUBLE_EQ(w[0], (m - 1) / 2);
  EXPECT_DOUBLE_EQ(w[1], 1.0);
  EXPECT_EQ(comm.counts().rounds, 2);
  EXPECT_EQ(comm.counts().bytes, (3 + 2) * 8);
}

TEST(MpiComm, BroadcastsFromAnyRoot) {
  Comm& comm = world_comm();
  const int root = comm.size() - 1;
  std::vector<double> v(5, static_cast<double>(comm.rank()));
  comm.broadcast(v, root);
  for (double e : v) EXPECT_EQ(e, root);
  EXPECT_EQ(comm.sum_over_ranks(comm.rank() + 1), comm.size() * (comm.size() + 1) / 2);
}

TEST(MpiComm, EveryRankGetsTheLowestFailingRanksError) {
  Comm& comm = world_comm();
  EXPECT_FALSE(comm.agree_on_error(std::nullopt).has_value());
  // Every odd rank fails, each with its own message: all ranks see rank 1's.
  const bool odd = comm.rank() % 2 == 1;
  const auto agreed = comm.agree_on_error(
      odd ? std::optional<std::string>("cannot read shard " + std::to_string(comm.rank()))
          : std::nullopt);
  ASSERT_TRUE(agreed.has_value());
  EXPECT_EQ(*agreed, "rank 1: cannot read shard 1");
}

}  // namespace
}  // namespace bilevel
