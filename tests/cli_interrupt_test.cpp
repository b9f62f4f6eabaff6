// `bilevel run` under SIGINT / SIGTERM, and --checkpoint / --resume (docs/cli.md): an
// interrupted run ends at an iteration boundary with a complete trace, a summary with status
// "interrupted", a checkpoint, and exit code 128 + the signal; resuming from the checkpoint
// writes the trace of the uninterrupted run (time column aside).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef BILEVEL_CLI_PATH
#error "BILEVEL_CLI_PATH must name the built bilevel executable (CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The trace without its time_s column (the second).
std::vector<std::string> without_time(const std::string& csv) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(csv)) {
    const auto a = line.find(',');
    const auto b = line.find(',', a + 1);
    out.push_back(line.substr(0, a) + line.substr(b));
  }
  return out;
}

class CliInterrupt : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bilevel_interrupt_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts the CLI with `args` (stdout and stderr to files in the scratch directory).
  pid_t start(const std::vector<std::string>& args) const {
    const pid_t pid = ::fork();
    if (pid == 0) {
      const std::string out = path("stdout.txt"), err = path("stderr.txt");
      if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(err.c_str(), "w", stderr))
        ::_exit(120);
      std::vector<char*> argv{const_cast<char*>(BILEVEL_CLI_PATH)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(BILEVEL_CLI_PATH, argv.data());
      ::_exit(121);
    }
    return pid;
  }
  static int wait_exit_code(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  int run(const std::vector<std::string>& args) const { return wait_exit_code(start(args)); }

  // Runs f2ba on quadratic without an end in sight, checkpointing every 20 iterations, and
  // sends `signal` once a checkpoint shows that iterations are being made.
  int interrupted_run(int signal) const {
    const pid_t pid =
        start({"run", "--problem", "quadratic", "--algo", "f2ba", "--seed", "5", "--max-iters",
               "100000000", "-q", "--trace", path("t.csv"), "--summary", path("s.json"),
               "--checkpoint", path("ck.json"), "--checkpoint-every", "20"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(path("ck.json")) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::kill(pid, signal);
    return wait_exit_code(pid);
  }

  // Starts `args`, waits until stdout has a line starting with `first_line` (a trial or a run
  // done), then sends SIGINT; returns the exit code.
  int interrupt_after_line(const std::vector<std::string>& args,
                           const std::string& first_line) const {
    const pid_t pid = start(args);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (read_file(path("stdout.txt")).rfind(first_line, 0) != 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ::kill(pid, SIGINT);
    return wait_exit_code(pid);
  }

  fs::path dir_;
};

TEST_F(CliInterrupt, SigintLeavesACompleteTraceASummaryAndACheckpoint) {
  ASSERT_EQ(interrupted_run(SIGINT), 130) << read_file(path("stderr.txt"));
  const auto summary = nlohmann::json::parse(read_file(path("s.json")));
  EXPECT_EQ(summary["status"], "interrupted");
  const long iters = summary["iters"];
  EXPECT_GE(iters, 20);
  // One row per iteration 0..iters, none missing, the last one the final state.
  const auto rows = lines_of(read_file(path("t.csv")));
  ASSERT_EQ(static_cast<long>(rows.size()), iters + 2);  // header + rows 0..iters
  for (long i = 0; i <= iters; ++i)
    ASSERT_EQ(rows[i + 1].substr(0, rows[i + 1].find(',')), std::to_string(i));
  EXPECT_NE(read_file(path("stderr.txt")).find("continue with --resume"), std::string::npos);
  EXPECT_TRUE(fs::exists(path("ck.json")));
}

TEST_F(CliInterrupt, SigtermExitsWith143) {
  ASSERT_EQ(interrupted_run(SIGTERM), 143) << read_file(path("stderr.txt"));
  EXPECT_EQ(nlohmann::json::parse(read_file(path("s.json")))["status"], "interrupted");
}

TEST_F(CliInterrupt, ResumingWritesTheUninterruptedTrace) {
  ASSERT_EQ(interrupted_run(SIGINT), 130) << read_file(path("stderr.txt"));
  const long iters = nlohmann::json::parse(read_file(path("s.json")))["iters"];
  const std::string until = std::to_string(iters + 25);
  const std::vector<std::string> common = {
      "run", "--problem", "quadratic", "--algo", "f2ba", "--seed", "5", "-q", "--max-iters", until};
  std::vector<std::string> resumed = common;
  for (const char* a : {"--resume", "", "--trace", "", "--summary", ""}) resumed.push_back(a);
  resumed[11] = path("ck.json");
  resumed[13] = path("r.csv");
  resumed[15] = path("r.json");
  ASSERT_EQ(run(resumed), 0) << read_file(path("stderr.txt"));
  std::vector<std::string> straight = common;
  for (const char* a : {"--trace", "", "--summary", ""}) straight.push_back(a);
  straight[11] = path("u.csv");
  straight[13] = path("u.json");
  ASSERT_EQ(run(straight), 0) << read_file(path("stderr.txt"));

  EXPECT_EQ(without_time(read_file(path("r.csv"))), without_time(read_file(path("u.csv"))));
  auto r = nlohmann::json::parse(read_file(path("r.json")));
  auto u = nlohmann::json::parse(read_file(path("u.json")));
  for (auto* j : {&r, &u})
    for (const char* key : {"time_s", "timings", "peak_rss_mb"}) j->erase(key);
  EXPECT_EQ(r, u);
}

TEST_F(CliInterrupt, ACheckpointOfAnotherRunIsRefusedWithOneLine) {
  ASSERT_EQ(run({"run", "--problem", "quadratic", "--algo", "f2ba", "--max-iters", "4", "-q",
                 "--checkpoint", path("ck.json"), "--checkpoint-every", "2"}),
            0);
  ASSERT_EQ(run({"run", "--problem", "quadratic", "--algo", "aid-cg", "--max-iters", "8", "-q",
                 "--resume", path("ck.json")}),
            2);
  const auto err = lines_of(read_file(path("stderr.txt")));
  ASSERT_EQ(err.size(), 1u);
  EXPECT_EQ(
      err[0].rfind("bilevel: error: checkpoint '" + path("ck.json") + "' is a run of f2ba", 0), 0u)
      << err[0];

  std::ofstream(path("bad.json")) << "{\"format\": \"bilevel-checkpoint\"";
  ASSERT_EQ(
      run({"run", "--problem", "quadratic", "--algo", "f2ba", "-q", "--resume", path("bad.json")}),
      2);
  EXPECT_NE(read_file(path("stderr.txt")).find("truncated"), std::string::npos);
}

// tune: the running trial ends at its next iteration boundary, no other trial starts, and
// the summary holds the trials so far (each trial runs 1.5 s, the signal comes after the
// first).
TEST_F(CliInterrupt, SigintEndsATuneAfterTheRunningTrialWithItsSummary) {
  ASSERT_EQ(interrupt_after_line({"tune", "--problem", "quadratic", "--algo", "f2ba",
                                  "--max-iters", "100000000", "--time-limit", "1.5", "-G",
                                  "lam=10,20,30,40,50", "--summary", path("s.json")},
                                 "trial 1/5"),
            130)
      << read_file(path("stderr.txt"));
  const auto summary = nlohmann::json::parse(read_file(path("s.json")));
  EXPECT_TRUE(summary["interrupted"].get<bool>());
  EXPECT_EQ(summary["trials_planned"], 5);
  const auto& trials = summary["trials"];
  // The signal may land between two trials: then the second never started.
  ASSERT_GE(trials.size(), 1u);
  ASSERT_LE(trials.size(), 2u);
  EXPECT_EQ(trials[0]["status"], "time_limit");
  EXPECT_EQ(summary["best"], 0);  // the only complete trial
  if (trials.size() == 2) {
    EXPECT_EQ(trials[1]["status"], "interrupted");
    EXPECT_TRUE(trials[1]["score"].is_null());  // a cut-short run does not compete
  }
  EXPECT_NE(read_file(path("stdout.txt")).find("best so far: "), std::string::npos);
  EXPECT_NE(read_file(path("stderr.txt")).find("bilevel: interrupted after " +
                                               std::to_string(trials.size()) + " of 5 trials"),
            std::string::npos)
      << read_file(path("stderr.txt"));
}

// complexity: likewise, and the CSV has one row per run made.
TEST_F(CliInterrupt, SigintEndsAComplexitySweepWithItsOutputs) {
  ASSERT_EQ(interrupt_after_line({"complexity", "--problem", "quadratic", "--algo", "f2ba",
                                  "--sweep", "tol=1e-30:1e-32:3", "--seeds", "2",
                                  "--max-iters", "100000000", "--time-limit", "1.5", "--csv",
                                  path("c.csv"), "--summary", path("s.json")},
                                 "run 1/6"),
            130)
      << read_file(path("stderr.txt"));
  const auto summary = nlohmann::json::parse(read_file(path("s.json")));
  EXPECT_TRUE(summary["interrupted"].get<bool>());
  EXPECT_EQ(summary["runs_planned"], 6);
  const auto& runs = summary["runs"];
  ASSERT_GE(runs.size(), 1u);
  ASSERT_LE(runs.size(), 2u);
  EXPECT_EQ(runs[0]["status"], "time_limit");
  if (runs.size() == 2) EXPECT_EQ(runs[1]["status"], "interrupted");
  EXPECT_EQ(lines_of(read_file(path("c.csv"))).size(), runs.size() + 1);  // header + runs
  EXPECT_NE(read_file(path("stderr.txt")).find("bilevel: interrupted after " +
                                               std::to_string(runs.size()) + " of 6 runs"),
            std::string::npos)
      << read_file(path("stderr.txt"));
}

TEST_F(CliInterrupt, CheckpointEveryNeedsACheckpointFile) {
  ASSERT_EQ(run({"run", "--problem", "quadratic", "--algo", "f2ba", "--checkpoint-every", "5"}), 2);
  EXPECT_NE(read_file(path("stderr.txt")).find("--checkpoint-every needs --checkpoint"),
            std::string::npos);
}

}  // namespace
