// Comparing methods over seeds (bilevel/lab/compare.hpp): quantiles equal to numpy's, the
// step resampling that never extends a run, reproducible runs for any number of jobs, the
// config's JSON round trip, and the refusals that come before any run.
#include "bilevel/lab/compare.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <sstream>

#include "bilevel/core/error.hpp"
#include "bilevel/io/compare_config.hpp"
#include "bilevel/io/compare_output.hpp"
#include "bilevel/lab/quantile.hpp"
#include "bilevel/lab/resample.hpp"
#include "compare_support.hpp"

namespace bilevel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The expected values are numpy 1.24's np.quantile(v, [0.2, 0.5, 0.8]), printed with repr:
// equal as doubles, not merely close.
TEST(CompareQuantile, EqualsNumpysDefaultQuantileOnHandCases) {
  struct Case {
    std::vector<double> values;
    double q20, q50, q80;
  };
  const Case cases[] = {
      {{1, 2, 3, 4}, 1.6, 2.5, 3.4000000000000004},
      {{3, 1, 2}, 1.4, 2.0, 2.6},
      {{1, 10}, 2.8, 5.5, 8.200000000000001},
      {{0.1, 0.7, 0.2, 0.3, 0.9, 0.4}, 0.2, 0.35, 0.7},
      {{5.0}, 5.0, 5.0, 5.0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(quantile(c.values, 0.2), c.q20);
    EXPECT_EQ(quantile(c.values, 0.5), c.q50);
    EXPECT_EQ(quantile(c.values, 0.8), c.q80);
  }
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
  EXPECT_EQ(quantile({2, 7}, 0.0), 2.0);
  EXPECT_EQ(quantile({2, 7}, 1.0), 7.0);
}

TEST(CompareQuantile, QuantilesOfSkipNanAndCountTheRest) {
  const Quantiles q = quantiles_of({kNaN, 4, 1, kNaN, 3, 2});
  EXPECT_EQ(q.n, 4u);
  EXPECT_EQ(q.median, 2.5);
  EXPECT_EQ(q.q20, 1.6);
  const Quantiles none = quantiles_of({kNaN});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.median));
}

TEST(CompareResample, IsTheLastValueAtOrBeforeEachPointAndNothingOutsideTheRun) {
  const std::vector<double> grid = linear_grid(0, 10, 11);
  ASSERT_EQ(grid.size(), 11u);
  EXPECT_EQ(grid.back(), 10.0);
  // A run logged at x = 2, 4, 7 with values 20, 40, 70.
  const std::vector<double> at = resample_steps({2, 4, 7}, {20, 40, 70}, grid);
  const double want[] = {kNaN, kNaN, 20, 20, 40, 40, 40, 70, kNaN, kNaN, kNaN};
  for (std::size_t g = 0; g < grid.size(); ++g) {
    if (std::isnan(want[g]))
      EXPECT_TRUE(std::isnan(at[g])) << "x = " << grid[g] << " is outside the run: " << at[g];
    else
      EXPECT_EQ(at[g], want[g]) << "x = " << grid[g];
  }
}

TEST(CompareResample, GridEndsExactlyAtItsLastValue) {
  const std::vector<double> grid = linear_grid(0.1, 0.7, 7);
  EXPECT_EQ(grid.front(), 0.1);
  EXPECT_EQ(grid.back(), 0.7);
  EXPECT_EQ(linear_grid(3, 3, 100), std::vector<double>{3.0});
}

CompareConfig quadratic_config() {
  CompareConfig c;
  c.problem = "quadratic";
  c.methods = {{"", "f2ba", {}, {}}, {"", "aid-cg", {}, {}}};
  c.seeds = {0, 1, 2};
  c.budget.max_iters = 15;
  c.grid_points = 20;
  return c;
}

using testing::runs_without_time;

TEST(Compare, RunsAreInMethodThenSeedOrderAndRepeatExactlyForAnyNumberOfJobs) {
  CompareConfig c = quadratic_config();
  c.methods = {{"", "f2sa", {}, {}}, {"", "f2ba", {}, {}}};
  const CompareResult one = run_compare(c);
  c.jobs = 2;
  const CompareResult two = run_compare(c);
  const CompareResult again = run_compare(c);
  ASSERT_EQ(one.runs.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(one.runs[i].entry, i / 3);
    EXPECT_EQ(one.runs[i].seed, c.seeds[i % 3]);
    EXPECT_TRUE(one.runs[i].finished()) << one.runs[i].message;
  }
  const auto reference = runs_without_time(compare_runs_csv(one));
  EXPECT_GT(reference.size(), 6u);
  EXPECT_EQ(runs_without_time(compare_runs_csv(two)), reference);
  EXPECT_EQ(runs_without_time(compare_runs_csv(again)), reference);
  EXPECT_EQ(compare_bands_csv(two), compare_bands_csv(one));
  // The seed changes the instance (quadratic's own seed option): the runs differ.
  EXPECT_NE(one.runs[0].trace.records.back().phi, one.runs[1].trace.records.back().phi);
}

