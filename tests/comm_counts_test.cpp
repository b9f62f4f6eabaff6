// A method's communication in its outputs (issue 16, item 1): a run whose method has a
// communicator (MethodRun::comm) reports the rounds and bytes it made, counted from the run's
// start, in every trace record (CSV columns comm_rounds,comm_bytes right after the contract's
// eight), in Result::comm and in the summary; a method without one keeps the outputs as they
// were. Checked with a test-only method whose communication per step is known.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/io/trace_writer.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

// Each step: two allreduces of a y-sized vector and one of an x-sized vector, on a serial
// communicator shared with the test (which may use it before the run).
struct TalkerOptions {
  std::shared_ptr<Comm> comm = make_serial_comm();  // not an option
  void declare(OptionList&) {}
};

class TalkerRun : public MethodRun {
 public:
  TalkerRun(const TalkerOptions& o, Problem&, const Vec& x0, const Vec& y0, Rng&, RunContext&)
      : comm_(o.comm), x_(x0), y_(y0) {}
  void step(Problem&, Rng&, Index) override {
    Vec v = y_, u = y_, h = x_;
    comm_->allreduce_mean(v);
    comm_->allreduce_mean(u);
    comm_->allreduce_sum(h);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }
  const Comm* comm() const override { return comm_.get(); }

 private:
  std::shared_ptr<Comm> comm_;
  Vec x_, y_;
};

class Talker : public Method<Talker, TalkerOptions, TalkerRun> {
 public:
  static constexpr const char* kName = "talker";
  static constexpr const char* kDescription = "test-only communicating method";
  using Method::Method;
};

using testing::iterations;

TEST(CommCounts, EveryRecordHasTheRoundsAndBytesSinceTheRunStarted) {
  Quadratic p;
  TalkerOptions o;
  std::vector<double> before(100);
  o.comm->allreduce_sum(before);  // not the run's: not counted
  const Result r = Talker(o).solve(p, iterations(5));
  ASSERT_TRUE(r.trace.has_comm);
  const Index dx = p.dim_x(), dy = p.dim_y();
  ASSERT_EQ(r.trace.records.size(), 6u);
  for (const IterRecord& rec : r.trace.records) {
    EXPECT_EQ(rec.comm.rounds, 3 * rec.iter) << rec.iter;
    EXPECT_EQ(rec.comm.bytes, (2 * dy + dx) * 8 * rec.iter) << rec.iter;
  }
  EXPECT_EQ(r.comm.rounds, 15);
  EXPECT_EQ(r.comm.bytes, (2 * dy + dx) * 8 * 5);
}

TEST(CommCounts, TraceColumnsFollowTheContractsEightAndSummaryKeysAppear) {
  Quadratic p;
  const Result r = Talker().solve(p, iterations(2));
  const std::string csv = trace_csv(r.trace);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header.rfind(std::string(kTraceColumns) + ",comm_rounds,comm_bytes", 0), 0u)
      << header;
  const Index per_step = (2 * p.dim_y() + p.dim_x()) * 8;
  // Row of iteration 2: ...,hypergrad_norm(empty: no diagnostics),6,<bytes>
  const std::string last = csv.substr(csv.rfind('\n', csv.size() - 2) + 1);
  EXPECT_NE(last.find(",6," + std::to_string(2 * per_step)), std::string::npos) << last;
  const auto summary = run_summary(r, iterations(2), 1.0);
  EXPECT_EQ(summary["comm_rounds"], 6);
  EXPECT_EQ(summary["comm_bytes"], 2 * per_step);
}

TEST(CommCounts, AMethodThatDoesNotCommunicateKeepsItsOutputs) {
  Quadratic p;
  const Result r = F2ba().solve(p, iterations(2));
  EXPECT_FALSE(r.trace.has_comm);
  const std::string csv = trace_csv(r.trace);
  EXPECT_EQ(csv.find("comm_"), std::string::npos);
  EXPECT_FALSE(run_summary(r, iterations(2), 1.0).contains("comm_rounds"));
  EXPECT_EQ(r.comm.rounds, 0);
}

}  // namespace
}  // namespace bilevel
