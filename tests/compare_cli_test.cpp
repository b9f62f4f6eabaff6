// `bilevel compare` as a user runs it: its files, their agreement with numpy computed
// independently from runs.csv, the rerun from its own config.json, and the refusals that come
// before any run (an existing output is never replaced).
#include <gtest/gtest.h>

#include <sstream>

#include "cli_support.hpp"
#include "compare_support.hpp"

namespace bilevel::testing::cli {
namespace {

constexpr const char* kSmall =
    "compare --problem quadratic --algo f2ba,aid-cg --seeds 3 --max-iters 10 --grid-points 12 "
    "--no-plot --quiet";

using bilevel::testing::runs_without_time;

using CompareCli = CliTest;

TEST_F(CompareCli, WritesEveryOutputAndPrintsTheTable) {
  const CliResult r = run("compare --problem quadratic --algo f2ba,aid-cg --seeds 3 "
                          "--max-iters 10 --target phi=-1e9 --out " + path("out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name :
       {"runs.csv", "bands.csv", "summary.json", "table.md", "config.json", "compare.png"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / name)) << name;
  EXPECT_EQ(r.out, read_file(dir_ / "out" / "table.md"));
  EXPECT_TRUE(contains(r.out, "| f2ba | 3 of 3 |")) << r.out;
  EXPECT_TRUE(contains(r.out, "(reached 0 of 3)")) << r.out;
  EXPECT_EQ(first_line(read_file(dir_ / "out" / "runs.csv")),
            "method,algo,seed,iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,"
            "hypergrad_norm");
  EXPECT_EQ(first_line(read_file(dir_ / "out" / "bands.csv")),
            "method,x,phi_n,phi_q20,phi_median,phi_q80");
}

// The statistics of summary.json recomputed by numpy from runs.csv alone: each run's last row,
// np.quantile(..., [0.2, 0.5, 0.8]) per method. A stochastic method (f2sa's minibatches) on
// hyper-cleaning, where the seed also changes the split and the corruption.
TEST_F(CompareCli, FinalStatisticsAgreeWithNumpyOnRunsCsv) {
  const CliResult r = run(
      "compare --problem hyperclean -P dataset=australian -P corrupt=0.3 --algo f2sa,f2ba "
      "--seeds 4 --max-iters 20 --y val_loss,val_acc --target 'val_acc>=0.5' --jobs 2 "
      "--no-plot --quiet --out " + path("out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ofstream(path("check.py")) << R"PY(
import csv, json, sys
import numpy as np
runs = list(csv.DictReader(open(sys.argv[1])))
summary = json.load(open(sys.argv[2]))
last = {}
for row in runs:
    last[(row["method"], row["seed"])] = row  # rows in trace order: the last one stays
failures = []
def check(what, values, got):
    want = np.quantile(np.array(values, dtype=float), [0.2, 0.5, 0.8])
    for w, key in zip(want, ("q20", "median", "q80")):
        if abs(got[key] - w) > 1e-12 * max(1.0, abs(w)):
            failures.append(f"{what} {key}: summary {got[key]!r}, numpy {w!r}")
    if got["n"] != len(values):
        failures.append(f"{what} n: summary {got['n']}, runs.csv {len(values)}")
for m in summary["methods"]:
    rows = [row for (label, seed), row in last.items() if label == m["label"]]
    if len(rows) != 4:
        failures.append(f"{m['label']}: {len(rows)} runs in runs.csv")
    for y in summary["y"]:
        check(m["label"] + " " + y, [float(row[y]) for row in rows], m["final"][y])
    check(m["label"] + " final x", [float(row[summary["x"]]) for row in rows], m["final_x"])
    if len(set(float(row["val_loss"]) for row in rows)) < 2:
        failures.append(m["label"] + ": every seed gave the same val_loss")
print("\n".join(failures))
sys.exit(1 if failures else 0)
)PY";
  const std::string cmd = "/usr/bin/python3 '" + path("check.py") + "' '" +
                          path("out/runs.csv") + "' '" + path("out/summary.json") + "' > '" +
                          path("check.txt") + "' 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << read_file(dir_ / "check.txt");
}

TEST_F(CompareCli, RerunningItsConfigJsonGivesTheSameRuns) {
  CliResult r = run(std::string(kSmall) + " -G f2ba:eta=0.1,0.5 -A aid-cg:K=5 --out " +
                    path("first"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run("compare --config " + path("first/config.json") + " --no-plot --quiet --out " +
          path("second"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string first = read_file(dir_ / "first" / "runs.csv");
  EXPECT_TRUE(contains(first, "f2ba eta=0.5,f2ba,2,")) << first.substr(0, 400);
  EXPECT_EQ(runs_without_time(read_file(dir_ / "second" / "runs.csv")), runs_without_time(first));
  EXPECT_EQ(read_file(dir_ / "second" / "config.json"), read_file(dir_ / "first" / "config.json"));
  // Twice from flags: the same too (time aside), and jobs do not change it.
  r = run(std::string(kSmall) + " -G f2ba:eta=0.1,0.5 -A aid-cg:K=5 --jobs 2 --out " +
          path("third"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(runs_without_time(read_file(dir_ / "third" / "runs.csv")), runs_without_time(first));
}

TEST_F(CompareCli, AnExistingOutputIsRefusedBeforeAnythingRuns) {
  fs::create_directories(dir_ / "out");
  std::ofstream(dir_ / "out" / "bands.csv") << "mine\n";
  const CliResult r = run(std::string(kSmall) + " --out " + path("out"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "bands.csv' already exists")) << r.err;
  EXPECT_EQ(read_file(dir_ / "out" / "bands.csv"), "mine\n");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "runs.csv"));
}

TEST_F(CompareCli, BadNamesAndConfigsAreOneLineErrors) {
  CliResult r = run("compare --problem quadratic --algo f2ba,aidcg --no-plot --out " + path("o"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "aidcg")) << r.err;
  r = run("compare --problem quadratic --algo f2ba --y val_loss --no-plot --out " + path("o"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "y 'val_loss' is not a trace column")) << r.err;
  std::ofstream(path("c.json")) << R"({"problem": {"name": "quadratic"},
      "methods": [{"algo": "f2ba", "optoins": {}}]})";
  r = run("compare --config " + path("c.json") + " --no-plot --out " + path("o"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "methods[0]: unknown key 'optoins'")) << r.err;
  EXPECT_TRUE(contains(r.err, "did you mean 'options'?")) << r.err;
  r = run("compare --problem quadratic --algo f2ba -A aid-cg:K=3 --no-plot --out " + path("o"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "not among the methods")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "o"));  // nothing was created
}

TEST_F(CompareCli, AConfigFileAboveTheLimitIsRefused) {
  std::ofstream(path("big.json")) << std::string(2 << 20, ' ');
  const CliResult r = run("compare --config " + path("big.json") + " --out " + path("o"));
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "more than the 1048576")) << r.err;
}

}  // namespace
}  // namespace bilevel::testing::cli
