// The auto outer step: 1/L_phi when known, else the problem's suggested x_step, else
// 1/(L_f (1 + kappa)^2); and hyperclean's suggestion, which grows with the training set.
#include <gtest/gtest.h>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/hyperclean.hpp"

namespace bilevel {
namespace {

TEST(DefaultOuterStep, PrefersLPhiThenTheSuggestedStepThenTheBound) {
  ProblemConstants c;
  c.L_f = 2;
  c.L_g = 10;
  c.mu_g = 1;
  EXPECT_DOUBLE_EQ(default_outer_step(c, "f2ba", "eta"), 1.0 / (2 * 11 * 11));
  c.x_step = 300;
  EXPECT_DOUBLE_EQ(default_outer_step(c, "f2ba", "eta"), 300);
  c.L_phi = 4;
  EXPECT_DOUBLE_EQ(default_outer_step(c, "f2ba", "eta"), 0.25);
}

TEST(DefaultOuterStep, NamesTheOptionWhenNothingIsKnown) {
  try {
    default_outer_step(ProblemConstants{}, "aid-cg", "eta");
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_NE(std::string(e.what()).find("-A eta=VALUE"), std::string::npos) << e.what();
  }
}

TEST(DefaultOuterStep, HypercleanSuggestsTheTrainingSetSize) {
  HypercleanOptions o;  // australian
  o.split = {200, 100, 0};
  Hyperclean p(o);
  ASSERT_TRUE(p.constants().x_step.has_value());
  EXPECT_DOUBLE_EQ(*p.constants().x_step, 200.0);
  // and f2ba's auto eta picks it up (the bound would be ~1e-7 here).
  F2ba f2ba(F2baOptions{});
  const Result r = f2ba.solve(p, [] {
    RunSettings s;
    s.diagnostics = false;
    s.stopping.max_iters = 1;
    return s;
  }());
  bool found = false;
  for (const auto& [k, v] : r.options)
    if (k == "eta") {
      found = true;
      EXPECT_EQ(format_value(v), "200");
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace bilevel
