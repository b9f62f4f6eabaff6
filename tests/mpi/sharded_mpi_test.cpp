// Distributed runs on built-in problems split into one shard per rank (make_problem with
// shard_of(world_comm())), under mpirun at 2 and 4 ranks. Each rank holds only its block of
// the samples; the runs are those on the whole problem in one process:
//   - dist-f2ba, f2ba (which is dist-f2ba on several ranks) and dist-aid against f2ba and
//     aid-cg on the whole problem, to 1e-12 relative (Prop. 6.1), on quadratic and on
//     learnreg with a real LIBSVM set (australian, labels corrupted), with their "auto"
//     options resolved on the whole problem across ranks;
//   - aggitd against aggitd on one rank;
//   - the trace's phi, ||grad phi|| and metrics (computed across ranks) against the whole
//     problem's.
#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/algorithms/aggitd.hpp"
#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/dist_aid.hpp"
#include "bilevel/algorithms/dist_f2ba.hpp"
#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/problems/learnreg.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

double rel(const Vec& a, const Vec& b) { return (a - b).norm() / std::max(b.norm(), 1e-300); }
double rel(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

const KeyValues kLearnreg = {{"dataset", "australian"}, {"corrupt", "0.2"}, {"seed", "3"}};

std::unique_ptr<Problem> shard_of_world(const std::string& name, const KeyValues& kv) {
  return make_problem(name, kv, shard_of(world_comm()));
}

// The whole problem's runs: in this process alone.
const std::unique_ptr<Comm> one = make_serial_comm();

RunSettings settings(Index iters, bool diagnostics) {
  RunSettings s;
  s.stopping.max_iters = iters;
  s.diagnostics = diagnostics;
  s.comm = &world_comm();
  return s;
}

// The distributed run against the whole problem's, iterates and the last trace row.
void expect_same_run(const Result& got, const Result& want, double tol) {
  EXPECT_LE(rel(got.x, want.x), tol) << rel(got.x, want.x);
  EXPECT_LE(rel(got.y, want.y), tol) << rel(got.y, want.y);
  const IterRecord& g = got.trace.records.back();
  const IterRecord& w = want.trace.records.back();
  if (std::isfinite(w.phi)) {
    EXPECT_LE(rel(g.phi, w.phi), 1e-9);
    EXPECT_LE(rel(g.hypergrad_norm, w.hypergrad_norm), 1e-6);
  }
  ASSERT_EQ(g.metrics.size(), w.metrics.size());
  for (std::size_t j = 0; j < w.metrics.size(); ++j)
    EXPECT_LE(rel(g.metrics[j], w.metrics[j]), 1e-11) << "metric " << j;
}

TEST(ShardedMpi, EachRankHoldsOnlyItsBlockOfTheTrainingSet) {
  Comm& comm = world_comm();
  ASSERT_GT(comm.size(), 1);
  auto mine = shard_of_world("learnreg", kLearnreg);
  auto whole = make_problem("learnreg", kLearnreg);
  const Index n = whole->num_samples(Fn::kG);
  EXPECT_EQ(mine->num_samples(Fn::kG), shard_of(comm).rows(n).second);
  EXPECT_EQ(comm.sum_over_ranks(mine->num_samples(Fn::kG)), n);
  EXPECT_EQ(comm.sum_over_ranks(mine->num_samples(Fn::kF)), whole->num_samples(Fn::kF));
  // The constants are the whole problem's, computed across ranks.
  EXPECT_LE(rel(*mine->constants().L_f, *whole->constants().L_f), 1e-13);
}

TEST(ShardedMpi, DistF2baAndF2baOnShardedProblemsAreF2baOnTheWhole) {
  for (const auto& [name, kv] : {std::pair<std::string, KeyValues>{"quadratic", {}},
                                 std::pair<std::string, KeyValues>{"learnreg", kLearnreg}}) {
    SCOPED_TRACE(name);
    F2baOptions o;
    o.penalty.lam = 100.0;
    auto whole = make_problem(name, kv);
    RunSettings serial = settings(40, true);
    serial.comm = one.get();
    const Result want = F2ba(o).solve(*whole, serial);
    auto mine = shard_of_world(name, kv);
    expect_same_run(DistF2ba(o).solve(*mine, settings(40, true)), want, 1e-12);
    auto again = shard_of_world(name, kv);
    expect_same_run(F2ba(o).solve(*again, settings(40, true)), want, 1e-12);
  }
}

TEST(ShardedMpi, DistAidIsAidCgOnTheWholeWithTheSameCgSteps) {
  for (const auto& [name, kv] : {std::pair<std::string, KeyValues>{"quadratic", {}},
                                 std::pair<std::string, KeyValues>{"learnreg", kLearnreg}}) {
    SCOPED_TRACE(name);
    AidCgOptions o;
    o.N = 5;
    auto whole = make_problem(name, kv);
    RunSettings serial = settings(30, true);
    serial.comm = one.get();
    const Result want = AidCg(o).solve(*whole, serial);
    auto mine = shard_of_world(name, kv);
    const Result got = DistAid(o).solve(*mine, settings(30, true));
    expect_same_run(got, want, 1e-12);
  }
}

TEST(ShardedMpi, AggitdOnShardsIsAggitdOnTheWhole) {
  auto whole = make_problem("learnreg", kLearnreg);
  RunSettings serial = settings(30, false);
  serial.comm = one.get();
  const Result want = Aggitd().solve(*whole, serial);
  auto mine = shard_of_world("learnreg", kLearnreg);
  const Result got = Aggitd().solve(*mine, settings(30, false));
  expect_same_run(got, want, 1e-12);
  // The rounds per iteration are the formula's on any number of ranks (auto's power
  // iterations included on both sides).
  EXPECT_EQ(got.comm, want.comm);
}

TEST(ShardedMpi, HypercleanWithXSplitOverRanksIsTheWholeRun) {
  // Each rank holds its block of the training samples and of x (their weights): the x-step
  // sends nothing, and the run is f2ba's (and dist-aid's) on the whole problem.
  const KeyValues kv = {{"dataset", "australian"}, {"corrupt", "0.3"}};
  auto whole = make_problem("hyperclean", kv);
  const auto [first, count] = shard_of(world_comm()).rows(whole->dim_x());
  for (const std::string algo : {"f2ba", "dist-aid"}) {
    SCOPED_TRACE(algo);
    // N = 5: CG stopped short of the rounding level (past it, its last steps are rounding
    // noise, and two runs agree only to about 1e-10).
    auto method = make_algorithm(algo, algo == "f2ba" ? KeyValues{{"lam", "100"}}
                                                      : KeyValues{{"N", "5"}});
    RunSettings serial = settings(25, true);
    serial.comm = one.get();
    auto again = make_problem("hyperclean", kv);
    const Result want = method->solve(*again, serial);
    auto mine = shard_of_world("hyperclean", kv);
    ASSERT_EQ(mine->dim_x(), count);
    const Result got = method->solve(*mine, settings(25, true));
    EXPECT_LE(rel(got.x, Vec(want.x.segment(first, count))), 1e-12);
    EXPECT_LE(rel(got.y, want.y), 1e-12);
    const IterRecord& g = got.trace.records.back();
    const IterRecord& w = want.trace.records.back();
    EXPECT_LE(rel(g.phi, w.phi), 1e-9);
    EXPECT_LE(rel(g.hypergrad_norm, w.hypergrad_norm), 1e-6);
    ASSERT_EQ(g.metrics.size(), w.metrics.size());
    for (std::size_t j = 0; j < w.metrics.size(); ++j)
      EXPECT_LE(rel(g.metrics[j], w.metrics[j]), 1e-11) << "metric " << j;
  }
}

}  // namespace
}  // namespace bilevel
