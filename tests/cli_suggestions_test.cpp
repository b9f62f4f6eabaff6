// `bilevel` against docs/cli.md "Misspellings" and "Conflicting flags": every unknown word gets
// the closest known one, and flags that contradict each other are refused before any run.
#include <gtest/gtest.h>

#include <string>

#include "cli_support.hpp"

namespace {

using namespace bilevel::testing::cli;

// Bad input whose one line suggests `expected` ("did you mean '<expected>'?").
void expect_suggestion(const CliResult& r, const std::string& expected) {
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "did you mean '" + expected + "'?")) << r.err;
}

void expect_no_suggestion(const CliResult& r) {
  expect_bad_input(r);
  EXPECT_FALSE(contains(r.err, "did you mean")) << r.err;
}

const std::string kQuick = "run --problem quadratic --algo f2ba --max-iters 3";

TEST_F(CliTest, UnknownFlagsSuggestTheClosestFlag) {
  const CliResult r = run("run --problem quadratic --algo f2ba --max-iter 5");
  expect_suggestion(r, "--max-iters");
  EXPECT_TRUE(contains(r.err, "unknown flag '--max-iter'")) << r.err;
  expect_suggestion(run(kQuick + " --trce t.csv"), "--trace");
  expect_suggestion(run(kQuick + " --no-diagnostic"), "--no-diagnostics");
  expect_suggestion(run(kQuick + " --summry=s.json"), "--summary");
  expect_suggestion(run("tune --problem quadratic --algo f2ba --gird eta=1,2"), "--grid");
  expect_suggestion(run("complexity --problem quadratic --algo aid-cg --sweep tol=1e-2 --seds 3"),
                    "--seeds");
  expect_no_suggestion(run(kQuick + " --frobnicate"));
}

TEST_F(CliTest, NegativeNumbersAndDashAreNotTakenForFlags) {
  // "-1" is a value (refused by the flag's own check), not an unknown flag.
  const CliResult r = run(kQuick + " --tol -1");
  expect_bad_input(r);
  EXPECT_FALSE(contains(r.err, "unknown flag")) << r.err;
}

TEST_F(CliTest, UnknownCommandsSuggestTheClosestCommand) {
  const CliResult r = run("rn --problem quadratic --algo f2ba");
  expect_suggestion(r, "run");
  EXPECT_TRUE(contains(r.err, "unknown command 'rn'")) << r.err;
  expect_suggestion(run("complexty"), "complexity");
  expect_no_suggestion(run("frobnicate"));
  expect_suggestion(run("list algorithm"), "algorithms");
  expect_suggestion(run("--versoin"), "--version");
}

TEST_F(CliTest, UnknownOptionKeysSuggestTheClosestKey) {
  const CliResult a = run(kQuick + " -A lamb=3");
  expect_suggestion(a, "lam");
  EXPECT_TRUE(contains(a.err, "known options:")) << a.err;  // the list stays
  expect_suggestion(run(kQuick + " -P sigmaa=1"), "sigma");
  expect_suggestion(run("tune --problem quadratic --algo f2ba -G etaa=1,2"), "eta");
  expect_suggestion(run("tune --problem quadratic --algo f2ba -G eta=1,2 --metric hypergrad_nrom"),
                    "hypergrad_norm");
  expect_suggestion(run("tune --problem quadratic --algo f2ba -G eta=1,2 -A lamb=3"), "lam");
  expect_suggestion(
      run("complexity --problem quadratic --algo aid-cg --sweep muu=1,10 --tol 1e-3"), "mu");
}

TEST_F(CliTest, UnknownNamesSuggestTheClosestName) {
  expect_suggestion(run("run --problem quadratic --algo f2bz"), "f2ba");
  expect_suggestion(run("run --problem quadratc --algo f2ba"), "quadratic");
  expect_suggestion(run("run --problem hyperclean -P dataset=australain --algo f2ba"),
                    "australian");
  expect_no_suggestion(run("run --problem quadratic --algo zzzzzzzz"));
}

TEST_F(CliTest, ConflictingFlagsAreRefusedBeforeAnyRun) {
  const std::string trace = path("t.csv");
  for (const std::string& args : {
           kQuick + " --no-diagnostics --tol 1e-3",  // tol needs the exact ||grad phi||
           kQuick + " --no-diagnostics --min-eig",   // min_eig is one of the diagnostics
           kQuick + " -q --report",                  // no report and the full report
           kQuick + " -A K=1 -A K=2",                // one option twice
           kQuick + " -P mu=1 -P mu=2",
           std::string("tune --problem quadratic --algo f2ba -G eta=1e-2,1e-1 -A eta=1e-3"),
           std::string("tune --problem quadratic --algo f2ba -G eta=1e-2 --no-diagnostics "
                       "--tol 1e-3"),
       }) {
    const CliResult r = run(args + " --summary '" + trace + "'");
    expect_bad_input(r);
    EXPECT_FALSE(fs::exists(trace)) << args;
  }
  const CliResult both = run("tune --problem quadratic --algo f2ba -G eta=1e-2,1e-1 -A eta=1e-3");
  EXPECT_TRUE(contains(both.err, "both fixed")) << both.err;
  const CliResult tol = run(kQuick + " --no-diagnostics --tol 1e-3");
  EXPECT_TRUE(contains(tol.err, "--tol")) << tol.err;
  EXPECT_TRUE(contains(tol.err, "--no-diagnostics")) << tol.err;
  // A zero tolerance is "off": nothing to conflict with.
  EXPECT_EQ(run(kQuick + " --no-diagnostics --tol 0").exit_code, 0);
}

}  // namespace
