// Solves are stateless: one Algorithm object may run on several problems at once from
// several threads, and each run equals the same run made alone. Also built with
// ThreadSanitizer (target bilevel_tsan_tests), which fails on any data race between the
// threads; so this file uses only the core, two methods and two problems, none of them
// multi-threaded inside (OpenMP's runtime is not instrumented).
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/problems/saddle.hpp"

namespace bilevel {
namespace {

RunSettings settings(std::uint64_t seed) {
  RunSettings s;
  s.stopping.max_iters = 40;
  s.seed = seed;
  s.log_every = 5;
  return s;
}

void expect_same_run(const Result& a, const Result& b) {
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  EXPECT_EQ(a.counts, b.counts);
  ASSERT_EQ(a.trace.records.size(), b.trace.records.size());
  for (std::size_t i = 0; i < a.trace.records.size(); ++i) {
    EXPECT_EQ(a.trace.records[i].phi, b.trace.records[i].phi) << "record " << i;
    EXPECT_EQ(a.trace.records[i].hypergrad_norm, b.trace.records[i].hypergrad_norm)
        << "record " << i;
  }
  EXPECT_EQ(a.options, b.options);
}

QuadraticOptions noisy_quadratic() {
  QuadraticOptions o;
  o.dx = 8;
  o.dy = 6;
  o.n_f = 12;
  o.n_g = 10;
  o.sigma = 0.1;  // the seed matters: the threads must not share a generator
  return o;
}

TEST(Concurrency, OneAlgorithmSolvesTwoClonesOnTwoThreadsAsItDoesAlone) {
  const F2ba f2ba;  // one immutable configuration for both threads
  Quadratic original(noisy_quadratic());
  const std::unique_ptr<Problem> a = original.clone(), b = original.clone();
  Result ra, rb;
  std::thread ta([&] { ra = f2ba.solve(*a, settings(1)); });
  std::thread tb([&] { rb = f2ba.solve(*b, settings(2)); });
  ta.join();
  tb.join();
  Quadratic alone_a(noisy_quadratic()), alone_b(noisy_quadratic());
  expect_same_run(ra, f2ba.solve(alone_a, settings(1)));
  expect_same_run(rb, f2ba.solve(alone_b, settings(2)));
  EXPECT_NE(ra.x, rb.x);  // the seeds differ: the runs really are two
}

TEST(Concurrency, TwoMethodsOnTwoProblemsOnTwoThreads) {
  const AidCg aid;
  const F2ba f2ba;
  Quadratic q(noisy_quadratic());
  Saddle s;
  Result rq, rs;
  std::thread tq([&] { rq = aid.solve(q, settings(3)); });
  std::thread ts([&] { rs = f2ba.solve(s, settings(4)); });
  tq.join();
  ts.join();
  Quadratic q2(noisy_quadratic());
  Saddle s2;
  expect_same_run(rq, aid.solve(q2, settings(3)));
  expect_same_run(rs, f2ba.solve(s2, settings(4)));
}

}  // namespace
}  // namespace bilevel
