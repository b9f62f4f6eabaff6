// Prox-F2SA (Kwon et al. slides, part III), both variants: feasibility of every iterate and
// convergence to the solution (0, 0) on the nasty example, reduction of the exact
// ||grad phi|| on quadratic (boxes that never bind change nothing), oracle counts and
// schedules of the pseudo-code, reproducibility, option validation.
#include "bilevel/algorithms/prox_f2sa.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/error.hpp"
#include "bilevel/problems/nasty.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

// The quadratic problem with boxes [-b, b] for x and y.
class BoxedQuadratic : public Quadratic {
 public:
  BoxedQuadratic(const QuadraticOptions& o, double b) : Quadratic(o), b_(b) {}
  std::optional<Box> box_x() const override {
    return Box{Vec::Constant(dim_x(), -b_), Vec::Constant(dim_x(), b_)};
  }
  std::optional<Box> box_y() const override {
    return Box{Vec::Constant(dim_y(), -b_), Vec::Constant(dim_y(), b_)};
  }

 private:
  double b_;
};

// On nasty, lam_k = 1/sigma_k <= 2 keeps sigma L*_{1/sigma}(x) = (sigma - 1/(4 sigma)) x^2 + |x|
// convex near the solution; the tests cap lam there (lam0 = 1, lam_max = 2).
ProxF2saOptions nasty_options(const std::string& variant, const std::string& regime) {
  ProxF2saOptions o;
  o.variant = variant;
  o.regime = regime;
  o.lam0 = 1;
  o.lam_max = 2;
  return o;
}

void expect_feasible_and_near_solution(ProxF2saOptions o, double tol) {
  Nasty p;
  ProxF2sa a(o);
  const Result r = a.solve(p, testing::seeded(2000, 1));
  ASSERT_EQ(r.trace.metric_names[0], "dist_solution");
  ASSERT_EQ(r.trace.metric_names[2], "box_violation");
  for (const IterRecord& rec : r.trace.records)
    ASSERT_EQ(rec.metrics[2], 0.0) << "iteration " << rec.iter << " left the boxes";
  EXPECT_DOUBLE_EQ(r.trace.records.front().metrics[0], std::sqrt(2.0));
  EXPECT_LT(r.trace.records.back().metrics[0], tol) << o.variant << " " << o.regime;
  // The lower-level response is optimal too: y in S(x) up to the distance itself.
  EXPECT_LT(r.trace.records.back().metrics[1], tol);
}

TEST(ProxF2sa, TwoLoopStaysInTheBoxesAndReachesTheNastySolution) {
  expect_feasible_and_near_solution(nasty_options("two-loop", "none"), 1e-6);
}

TEST(ProxF2sa, SingleLoopWithMomentumStaysInTheBoxesAndReachesTheNastySolution) {
  // Regime both: decaying steps, lam_k growing to the cap, STORM momentum eta_k ~ r^(-4/5).
  expect_feasible_and_near_solution(nasty_options("single-loop", "both"), 1e-5);
}

TEST(ProxF2sa, NastyOscillatesWhenTheMultiplierIsLarge) {
  // lam = 10: sigma L* is concave on |x| < 2/lam with a kink at 0, and z (tracking
  // -sign(x)) lags behind x: the slides' warning that the landscape is ill-behaved.
  ProxF2saOptions o = nasty_options("two-loop", "none");
  o.lam0 = 10;
  o.lam_max = 10;
  Nasty p;
  ProxF2sa a(o);
  const Result r = a.solve(p, testing::seeded(2000, 1));
  double worst = 0;
  for (std::size_t i = 1000; i < r.trace.records.size(); ++i)
    worst = std::max(worst, r.trace.records[i].metrics[0]);
  EXPECT_GT(worst, 0.3);
}

TEST(ProxF2sa, ReducesTheExactHypergradientOnQuadraticAndInactiveBoxesChangeNothing) {
  for (const char* variant : {"two-loop", "single-loop"}) {
    const QuadraticOptions qo = testing::small_quadratic();
    ProxF2saOptions o;
    o.variant = variant;
    o.regime = "none";
    Quadratic q(qo);
    BoxedQuadratic bq(qo, 1e6);
    ProxF2sa a(o), b(o);
    const Result r = a.solve(q, testing::seeded(2000, 2, 2000));
    const Result rb = b.solve(bq, testing::seeded(2000, 2, 2000));
    const double start = r.trace.records.front().hypergrad_norm;
    // Measured 3.79 -> 0.278 for both variants: the O(1/lam_k) bias of the penalty proxy,
    // lam_k = lam0 r^(1/3) (about 117 at the end), dominates.
    EXPECT_LT(r.hypergrad_norm, 0.1 * start) << variant << " start " << start;
    testing::expect_identical_traces(r.trace, rb.trace);
  }
}