TEST(Compare, FinalStatisticsAreTheQuantilesOfTheRunsLastRecords) {
  const CompareResult r = run_compare(quadratic_config());
  ASSERT_EQ(r.config.y, std::vector<std::string>{"phi"});  // quadratic has no metrics
  for (std::size_t e = 0; e < r.entries.size(); ++e) {
    std::vector<double> finals;
    for (const auto& run : r.runs)
      if (run.entry == e) finals.push_back(run.trace.records.back().phi);
    EXPECT_EQ(r.stats[e].final_y[0].median, quantile(finals, 0.5));
    EXPECT_EQ(r.stats[e].final_y[0].q20, quantile(finals, 0.2));
    EXPECT_EQ(r.stats[e].final_y[0].q80, quantile(finals, 0.8));
    EXPECT_EQ(r.stats[e].final_y[0].n, 3u);
  }
}

// Under one oracle budget f2ba and aid-cg stop at different iterations: along x = iter the
// shorter method has no value (n = 0, NaN) past its runs' last records, and every method has
// exactly the runs that cover each point.
TEST(Compare, BandsNeverExtendARunPastItsLastRecordNorBeforeItsFirst) {
  CompareConfig c = quadratic_config();
  c.budget.max_iters = 1000;
  c.budget.max_oracle_calls = 300;
  c.log_every = 3;
  const CompareResult r = run_compare(c);
  ASSERT_EQ(r.bands.x.size(), 20u);
  std::vector<double> last_iter(r.entries.size(), 0);
  for (std::size_t e = 0; e < r.entries.size(); ++e)
    for (std::size_t g = 0; g < r.bands.x.size(); ++g) {
      const double x = r.bands.x[g];
      std::size_t covering = 0;
      for (const auto& run : r.runs)
        if (run.entry == e && run.trace.records.front().iter <= x &&
            x <= run.trace.records.back().iter)
          ++covering;
      const Quantiles& q = r.bands.bands[e][0][g];
      EXPECT_EQ(q.n, covering) << r.entries[e].label << " at x = " << x;
      if (covering == 0) EXPECT_TRUE(std::isnan(q.median)) << r.entries[e].label << " x " << x;
      if (covering > 0) last_iter[e] = x;
    }
  // The point of the test: some method ends before the grid does.
  EXPECT_LT(std::min(last_iter[0], last_iter[1]), r.bands.x.back());
}

TEST(Compare, AGridExpandsIntoLabelledMethodsAndARefusedRunIsRecorded) {
  CompareConfig c = quadratic_config();
  c.methods = {{"", "f2ba", {}, {GridAxis{"eta", {"0.1", "-1"}}}}};
  c.seeds = {0, 1};
  const CompareResult r = run_compare(c);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_EQ(r.entries[0].label, "f2ba eta=0.1");
  EXPECT_EQ(r.entries[1].label, "f2ba eta=-1");
  EXPECT_TRUE(r.runs[0].finished());
  EXPECT_FALSE(r.runs[2].valid);
  EXPECT_NE(r.runs[2].message.find("eta"), std::string::npos) << r.runs[2].message;
  EXPECT_EQ(r.stats[1].finished, 0u);
  EXPECT_EQ(r.config.methods.size(), 2u);  // resolved: expanded, no grids
  EXPECT_TRUE(r.config.methods[0].grid.empty());
}

TEST(Compare, TargetCountsTheRunsThatReachedItAndTheirFirstX) {
  CompareConfig c = quadratic_config();
  const CompareResult plain = run_compare(c);
  // A target between the f2ba runs' final phi: some reach it, not necessarily all.
  const double median = plain.stats[0].final_y[0].median;
  c.target = CompareTarget{"phi", median, false};
  const CompareResult r = run_compare(c);
  std::size_t reached = 0;
  for (const auto& run : r.runs)
    if (run.entry == 0 && run.trace.records.back().phi <= median) ++reached;
  EXPECT_GE(r.stats[0].reached, reached);
  EXPECT_GE(r.stats[0].reached, 2u);
  EXPECT_EQ(r.stats[0].x_to_target.n, r.stats[0].reached);
}

