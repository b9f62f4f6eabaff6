// Non-finite oracle results (a user's problem returning NaN, an overflowing exp) end the run
// as diverged, naming the iteration and the oracle, and leave no row of garbage in the trace.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A quadratic whose oracle of one kind returns NaN once the run has made `from` counted calls
// of that kind (the counted wrappers count before they delegate; the uncounted diagnostics
// never reach the poisoned count first).
class Poisoned : public Quadratic {
 public:
  Poisoned(std::string kind, Index from) : kind_(std::move(kind)), from_(from) {}

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override {
    const double v = Quadratic::do_value(fn, x, y, b);
    return poisoned("value", counts().of(fn).value) ? kNaN : v;
  }
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override {
    Quadratic::do_grad(fn, x, y, b, gx, gy);
    if (gx && poisoned("grad_x " + std::string(to_string(fn)), counts().of(fn).grad))
      (*gx)(0) = kNaN;
    if (gy && poisoned("grad_y " + std::string(to_string(fn)), counts().of(fn).grad))
      (*gy)(0) = kNaN;
  }
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override {
    Quadratic::do_hvp(fn, block, x, y, v, b, out);
    if (poisoned("hvp " + std::string(to_string(fn)), counts().of(fn).hvp))
      (*out)(0) = std::numeric_limits<double>::infinity();
    return true;
  }
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override {
    Quadratic::do_hessian(fn, x, y, b, hxx, hxy, hyy);
    if (hyy && poisoned("hessian " + std::string(to_string(fn)), counts().of(fn).hess))
      (*hyy)(0, 0) = kNaN;
    return true;
  }

 private:
  bool poisoned(const std::string& kind, Index calls) const {
    return kind == kind_ && calls >= from_;
  }
  std::string kind_;
  Index from_;
};

struct PoisonCase {
  std::string kind;    // what Poisoned spoils
  Fn fn;               // of which function
  std::string algo;    // a method that calls that oracle
  std::string oracle;  // how the message names it
};

void PrintTo(const PoisonCase& c, std::ostream* os) { *os << c.kind << " in " << c.algo; }

class NonFiniteOracle : public ::testing::TestWithParam<PoisonCase> {};

TEST_P(NonFiniteOracle, EndsTheRunAsDivergedNamingIterationAndOracle) {
  const PoisonCase& c = GetParam();
  // Probe how many calls of that kind one iteration makes, then spoil one in iteration 4.
  Poisoned probe("", 0);
  RunSettings one;
  one.stopping.max_iters = 1;
  auto algo = make_algorithm(c.algo, {});
  const FunctionCounts per_iter = algo->solve(probe, one).counts.of(c.fn);
  const Index calls = c.kind.starts_with("hvp")       ? per_iter.hvp
                      : c.kind.starts_with("hessian") ? per_iter.hess
                                                      : per_iter.grad;
  ASSERT_GT(calls, 0) << c.algo << " makes no " << c.kind << " call";

  Poisoned p(c.kind, 3 * calls + 1);  // in the 4th iteration, or earlier if it makes fewer
  RunSettings s;
  s.stopping.max_iters = 20;
  const Result r = algo->solve(p, s);
  EXPECT_EQ(r.status, Status::kDiverged);
  EXPECT_FALSE(r.usable());
  EXPECT_NE(r.message.find(c.oracle + " returned a non-finite value"), std::string::npos)
      << r.message;
  EXPECT_EQ(r.message.rfind("diverged at iteration " + std::to_string(r.iters) + ": ", 0), 0u)
      << r.message;
  EXPECT_GE(r.iters, 2);  // CG makes fewer products in later iterations (warm starts)
  EXPECT_LE(r.iters, 4);
  // Every row before the last is a finite state; the last, of the iteration that failed,
  // holds only its cost (no value computed from a half-updated iterate).
  ASSERT_GE(r.trace.records.size(), 2u);
  for (std::size_t i = 0; i + 1 < r.trace.records.size(); ++i) {
    EXPECT_TRUE(std::isfinite(r.trace.records[i].phi)) << "row " << i;
    EXPECT_TRUE(std::isfinite(r.trace.records[i].hypergrad_norm)) << "row " << i;
  }
  const IterRecord& last = r.trace.records.back();
  EXPECT_EQ(last.iter, r.iters);
  EXPECT_TRUE(std::isnan(last.phi));
  EXPECT_TRUE(std::isnan(last.hypergrad_norm));
  EXPECT_EQ(last.counts, r.counts);
}

