// The `bilevel` executable run as a user would: a fixture that runs the built CLI in a scratch
// directory of its own and captures its exit code, standard output and standard error.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef BILEVEL_CLI_PATH
#error "BILEVEL_CLI_PATH must name the built bilevel executable (CMakeLists.txt)"
#endif

namespace bilevel::testing::cli {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs the CLI in a fresh scratch directory per test; stdout and stderr go to files there.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("bilevel_cli_test_" + std::to_string(::getpid()) + "_" +
                                        info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path cli_ = BILEVEL_CLI_PATH;  // the executable run() starts

  // `args` is appended to the command line as is (the test controls every character of it);
  // `env` (e.g. "VAR='value' ") is put before the command, to set variables for that run.
  CliResult run(const std::string& args, const std::string& env = "") const {
    const fs::path out = dir_ / "stdout.txt";
    const fs::path err = dir_ / "stderr.txt";
    const std::string cmd = env + "'" + cli_.string() + "' " + args + " >'" + out.string() +
                            "' 2>'" + err.string() + "' </dev/null";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    fs::remove(out);
    fs::remove(err);
    return r;
  }

  // Files the run left in the scratch directory (stdout/stderr captures excluded).
  std::vector<std::string> files_left() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    return names;
  }

  fs::path dir_;
};

// Bad input: exit code 2 and exactly one stderr line starting with "bilevel: error: ".
inline void expect_bad_input(const CliResult& r) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("bilevel: error: ", 0), 0u) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
}

inline const std::string kQuickRun = "run --problem quadratic --algo f2ba --max-iters 5";

}  // namespace bilevel::testing::cli
