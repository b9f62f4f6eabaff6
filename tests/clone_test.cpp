// Problem::clone: a fresh problem on the same data. Counts start at zero, a loaded dataset is
// shared rather than copied, and a solve on a clone equals the same solve on the original.
#include <gtest/gtest.h>

#include <memory>

#include "bilevel/core/error.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/problems/learnreg.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

RunSettings short_run() {
  RunSettings s;
  s.stopping.max_iters = 5;
  s.log_every = 5;
  return s;
}

TEST(Clone, EveryRegisteredProblemClonesToAnEqualFreshProblem) {
  for (const auto& e : problem_registry()) {
    SCOPED_TRACE(e.name);
    const std::unique_ptr<Problem> p = e.make({});
    const Vec x = p->initial_x(), y = p->initial_y();
    Vec g1, g2;
    p->grad(Fn::kG, x, y, {}, nullptr, &g1);
    const std::unique_ptr<Problem> c = p->clone();
    EXPECT_EQ(c->name(), p->name());
    EXPECT_EQ(c->counts().total_calls(), 0);  // a clone's counts are its own
    EXPECT_EQ(p->counts().g.grad, 1);
    c->grad(Fn::kG, x, y, {}, nullptr, &g2);
    EXPECT_EQ(g1, g2);
    EXPECT_EQ(c->option_values(), p->option_values());
  }
}

TEST(Clone, SharesTheLoadedDatasetAndSolvesAsTheOriginal) {
  Hyperclean p(HypercleanOptions{});  // australian
  const std::unique_ptr<Problem> c = p.clone();
  const auto& hc = dynamic_cast<const Hyperclean&>(*c);
  EXPECT_EQ(&hc.train(), &p.train());  // the same data, not a copy
  EXPECT_EQ(hc.corrupted(), p.corrupted());
  const auto f2ba = make_algorithm("f2ba", {{"eta", "100"}});
  Hyperclean fresh(HypercleanOptions{});
  const Result on_clone = f2ba->solve(*c, short_run());
  const Result on_fresh = f2ba->solve(fresh, short_run());
  EXPECT_EQ(on_clone.x, on_fresh.x);
  EXPECT_EQ(on_clone.phi, on_fresh.phi);

  LearnregOptions lo;
  lo.dataset = "australian";
  Learnreg l(lo);
  const std::unique_ptr<Problem> lc = l.clone();
  EXPECT_EQ(&dynamic_cast<const Learnreg&>(*lc).train(), &l.train());
}

// A user's problem that does not implement clone() says so.
class Plain : public Problem {
 public:
  std::string name() const override { return "plain"; }
  Index dim_x() const override { return 1; }
  Index dim_y() const override { return 1; }
  Index num_samples(Fn) const override { return 1; }

 protected:
  double do_value(Fn, const Vec&, const Vec& y, const Batch&) const override {
    return y.squaredNorm();
  }
  void do_grad(Fn, const Vec&, const Vec& y, const Batch&, Vec* gx, Vec* gy) const override {
    if (gx) *gx = Vec::Zero(1);
    if (gy) *gy = 2 * y;
  }
};

TEST(Clone, AProblemWithoutCloneRefusesWithItsName) {
  Plain p;
  try {
    p.clone();
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("'plain'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bilevel
