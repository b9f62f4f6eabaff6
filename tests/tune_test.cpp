// Grid search (bilevel/tune.hpp): the grid syntax, the trial order, refused and diverged
// trials, the winner by either direction, and trials equal to plain runs with their options.
#include "bilevel/lab/tune.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/algorithms/f2sa_p.hpp"
#include "bilevel/core/error.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

TEST(Tune, GridAxisListKeepsValuesAsWritten) {
  const GridAxis a = parse_grid_axis("inner=gd,agd");
  EXPECT_EQ(a.key, "inner");
  EXPECT_EQ(a.values, (std::vector<std::string>{"gd", "agd"}));
}

TEST(Tune, GridAxisRangeIsTheDecadesAsTheirDecimalValues) {
  const GridAxis a = parse_grid_axis("eta=1e-4:1");
  ASSERT_EQ(a.values.size(), 5u);
  const double want[] = {1e-4, 1e-3, 1e-2, 0.1, 1.0};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(std::stod(a.values[i]), want[i]) << i;
  EXPECT_EQ(parse_grid_axis("nu=0.3:0.3").values.size(), 1u);
  EXPECT_EQ(std::stod(parse_grid_axis("nu=3e-2:3").values[2]), 3.0);
}

TEST(Tune, MalformedGridAxesAreRefusedWithTheAcceptedForms) {
  for (const char* spec : {"eta", "=1,2", "eta=", "eta=1,,2", "eta=1:20", "eta=0:1", "eta=1:0.1",
                           "eta=a:b"}) {
    try {
      parse_grid_axis(spec);
      ADD_FAILURE() << spec << " was accepted";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("key=lo:hi"), std::string::npos) << e.what();
    }
  }
}

TuneSettings by_hypergradient(Index iters) {
  TuneSettings s;
  s.run.stopping.max_iters = iters;
  s.run.log_every = iters;
  s.metric = "hypergrad_norm";
  return s;
}

const F2ba& default_f2ba() {
  static const F2ba f2ba;
  return f2ba;
}

// An interrupt (the CLI's SIGINT) ends the running trial at an iteration boundary: it is
// recorded without a score, no further trial starts, and the best is among the full trials.
TEST(Tune, AnInterruptEndsTheSearchAfterTheRunningTrialWhichDoesNotCompete) {
  Quadratic q(testing::small_quadratic());
  const std::vector<GridAxis> grid = {parse_grid_axis("eta=1e-3,1e-2,0.1")};
  std::atomic<bool> flag{false};
  TuneSettings s = by_hypergradient(40);
  s.run.log_every = 1;  // the callback sees every iteration
  s.run.interrupt = &flag;
  std::size_t trials_done = 0;
  s.run.callbacks.push_back([&](const IterRecord& rec, const Vec&, const Vec&) {
    if (trials_done == 1 && rec.iter == 5) flag.store(true);
    return Action::kContinue;
  });
  const TuneResult r = grid_search(q, default_f2ba(), {}, grid, s,
                                   [&](const TuneTrial&, std::size_t, std::size_t) {
                                     ++trials_done;
                                   });
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.planned, 3u);
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_EQ(r.trials[0].status, Status::kMaxIterations);
  EXPECT_EQ(r.trials[1].status, Status::kInterrupted);
  EXPECT_EQ(r.trials[1].iters, 6);  // the flag is polled after the next step
  EXPECT_TRUE(std::isnan(r.trials[1].score));
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(*r.best, 0u);

  // Set before the search: no trial starts.
  const TuneResult none = grid_search(q, default_f2ba(), {}, grid, s);
  EXPECT_TRUE(none.interrupted);
  EXPECT_TRUE(none.trials.empty());
  EXPECT_FALSE(none.best.has_value());
}

TEST(Tune, TrialsRunInGridOrderAndTheBestIsTheSmallestScore) {
  Quadratic q(testing::small_quadratic());
  const std::vector<GridAxis> grid = {parse_grid_axis("eta=1e-3,1e-2,1e10"),
                                      parse_grid_axis("K=1,10")};
  const TuneResult r = grid_search(q, default_f2ba(), {{"lam", "50"}}, grid, by_hypergradient(50));
  ASSERT_EQ(r.trials.size(), 6u);
  // The first axis varies slowest.
  EXPECT_EQ(r.trials[1].grid_values, (KeyValues{{"eta", "1e-3"}, {"K", "10"}}));
  EXPECT_EQ(r.trials[2].grid_values, (KeyValues{{"eta", "1e-2"}, {"K", "1"}}));
  // eta = 1e10 diverges: recorded, never the winner.
  EXPECT_EQ(r.trials[5].status, Status::kDiverged);
  EXPECT_TRUE(std::isnan(r.trials[5].score));
  ASSERT_TRUE(r.best.has_value());
  for (const auto& t : r.trials)
    if (std::isfinite(t.score)) EXPECT_LE(r.trials[*r.best].score, t.score);
  // The fixed option reached every trial.
  for (const auto& t : r.trials) {
    const OptionValue* lam = find_value(t.resolved_options, "lam");
    ASSERT_NE(lam, nullptr);
    EXPECT_EQ(format_value(*lam), "50");
  }
}

