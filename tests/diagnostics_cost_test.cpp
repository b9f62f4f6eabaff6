// What the exact diagnostics cost: the statistics they keep (never oracle counts), the warm
// starts carried from one trace row to the next, and the last Newton step aimed at the
// gradient test (the same y*, phi and hypergradient as the plain forcing term, to the
// tolerance).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "classification_fixtures.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::random_dataset;
using testing::rel_err;

std::unique_ptr<Hyperclean> small_hyperclean() {
  HypercleanOptions o;
  o.corrupt = 0.3;
  o.seed = 4;
  o.c = 1e-4;
  return std::make_unique<Hyperclean>(random_dataset(200, 8, 3, false, 11),
                                      random_dataset(60, 8, 3, false, 12), data::Dataset{}, o);
}

TEST(DiagnosticsCost, StatisticsCountTheSolvesButNoOracle) {
  auto p = small_hyperclean();
  Diagnostics d(*p);
  const Vec x = p->initial_x();
  d.phi(x);
  d.hypergradient(x);
  const DiagnosticsStats& s = d.stats();
  EXPECT_GT(s.newton_steps, 0);
  EXPECT_EQ(s.cg_solves, s.newton_steps + 1) << "one per Newton step, one for the hypergradient";
  EXPECT_GT(s.hvp, s.cg_solves);
  EXPECT_GT(s.gradients, s.newton_steps);
  EXPECT_EQ(p->counts().total_calls(), 0) << "diagnostics are never counted";
}

// A trace row at an x near the previous row's starts from the previous y* and hypergradient
// solution: fewer Newton steps and products than a fresh Diagnostics at the same x, and the
// same results to the tolerance.
TEST(DiagnosticsCost, WarmStartsFromThePreviousRowSaveNewtonStepsAndProducts) {
  auto p = small_hyperclean();
  Rng rng(5);
  const Vec x0 = gaussian_vector(p->dim_x(), rng);
  const Vec x1 = x0 + 1e-2 * gaussian_vector(p->dim_x(), rng);
  Diagnostics warm(*p), cold(*p);
  warm.phi(x0);
  warm.hypergradient(x0);
  const DiagnosticsStats before = warm.stats();
  const double phi_warm = warm.phi(x1);
  const Vec g_warm = warm.hypergradient(x1);
  const double phi_cold = cold.phi(x1);
  const Vec g_cold = cold.hypergradient(x1);
  EXPECT_NEAR(phi_warm, phi_cold, 1e-12 * std::abs(phi_cold));
  EXPECT_LE(rel_err(g_warm, g_cold), 1e-8);
  const Index warm_products = warm.stats().hvp - before.hvp;
  EXPECT_LT(warm_products, cold.stats().hvp)
      << "warm " << warm_products << " products, cold " << cold.stats().hvp;
  EXPECT_LT(warm.stats().newton_steps - before.newton_steps, cold.stats().newton_steps);
}

// Aiming the last Newton step at the test changes how accurately its system is solved, never
// what the solve reaches: the gradient test is the same.
TEST(DiagnosticsCost, AimedLastNewtonStepGivesTheSameResultsToTheTolerance) {
  auto p = small_hyperclean();
  DiagnosticsOptions plain_options;
  plain_options.aim_last_newton_step = false;
  Diagnostics plain(*p, plain_options), aimed(*p);
  Rng rng(3);
  for (int row = 0; row < 3; ++row) {
    const Vec x = gaussian_vector(p->dim_x(), rng);
    const Vec ys = aimed.lower_solution(x);
    EXPECT_LE(rel_err(ys, plain.lower_solution(x)), 1e-9) << "row " << row;
    Vec gy;
    p->grad(Fn::kG, x, ys, Batch{}, nullptr, &gy);
    EXPECT_LE(gy.norm(), 1e-11) << "the gradient test holds at y*";
    EXPECT_NEAR(aimed.phi(x), plain.phi(x), 1e-12 * std::abs(plain.phi(x)));
    EXPECT_LE(rel_err(aimed.hypergradient(x), plain.hypergradient(x)), 1e-8) << "row " << row;
  }
  EXPECT_LE(aimed.stats().newton_steps, plain.stats().newton_steps);
}

}  // namespace
}  // namespace bilevel
