// The run summary's keys and value types (docs/cli.md): what other tools read.
#include "bilevel/io/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace bilevel {
namespace {

Result sample_result() {
  Result r;
  r.status = Status::kConverged;
  r.message = "converged: exact ||grad phi|| <= tol";
  r.iters = 12;
  r.time_s = 0.25;
  r.counts.f = {.value = 1, .grad = 2, .hvp = 3, .hess = 0, .samples = 20};
  r.counts.g = {.value = 0, .grad = 4, .hvp = 5, .hess = 1, .samples = 40};
  r.phi = 1.5;
  r.hypergrad_norm = std::nan("");
  r.algorithm = "f2ba";
  r.problem = "quadratic";
  r.options = {{"lam", 100.0},
               {"K", Index{10}},
               {"eta", 0.125},
               {"inner", std::string("gd")},
               {"warm", true}};
  r.problem_options = {{"dx", Index{20}}, {"mu", 0.1}};
  r.trace.metric_names = {"val_loss", "val_acc"};
  IterRecord last;
  last.metrics = {0.5, std::nan("")};
  r.trace.records.push_back(last);
  return r;
}

nlohmann::json sample_summary() {
  RunSettings s;
  s.seed = 7;
  s.stopping.max_iters = 50;
  s.stopping.tol = 1e-6;
  return run_summary(sample_result(), s, 12.5);
}

TEST(SummaryTest, HasTheRequiredKeysWithTotals) {
  const nlohmann::json j = sample_summary();
  EXPECT_EQ(j["algo"], "f2ba");
  EXPECT_EQ(j["problem"], "quadratic");
  EXPECT_EQ(j["status"], "converged");
  EXPECT_EQ(j["message"], "converged: exact ||grad phi|| <= tol");
  EXPECT_EQ(j["iters"], 12);
  EXPECT_EQ(j["time_s"], 0.25);
  EXPECT_EQ(j["value_calls"], 1);
  EXPECT_EQ(j["grad_calls"], 6);
  EXPECT_EQ(j["hvp_calls"], 8);
  EXPECT_EQ(j["hess_calls"], 1);
  EXPECT_EQ(j["samples"], 60);
  EXPECT_EQ(j["phi"], 1.5);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["peak_rss_mb"], 12.5);
  EXPECT_EQ(j["stopping"]["max_iters"], 50);
  EXPECT_EQ(j["stopping"]["tol"], 1e-6);
  EXPECT_EQ(j["diagnostics"], true);
  EXPECT_EQ(j["log_every"], 1);
}

TEST(SummaryTest, BreaksCountsDownByLevel) {
  const nlohmann::json c = sample_summary()["counts"];
  EXPECT_EQ(c["f"],
            (nlohmann::json{{"value", 1}, {"grad", 2}, {"hvp", 3}, {"hess", 0}, {"samples", 20}}));
  EXPECT_EQ(c["g"]["hess"], 1);
  EXPECT_EQ(c["g"]["samples"], 40);
}

TEST(SummaryTest, NanBecomesNull) {
  const nlohmann::json j = sample_summary();
  EXPECT_TRUE(j["hypergrad_norm"].is_null());
  EXPECT_EQ(j["metrics"]["val_loss"], 0.5);
  EXPECT_TRUE(j["metrics"]["val_acc"].is_null());
}

TEST(SummaryTest, OptionValuesAreTyped) {
  const nlohmann::json j = sample_summary();
  EXPECT_TRUE(j["options"]["lam"].is_number_integer());
  EXPECT_EQ(j["options"]["K"], 10);
  EXPECT_EQ(j["options"]["eta"], 0.125);
  EXPECT_EQ(j["options"]["inner"], "gd");
  EXPECT_EQ(j["options"]["warm"], true);
  EXPECT_EQ(j["problem_options"]["mu"], 0.1);
}

TEST(SummaryTest, MinEigOnlyWhenAskedFor) {
  EXPECT_FALSE(sample_summary().contains("min_eig"));
  RunSettings s;
  s.min_eig = true;
  Result r = sample_result();
  r.min_eig = -0.5;
  EXPECT_EQ(run_summary(r, s, 1.0)["min_eig"], -0.5);
  r.min_eig = std::nan("");
  const nlohmann::json unknown = run_summary(r, s, 1.0);
  ASSERT_TRUE(unknown.contains("min_eig"));
  EXPECT_TRUE(unknown["min_eig"].is_null());
}

TEST(SummaryTest, HasTheTimingsByPhaseAndTheMethodCounters) {
  Result r = sample_result();
  r.timings = {.start_s = 0.5, .steps_s = 1.5, .diagnostics_s = 2.5, .callbacks_s = 0.25};
  r.method_counters = {{"perturbations", 2}, {"inner_steps", 40}};
  const nlohmann::json j = run_summary(r, RunSettings{}, 1.0);
  EXPECT_EQ(j["timings"]["steps_s"], 1.5);
  EXPECT_EQ(j["timings"]["diagnostics_s"], 2.5);
  EXPECT_EQ(j["method_counters"]["perturbations"], 2);
  EXPECT_EQ(j["method_counters"]["inner_steps"], 40);
  EXPECT_TRUE(sample_summary()["method_counters"].is_object());
}

TEST(SummaryTest, PeakRssIsPositive) { EXPECT_GT(peak_rss_mb(), 0.0); }

}  // namespace
}  // namespace bilevel