TEST(Tune, MaximizeFlipsTheWinner) {
  Quadratic q(testing::small_quadratic());
  const std::vector<GridAxis> grid = {parse_grid_axis("eta=1e-3,1e-2")};
  TuneSettings s = by_hypergradient(30);
  const TuneResult low = grid_search(q, default_f2ba(), {}, grid, s);
  s.maximize = true;
  const TuneResult high = grid_search(q, default_f2ba(), {}, grid, s);
  ASSERT_TRUE(low.best && high.best);
  EXPECT_NE(*low.best, *high.best);
}

TEST(Tune, ATrialEqualsAPlainRunWithItsOptions) {
  Quadratic q(testing::small_quadratic());
  TuneSettings s = by_hypergradient(20);
  s.run.seed = 9;
  const TuneResult r =
      grid_search(q, default_f2ba(), {{"K", "3"}}, {parse_grid_axis("eta=0.02")}, s);
  const auto a = F2ba().with_options({{"K", "3"}, {"eta", "0.02"}});
  Quadratic q2(testing::small_quadratic());
  const Result plain = a->solve(q2, s.run);
  EXPECT_EQ(r.trials[0].score, plain.hypergrad_norm);
  EXPECT_EQ(r.trials[0].counts.total_calls(), plain.counts.total_calls());
}

TEST(Tune, OptionsTheAlgorithmRefusesAreRecordedNotFatal) {
  QuadraticOptions qo = testing::small_quadratic();
  qo.mu = 1.0;
  qo.L = 2.0;
  Quadratic q(qo);
  const F2saP f2sa_p;
  // p = 4 reaches |j| = 2: nu must stay below mu_g / (2 L_f) = 0.5.
  const TuneResult r = grid_search(q, f2sa_p, {{"p", "4"}, {"K", "5"}},
                                   {parse_grid_axis("nu=0.1,0.6")}, by_hypergradient(5));
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_TRUE(r.trials[0].valid);
  EXPECT_FALSE(r.trials[1].valid);
  EXPECT_NE(r.trials[1].message.find("too large"), std::string::npos) << r.trials[1].message;
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(*r.best, 0u);
}

TEST(Tune, UserErrorsAbortTheSearchBeforeAnyTrial) {
  Quadratic q(testing::small_quadratic());
  const std::vector<GridAxis> grid = {parse_grid_axis("eta=0.01")};
  TuneSettings s = by_hypergradient(5);
  EXPECT_THROW(grid_search(q, default_f2ba(), {}, {parse_grid_axis("etaa=1")}, s), InvalidInput);
  EXPECT_THROW(grid_search(q, default_f2ba(), {{"lamm", "1"}}, grid, s), InvalidInput);
  EXPECT_THROW(grid_search(q, default_f2ba(), {}, {grid[0], grid[0]}, s), InvalidInput);
  EXPECT_THROW(grid_search(q, default_f2ba(), {}, {}, s), InvalidInput);
  s.metric = "val_loss";  // not a column of quadratic
  EXPECT_THROW(grid_search(q, default_f2ba(), {}, grid, s), InvalidInput);
  s.metric = "phi";
  s.run.diagnostics = false;  // phi needs the diagnostics
  EXPECT_THROW(grid_search(q, default_f2ba(), {}, grid, s), InvalidInput);
}

TEST(Tune, MinEigScoresWhenRecordedAndIsRefusedOtherwise) {
  // quadratic's Hess phi is constant: every trial must score its closed-form lambda_min.
  QuadraticOptions o = testing::small_quadratic();
  o.mu_f = -1.0;
  Quadratic q(o);
  Mat h;
  q.closed_form_hessian_phi(q.initial_x(), &h);
  const double expected =
      Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly).eigenvalues()(0);
  const std::vector<GridAxis> grid = {parse_grid_axis("eta=1e-3,1e-2")};
  TuneSettings s = by_hypergradient(5);
  s.metric = "min_eig";
  try {
    grid_search(q, default_f2ba(), {}, grid, s);
    ADD_FAILURE() << "min_eig without run.min_eig was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("--min-eig"), std::string::npos) << e.what();
  }
  s.run.min_eig = true;
  const TuneResult r = grid_search(q, default_f2ba(), {}, grid, s);
  ASSERT_EQ(r.trials.size(), 2u);
  for (const auto& t : r.trials) EXPECT_NEAR(t.score, expected, 1e-12 * h.norm());
  EXPECT_TRUE(r.best.has_value());
}

}  // namespace
}  // namespace bilevel