TEST(ProxF2sa, ATightBoxKeepsQuadraticIteratesInside) {
  QuadraticOptions qo = testing::small_quadratic();
  qo.sigma = 0.5;
  BoxedQuadratic q(qo, 0.05);
  ProxF2saOptions o;
  o.variant = "single-loop";
  o.batch_f = 2;
  o.batch_g = 2;
  ProxF2sa a(o);
  const Box box = *q.box_x();
  Index checked = 0;
  RunSettings s = testing::seeded(200, 4);
  s.diagnostics = false;
  // The run's final iterate and, through a second short run per length, intermediate ones.
  for (Index k : {1, 7, 50, 200}) {
    s.stopping.max_iters = k;
    const Result r = a.solve(q, s);
    EXPECT_TRUE(box.contains(r.x)) << k;
    EXPECT_TRUE(q.box_y()->contains(r.y)) << k;
    checked += r.x.cwiseAbs().maxCoeff() > 0.049 ? 1 : 0;  // the box binds
  }
  EXPECT_GT(checked, 0);
}

TEST(ProxF2sa, TwoLoopOracleCountsFollowTheGrowingTkAndMk) {
  Quadratic q(testing::small_quadratic());
  ProxF2saOptions o;
  o.regime = "upper";  // c = 2/3: T_k = ceil(T0 r^c), M_k = ceil(M0 r^c)
  o.T0 = 2;
  o.M0 = 3;
  o.M_max = 4;
  o.batch_f = 2;
  o.batch_g = 3;
  const Index K = 12;
  const Result r = ProxF2sa(o).solve(q, testing::seeded(K, 0));
  const ProxF2saRun& a = testing::state_of<ProxF2sa>(r);
  Index calls = 0;
  auto grown = [](double v0, Index k) {  // ceil(v0 r^c), r = (k + k0)/k0
    return static_cast<Index>(std::ceil(v0 * std::pow((k + 10.0) / 10.0, 2.0 / 3) - 1e-9));
  };
  for (Index k = 0; k < K; ++k) {
    EXPECT_EQ(a.T_at(k), grown(2, k));
    EXPECT_EQ(a.M_at(k), std::min<Index>(4, grown(3, k)));
    calls += a.T_at(k) + a.M_at(k);
  }
  EXPECT_EQ(a.T_at(K - 1), 4);  // the schedule really grows over the run
  EXPECT_EQ(a.M_at(K - 1), 4);  // and M_max caps it
  // Per iteration: T_k prox steps (f at u; g at v and u) and M_k x samples (f at w_y; g at
  // w_y and w_z).
  EXPECT_EQ(r.counts.f.grad, calls);
  EXPECT_EQ(r.counts.g.grad, 2 * calls);
  EXPECT_EQ(r.counts.f.samples, 2 * calls);
  EXPECT_EQ(r.counts.g.samples, 3 * 2 * calls);
  EXPECT_EQ(r.counts.hvp_calls() + r.counts.hess_calls() + r.counts.value_calls(), 0);
}

TEST(ProxF2sa, SingleLoopOracleCountsIncludeTheStormCorrections) {
  Quadratic q(testing::small_quadratic());
  ProxF2saOptions o;
  o.variant = "single-loop";  // regime both: eta_k = r^(-4/5) < 1 from k = 1
  const Index K = 9;
  const Result r = ProxF2sa(o).solve(q, testing::seeded(K, 0));
  const ProxF2saRun& a = testing::state_of<ProxF2sa>(r);
  EXPECT_EQ(r.counts.f.grad, 2 + 4 * (K - 1));
  EXPECT_EQ(r.counts.g.grad, 4 + 8 * (K - 1));
  EXPECT_NEAR(a.eta_at(K - 1), std::pow((K - 1 + 10.0) / 10.0, -0.8), 1e-15);
  EXPECT_NEAR(a.sigma_at(K - 1) / a.sigma_at(0), std::pow((K - 1 + 10.0) / 10.0, -0.2), 1e-15);
}

TEST(ProxF2sa, TwoRunsWithOneSeedGiveIdenticalTracesAndAnotherSeedDiffers) {
  for (const char* variant : {"two-loop", "single-loop"}) {
    ProxF2saOptions o;
    o.variant = variant;
    o.batch_f = 3;
    o.batch_g = 4;
    o.T_max = 5;
    SCOPED_TRACE(variant);
    testing::expect_reproducible_by_seed([&] { return std::make_unique<ProxF2sa>(o); }, 30);
  }
}

TEST(ProxF2saOptions, RejectsBadValuesNamingTheOption) {
  EXPECT_TRUE(ProxF2sa(ProxF2saOptions{}).validate().empty());
  ProxF2saOptions o;
  o.a = 1.5;
  o.beta0 = 0;
  o.T0 = 0;
  o.rho = -1.0;
  o.s = -0.1;
  const auto v = ProxF2sa(o).validate();
  EXPECT_TRUE(testing::mentions(v, "a must be in [0, 1]"));
  EXPECT_TRUE(testing::mentions(v, "beta0 must be in (0, 1]"));
  EXPECT_TRUE(testing::mentions(v, "T0 must be >= 1"));
  EXPECT_TRUE(testing::mentions(v, "rho must be > 0"));
  EXPECT_TRUE(testing::mentions(v, "s must be >= 0"));
  // lam0 = auto needs mu_g, which nasty does not know.
  Nasty p;
  ProxF2sa a;
  EXPECT_TRUE(testing::run_error(a, p).find("lam0") != std::string::npos);
}

}  // namespace
}  // namespace bilevel