INSTANTIATE_TEST_SUITE_P(EveryOracleKind, NonFiniteOracle,
                         ::testing::Values(PoisonCase{"grad_y g", Fn::kG, "f2ba", "grad_y g"},
                                           PoisonCase{"grad_x f", Fn::kF, "f2ba", "grad_x f"},
                                           PoisonCase{"grad_y f", Fn::kF, "aid-cg", "grad_y f"},
                                           PoisonCase{"hvp g", Fn::kG, "aid-cg", "Hyy g v"},
                                           PoisonCase{"hessian f", Fn::kF, "fsba", "hessian f"}),
                         [](const auto& info) {
                           std::string name = info.param.kind + "_" + info.param.algo;
                           for (char& ch : name)
                             if (ch == ' ' || ch == '-') ch = '_';
                           return name;
                         });

TEST(NonFiniteValue, TheCountedValueOracleRefusesIt) {
  Poisoned p("value", 1);
  const Vec x = p.initial_x(), y = p.initial_y();
  try {
    p.value(Fn::kG, x, y);
    FAIL() << "no error";
  } catch (const bilevel::NonFiniteOracle& e) {
    EXPECT_EQ(e.oracle(), "value g");
    EXPECT_STREQ(e.what(), "value g returned a non-finite value");
  }
}

// Large results are checked in parallel chunks (text data's gradients have millions of
// entries): a non-finite entry is found in any chunk, and in none when there is none.
class Wide : public Problem {
 public:
  explicit Wide(Index bad) : bad_(bad) {}
  std::string name() const override { return "wide"; }
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return kDim; }
  Index num_samples(Fn) const override { return 1; }
  static constexpr Index kDim = 300007;  // above the parallel check's threshold, odd chunks

 protected:
  double do_value(Fn, const Vec&, const Vec&, const Batch&) const override { return 0; }
  void do_grad(Fn, const Vec&, const Vec&, const Batch&, Vec* gx, Vec* gy) const override {
    if (gx) gx->setZero(1);
    if (!gy) return;
    gy->setOnes(kDim);
    if (bad_ >= 0) (*gy)(bad_) = bad_ % 2 ? kNaN : -std::numeric_limits<double>::infinity();
  }

 private:
  Index bad_;
};

TEST(NonFiniteGradient, IsFoundAnywhereInALargeResult) {
  const Vec x = Vec::Zero(1), y = Vec::Zero(Wide::kDim);
  Vec gy;
  for (Index bad : {Index{0}, Index{37501}, Wide::kDim / 2, Wide::kDim - 1}) {
    Wide p(bad);
    EXPECT_THROW(p.grad(Fn::kG, x, y, Batch{}, nullptr, &gy), bilevel::NonFiniteOracle) << bad;
  }
  Wide fine(-1);
  EXPECT_NO_THROW(fine.grad(Fn::kG, x, y, Batch{}, nullptr, &gy));
}

// A built-in problem driven to overflow: learn-to-regularize's penalty y' diag(exp(x)) y
// overflows once itd's huge outer step has pushed some x_i past ~710. (With the diagnostics on,
// the exact ||grad phi|| at that x overflows first and the blow-up test ends the run; without
// them the next oracle call overflows.)
TEST(NonFiniteValue, AnOverflowingBuiltInProblemDivergesNamingTheOracle) {
  auto p = make_problem("learnreg", {});
  auto algo = make_algorithm("itd", {{"alpha", "0.5"}, {"eta", "1e9"}});
  RunSettings s;
  s.stopping.max_iters = 50;
  s.diagnostics = false;
  const Result r = algo->solve(*p, s);
  EXPECT_EQ(r.status, Status::kDiverged);
  EXPECT_EQ(r.message,
            "diverged at iteration 2: grad_y g returned a non-finite value (try "
            "smaller step sizes)");
  ASSERT_EQ(r.trace.records.size(), 3u);
  for (std::size_t i = 0; i < 2; ++i)
    for (double m : r.trace.records[i].metrics) EXPECT_TRUE(std::isfinite(m)) << "row " << i;
  for (double m : r.trace.records[2].metrics) EXPECT_TRUE(std::isnan(m));
}

}  // namespace
}  // namespace bilevel
