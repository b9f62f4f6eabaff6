// The CLI's limits (issue 14, "Sizes"): oversized requests, grids and sweeps are refused with
// one line and exit code 2 before anything runs or is allocated; --max-memory sets the budget.
// Each child's peak memory is read from wait4, so "refused before allocating" is measured.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef BILEVEL_CLI_PATH
#error "BILEVEL_CLI_PATH must name the built bilevel executable (CMakeLists.txt)"
#endif

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
  double peak_mb = 0;
};

class CliLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("bilevel_cli_limits_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // Runs bilevel with `args` (no shell), capturing stdout and stderr.
  Outcome run(std::vector<std::string> args) const {
    const std::string out_path = (dir_ / "stdout.txt").string();
    const std::string err_path = (dir_ / "stderr.txt").string();
    args.insert(args.begin(), BILEVEL_CLI_PATH);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid = 0;
    Outcome o;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0) {
      int status = 0;
      rusage usage{};
      wait4(pid, &status, 0, &usage);
      o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      o.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;
    }
    posix_spawn_file_actions_destroy(&actions);
    o.out = read("stdout.txt");
    o.err = read("stderr.txt");
    return o;
  }

  fs::path dir_;
};

// Exit 2, one line "bilevel: error: ..." containing every fragment, and a small peak memory.
void expect_refused(const Outcome& o, std::initializer_list<std::string> fragments) {
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(o.err.rfind("bilevel: error: ", 0), 0u) << o.err;
  EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << "not one line: " << o.err;
  for (const auto& f : fragments) EXPECT_NE(o.err.find(f), std::string::npos) << o.err;
  EXPECT_LT(o.peak_mb, 300.0) << o.err;
}

TEST_F(CliLimitsTest, HardArjevaniAtTinyEpsIsRefusedBeforeItsFirstIteration) {
  for (const char* eps : {"eps=1e-8", "eps=1e-12"})
    expect_refused(run({"run", "--problem", "hard-arjevani", "-P", eps, "--algo", "f2ba",
                        "--max-iters", "1", "-q"}),
                   {"chain of T =", "of memory"});
}

TEST_F(CliLimitsTest, MaxMemorySetsTheBudgetAndIsChecked) {
  expect_refused(run({"run", "--problem", "hard-arjevani", "-P", "eps=1e-6", "--algo", "f2ba",
                      "--max-iters", "1", "-q", "--max-memory", "64M"}),
                 {"eps=1e-06", "--max-memory limit of 67.1 MB"});
  expect_refused(run({"run", "--problem", "quadratic", "--algo", "f2ba", "--max-memory", "lots"}),
                 {"--max-memory 'lots'", "4G"});
  const Outcome ok = run({"run", "--problem", "quadratic", "--algo", "f2ba", "--max-iters", "3",
                          "-q", "--max-memory", "1G"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

TEST_F(CliLimitsTest, SyntheticTextOfATrillionSamplesIsRefused) {
  expect_refused(run({"run", "--problem", "hyperclean", "-P",
                      "dataset=synthetic-text:n=1000000000000", "--algo", "f2ba", "-q"}),
                 {"synthetic-text: n=1000000000000", "of memory"});
}

TEST_F(CliLimitsTest, LibsvmIndicesThatOverflowedAreRefused) {
  const std::string max = write("max.svm", "+1 9223372036854775807:1\n-1 1:1\n");
  expect_refused(run({"run", "--problem", "hyperclean", "-P", "dataset=libsvm:" + max, "--algo",
                      "f2ba", "-q"}),
                 {max + ":1:", "largest accepted"});
  const std::string trillion = write("t.svm", "+1 1000000000000:1\n-1 1:1\n+1 2:1\n-1 3:1\n");
  expect_refused(run({"run", "--problem", "hyperclean", "-P", "dataset=libsvm:" + trillion, "-P",
                      "n_train=2", "-P", "n_val=1", "-P", "n_test=1", "--algo", "f2ba", "-q"}),
                 {"1000000000000 features", "of memory"});
}

TEST_F(CliLimitsTest, TuneRefusesHugeGridsAndBadValuesBeforeTheFirstTrial) {
  // 40 x 40 x 40 = 64000 trials (the grid had 115 million).
  const std::string axis =
      "=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
      "26,27,28,29,30,31,32,33,34,35,36,37,38,39,40";
  expect_refused(run({"tune", "--problem", "quadratic", "--algo", "f2ba", "-G", "lam" + axis, "-G",
                      "K" + axis, "-G", "eta" + axis, "--max-iters", "2", "-q"}),
                 {"more than the 10000 trials"});
  // `-G inner=gd,foo` ran the gd trial before refusing foo.
  const Outcome o = run({"tune", "--problem", "quadratic", "--algo", "f2ba", "-G", "inner=gd,foo",
                         "--max-iters", "2"});
  expect_refused(o, {"inner=foo"});
  EXPECT_EQ(o.out, "") << "a trial ran before the refusal";
}

TEST_F(CliLimitsTest, ComplexityRefusesAbsurdSeedCounts) {
  expect_refused(run({"complexity", "--problem", "hard-carmon", "--algo", "f2ba", "--sweep",
                      "eps=0.1,0.05", "--seeds", "1e12"}),
                 {"seeds", "1000"});
}

}  // namespace
