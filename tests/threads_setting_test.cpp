// The one thread setting (RunSettings::threads, the CLI's --threads): a solve runs its data
// kernels on that many OpenMP threads, 0 restores the OpenMP default, and the results are
// bitwise the same for any count.
#include <gtest/gtest.h>
#include <omp.h>

#include "bilevel/core/error.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/registry.hpp"
#include "cli_support.hpp"

namespace bilevel {
namespace {

// f2ba on a hyperclean problem large enough for several chunks of the data pass, with
// `threads`; records the thread count the callbacks saw.
Result solve_with(Index threads, int* seen) {
  HypercleanOptions o;
  o.dataset = "australian";
  Hyperclean p(o);
  auto a = make_algorithm("f2ba", {{"K", "5"}});
  RunSettings s;
  s.stopping.max_iters = 5;
  s.diagnostics = false;
  s.threads = threads;
  s.callbacks.push_back([seen](const IterRecord&, const Vec&, const Vec&) {
    *seen = omp_get_max_threads();
    return Action::kContinue;
  });
  return a->solve(p, s);
}

TEST(ThreadsSetting, BoundsTheSolveAndLeavesResultsUnchanged) {
  const int start = omp_get_max_threads();
  int seen1 = 0, seen2 = 0, seen0 = 0;
  const Result one = solve_with(1, &seen1);
  const Result two = solve_with(2, &seen2);
  EXPECT_EQ(seen1, 1);
  EXPECT_EQ(seen2, 2);
  EXPECT_EQ(one.x, two.x);  // bitwise
  EXPECT_EQ(one.y, two.y);
  const Result dflt = solve_with(0, &seen0);
  EXPECT_EQ(seen0, start);  // 0 = the default the process started with
  EXPECT_EQ(dflt.x, one.x);
}

TEST(ThreadsSetting, IsValidated) {
  RunSettings s;
  s.threads = -1;
  auto a = make_algorithm("f2ba", {});
  HypercleanOptions o;
  Hyperclean p(o);
  EXPECT_THROW(a->solve(p, s), InvalidOptions);
}

class ThreadsFlag : public testing::cli::CliTest {};

TEST_F(ThreadsFlag, RunsAndRefusesBadValues) {
  const auto ok = run("run --problem quadratic --algo f2ba --max-iters 3 --threads 1 -q");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  const auto bad = run("run --problem quadratic --algo f2ba --threads -2");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(testing::cli::first_line(bad.err),
            "bilevel: error: --threads '-2' is not allowed: threads must be >= 0 (got -2)");
}

}  // namespace
}  // namespace bilevel