TEST(Compare, AnInterruptStartsNoFurtherRunAndFlagsTheResult) {
  std::atomic<bool> flag{false};
  const CompareResult r = run_compare(quadratic_config(), &flag,
                                      [&](const CompareRun&, std::size_t done, std::size_t) {
                                        if (done == 2) flag = true;
                                      });
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.runs_done(), 2u);
  EXPECT_EQ(r.runs.size(), 6u);
  EXPECT_FALSE(r.runs[2].ran);
}

TEST(CompareConfigJson, WrittenConfigReadsBackToTheSameConfig) {
  CompareConfig c = quadratic_config();
  c.problem_options = {{"dx", "4"}};
  c.methods[0].options = {{"eta", "0.1"}};
  c.methods[1].grid = {GridAxis{"K", {"5", "10"}}};
  c.target = CompareTarget{"phi", -0.25, true};
  c.y = {"phi", "hypergrad_norm"};
  c.budget.time_limit_s = 2.5;
  const auto json = compare_config_json(c);
  const CompareConfig back = parse_compare_config(json.dump(), "test");
  EXPECT_EQ(compare_config_json(back), json);
  EXPECT_EQ(back.methods[1].grid[0].values, (std::vector<std::string>{"5", "10"}));
}

void expect_refused(const std::string& text, const std::string& part) {
  try {
    parse_compare_config(text, "t.json");
    ADD_FAILURE() << text << " was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

TEST(CompareConfigJson, RefusesUnknownKeysWrongTypesAndBrokenJsonNamingThePath) {
  const std::string methods = R"("methods": [{"algo": "f2ba"}])";
  expect_refused(R"({"problem": {"name": "quadratic"}, )" + methods + R"(, "seedz": 3})",
                 "unknown key 'seedz'; known: problem, methods, seeds");
  expect_refused(R"({"problem": {"name": "quadratic"}, )" + methods + R"(, "seedz": 3})",
                 "did you mean 'seeds'?");
  expect_refused(R"({"problem": {"name": "quadratic"}, "methods": [{"algo": "f2ba"},
                    {"algo": "aid-cg", "options": {"eta": [1]}}]})",
                 "methods[1].options.eta: must be a string, a number or a boolean");
  expect_refused(R"({"problem": {"name": "quadratic"}, )" + methods + R"(, "budget": {"max_iters": -3}})",
                 "budget.max_iters: must be at least 0");
  expect_refused(R"({"problem": {"name": "quadratic"}, )" + methods + R"(, "jobs": 1.5})",
                 "jobs: must be an integer");
  expect_refused(R"({"problem": {"name": "quadratic"}})", "needs \"methods\"");
  expect_refused(R"({"problem": )", "is not valid JSON");
  expect_refused(R"([1, 2])", "must be an object, not an array");
}

TEST(CompareConfigJson, OptionValuesMayBeNumbersOrStrings) {
  const CompareConfig c = parse_compare_config(
      R"({"problem": {"name": "hyperclean", "options": {"corrupt": 0.3, "dataset": "australian"}},
          "methods": [{"algo": "f2ba", "options": {"K": 10, "eta": "0.5"}}], "seeds": 2})",
      "t.json");
  EXPECT_EQ(c.problem_options, (KeyValues{{"corrupt", "0.3"}, {"dataset", "australian"}}));
  EXPECT_EQ(c.methods[0].options, (KeyValues{{"K", "10"}, {"eta", "0.5"}}));
  EXPECT_EQ(c.seeds, (std::vector<std::uint64_t>{0, 1}));
}

void expect_resolve_refused(const CompareConfig& c, const std::string& part) {
  try {
    resolve_compare_config(c);
    ADD_FAILURE() << "accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Compare, RefusesUnknownNamesAndColumnsBeforeAnyRun) {
  CompareConfig c = quadratic_config();
  c.methods[1].algo = "f2bb";
  expect_resolve_refused(c, "f2bb");
  c = quadratic_config();
  c.y = {"val_loss"};
  expect_resolve_refused(c, "y 'val_loss' is not a trace column of problem 'quadratic'");
  c = quadratic_config();
  c.x = "iters";
  expect_resolve_refused(c, "did you mean 'iter'?");
  c = quadratic_config();
  c.methods[0].options = {{"etta", "1"}};
  expect_resolve_refused(c, "method 'f2ba'");
  c = quadratic_config();
  c.methods.push_back({"", "f2ba", {}, {}});
  expect_resolve_refused(c, "two methods are labelled 'f2ba'");
  c = quadratic_config();
  c.diagnostics = false;
  expect_resolve_refused(c, "diagnostics");
}

}  // namespace
}  // namespace bilevel
