// The serial Comm (include/bilevel/core/comm.hpp): one rank, collectives that leave the data as
// it is, and the counts a distributed method reports: one round per collective, the vector's
// bytes. (The MPI Comm runs under mpirun in tests/mpi/comm_mpi_test.cpp.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "bilevel/core/comm.hpp"

namespace bilevel {
namespace {

TEST(SerialComm, IsOneRankWhoseCollectivesKeepTheData) {
  const auto comm = make_serial_comm();
  EXPECT_EQ(comm->rank(), 0);
  EXPECT_EQ(comm->size(), 1);
  EXPECT_EQ(comm->name(), "serial");
  std::vector<double> v = {1.5, -2.0, 3.25};
  const std::vector<double> want = v;
  comm->allreduce_sum(v);
  EXPECT_EQ(v, want);
  comm->allreduce_mean(v);
  EXPECT_EQ(v, want);
  comm->broadcast(v, 0);
  EXPECT_EQ(v, want);
  EXPECT_EQ(comm->sum_over_ranks(7), 7);
}

TEST(SerialComm, CountsOneRoundAndTheVectorsBytesPerCollective) {
  const auto comm = make_serial_comm();
  std::vector<double> a(10), b(3);
  comm->allreduce_sum(a);
  comm->allreduce_mean(b);
  comm->broadcast(a);
  EXPECT_EQ(comm->counts().rounds, 3);
  EXPECT_EQ(comm->counts().bytes, (10 + 3 + 10) * 8);
  // Control traffic is not the method's: not counted.
  comm->agree_on_error(std::nullopt);
  comm->sum_over_ranks(1);
  EXPECT_EQ(comm->counts().rounds, 3);
  comm->reset_counts();
  EXPECT_EQ(comm->counts().rounds, 0);
  EXPECT_EQ(comm->counts().bytes, 0);
}

TEST(SerialComm, AgreesOnItsOwnErrorWithoutARankPrefix) {
  const auto comm = make_serial_comm();
  EXPECT_FALSE(comm->agree_on_error(std::nullopt).has_value());
  EXPECT_EQ(comm->agree_on_error(std::string("cannot read shard")), "cannot read shard");
}

TEST(SerialComm, RefusesABroadcastFromARankThatDoesNotExist) {
  const auto comm = make_serial_comm();
  std::vector<double> v(2);
  EXPECT_THROW(comm->broadcast(v, 1), std::invalid_argument);
  EXPECT_EQ(comm->counts().rounds, 0);
}

// Without a launcher the world is serial, even in a build with MPI (no MPI initialization).
TEST(WorldComm, IsSerialWhenNotStartedByMpirun) {
  if (launched_by_mpi()) GTEST_SKIP() << "started by an MPI launcher";
  EXPECT_EQ(world_comm().size(), 1);
  EXPECT_EQ(world_comm().name(), "serial");
}

}  // namespace
}  // namespace bilevel
