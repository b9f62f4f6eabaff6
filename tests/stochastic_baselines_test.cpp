// The five stochastic baselines through the registry (what the CLI runs): all registered,
// and stocbio, mrbo, vrbo run on `learnreg` with K = 10 inner steps and minibatches (the
// 20-newsgroups experiment's setting), or ask for the steps that learnreg cannot derive;
// reproducibility for a seed and option validation of all five.
#include <gtest/gtest.h>

#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

TEST(StochasticBaselines, AllFiveAreRegistered) {
  for (const std::string name : {"stocbio", "mrbo", "vrbo", "soba", "bome"}) {
    EXPECT_EQ(make_algorithm(name, {})->name(), name);
  }
}

TEST(StochasticBaselines, RunOnLearnregWithTenInnerStepsAndMinibatches) {
  auto p = make_problem("learnreg", {{"dataset", "australian"}});
  const KeyValues common = {{"K", "10"},      {"batch_f", "32"}, {"batch_g", "32"},
                            {"alpha", "0.1"}, {"beta", "10"},    {"eta_N", "0.1"}};
  for (const std::string name : {"stocbio", "mrbo", "vrbo"}) {
    KeyValues kv = common;
    if (name == "vrbo") {  // its periodic refresh batches too (default: full)
      kv.push_back({"batch_f_large", "32"});
      kv.push_back({"batch_g_large", "32"});
    }
    auto a = make_algorithm(name, kv);
    p->reset_counts();
    RunSettings s = testing::iterations(3);
    s.diagnostics = true;
    const Result r = a->solve(*p, s);
    EXPECT_EQ(r.status, Status::kMaxIterations) << name << ": " << r.message;
    EXPECT_TRUE(r.x.allFinite() && r.y.allFinite()) << name;
    EXPECT_GT(r.counts.g.hvp, 0) << name;
    EXPECT_NE(r.x, p->initial_x()) << name;
    // Minibatches: every g oracle touches 32 samples.
    EXPECT_EQ(r.counts.g.samples, (r.counts.g.grad + r.counts.g.hvp) * 32) << name;
  }
}

TEST(StochasticBaselines, AutoStepsOnLearnregEstimateLgAndCountTheProducts) {
  // learnreg does not know L_g (it depends on x through exp(x)): the auto steps estimate it by
  // power iterations at the initial point, counted as oracle calls of the run, and say so.
  auto p = make_problem("learnreg", {{"dataset", "australian"}});
  for (const std::string name : {"stocbio", "mrbo", "vrbo", "soba", "bome"}) {
    auto a = make_algorithm(name, {});
    const Result r = a->solve(*p, testing::iterations(1));
    EXPECT_TRUE(r.x.allFinite() && r.y.allFinite()) << name;
    EXPECT_TRUE(testing::mentions(r.warnings, "does not know L_g; estimated")) << name;
    EXPECT_GE(r.counts.g.hvp, 20) << name << ": the estimate's products are counted";
  }
}

TEST(StochasticBaselines, TwoRunsWithOneSeedAreIdenticalAndAnotherSeedDiffers) {
  QuadraticOptions qo = testing::small_quadratic();
  qo.sigma = 0.3;  // noise and minibatches: every oracle call depends on the seed
  for (const std::string name : {"stocbio", "mrbo", "vrbo", "soba", "bome"}) {
    KeyValues kv = {{"batch_f", "3"}, {"batch_g", "4"}};
    if (name == "mrbo") kv.push_back({"K", "2"});  // also the inner momentum corrections
    if (name == "vrbo") kv.push_back({"q", "3"});  // refreshes and corrections
    auto run = [&](std::uint64_t seed) {
      Quadratic q(qo);
      RunSettings s;
      s.stopping.max_iters = 20;
      s.seed = seed;
      return make_algorithm(name, kv)->solve(q, s);
    };
    const Result r1 = run(5), r2 = run(5), r3 = run(6);
    testing::expect_identical_traces(r1.trace, r2.trace);
    EXPECT_EQ(r1.x, r2.x) << name;
    EXPECT_EQ(r1.y, r2.y) << name;
    EXPECT_NE(r1.x, r3.x) << name;
  }
}

TEST(StochasticBaselines, RejectBadOptionValuesNamingTheOptionAndAcceptTheDefaults) {
  struct Case {
    std::string name;
    KeyValues kv;
    std::vector<std::string> messages;
  };
  for (const Case& c : {
           Case{"stocbio",
                {{"K", "0"}, {"Q", "-1"}, {"eta_N", "-1"}, {"batch_g", "-2"}},
                {"K must be >= 1", "Q must be an integer >= 0", "eta_N must be > 0",
                 "batch_g must be >= 0"}},
           Case{"mrbo",
                {{"K", "0"}, {"m", "0"}, {"c1", "-1"}, {"d", "0"}},
                {"K must be >= 1", "m must be > 0", "c1 must be > 0", "d must be > 0"}},
           Case{"vrbo",
                {{"q", "0"}, {"batch_f_large", "-1"}, {"alpha", "0"}},
                {"q must be >= 1", "batch_f_large must be >= 0", "alpha must be > 0"}},
           Case{"soba",
                {{"rho0", "0"}, {"a_gamma", "-1"}, {"batch_f", "-1"}},
                {"rho0 must be > 0", "a_gamma must be >= 0", "batch_f must be >= 0"}},
           Case{"bome",
                {{"T", "0"}, {"eta", "0"}, {"xi", "-1"}},
                {"T must be >= 1", "eta must be > 0", "xi must be > 0"}},
       }) {
    EXPECT_TRUE(make_algorithm(c.name, {})->validate().empty()) << c.name;
    const auto a = make_algorithm(c.name, c.kv);
    const auto v = a->validate();
    for (const auto& m : c.messages) EXPECT_TRUE(testing::mentions(v, m)) << c.name << ": " << m;
    EXPECT_NE(testing::run_error(*a).find(c.messages.front()), std::string::npos) << c.name;
  }
}

}  // namespace
}  // namespace bilevel
