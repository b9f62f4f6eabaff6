// The trace CSV contract (header, empty fields for unknown values, exact doubles) and the
// atomic write behind it (a failed write leaves an existing file as it was).
#include "bilevel/io/trace_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"

namespace bilevel {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeader =
    "iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,hypergrad_norm";

// A fresh directory per test, removed afterwards.
class TraceWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bilevel_trace_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Splits one CSV line (no quoting in numeric rows).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    out.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

IterRecord record(Index iter, double phi, double norm) {
  IterRecord r;
  r.iter = iter;
  r.time_s = 0.5 * static_cast<double>(iter);
  r.phi = phi;
  r.hypergrad_norm = norm;
  return r;
}

// Two records with distinct values.
Trace small_trace() {
  Trace t;
  t.records.push_back(record(0, 2.0, 1.0));
  t.records.push_back(record(1, 1.5, 0.5));
  return t;
}

TEST_F(TraceWriterTest, HeaderIsExactlyTheContractColumns) {
  EXPECT_EQ(trace_csv_header(Trace{}), kHeader);
  EXPECT_EQ(lines(trace_csv(small_trace())).front(), kHeader);
}

TEST_F(TraceWriterTest, HeaderAppendsMetricNamesInOrder) {
  Trace t;
  t.metric_names = {"val_loss", "val_acc", "test_acc"};
  EXPECT_EQ(trace_csv_header(t), std::string(kHeader) + ",val_loss,val_acc,test_acc");
}

TEST_F(TraceWriterTest, NoMinEigColumnUnlessTheTraceHasIt) {
  Trace t = small_trace();
  t.metric_names = {"val_loss"};
  t.records[0].min_eig = -1.0;  // a value alone does not make the column
  EXPECT_EQ(trace_csv_header(t), std::string(kHeader) + ",val_loss");
  EXPECT_EQ(fields(lines(trace_csv(t))[1]).size(), 9u);
}

TEST_F(TraceWriterTest, MinEigColumnSitsBetweenHypergradNormAndTheMetrics) {
  Trace t = small_trace();
  t.has_min_eig = true;
  t.metric_names = {"val_loss", "val_acc"};
  t.records[0].min_eig = -2.0 / 3.0;
  t.records[0].metrics = {0.25, 0.75};
  t.records[1].metrics = {0.125, 0.5};  // min_eig unknown (NaN) here
  const auto rows = lines(trace_csv(t));
  EXPECT_EQ(rows[0], std::string(kHeader) + ",min_eig,val_loss,val_acc");
  const auto first = fields(rows[1]), second = fields(rows[2]);
  ASSERT_EQ(first.size(), 11u);
  EXPECT_EQ(first[6], "2");  // phi and hypergrad_norm stay in place
  EXPECT_EQ(first[7], "1");
  EXPECT_EQ(std::strtod(first[8].c_str(), nullptr), -2.0 / 3.0) << first[8];
  EXPECT_EQ(first[9], "0.25");
  EXPECT_EQ(first[10], "0.75");
  ASSERT_EQ(second.size(), 11u);
  EXPECT_EQ(second[8], "");
  EXPECT_EQ(second[9], "0.125");
}

TEST_F(TraceWriterTest, OneRowPerRecord) {
  const auto rows = lines(trace_csv(small_trace()));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(fields(rows[1]).front(), "0");
  EXPECT_EQ(fields(rows[2]).front(), "1");
}

TEST_F(TraceWriterTest, CountsAreTotalsOverBothLevels) {
  Trace t;
  IterRecord r = record(3, 1.0, 1.0);
  r.counts.f = {.value = 1, .grad = 2, .hvp = 3, .hess = 4, .samples = 50};
  r.counts.g = {.value = 10, .grad = 20, .hvp = 30, .hess = 40, .samples = 500};
  t.records.push_back(r);
  const auto row = fields(lines(trace_csv(t))[1]);
  ASSERT_EQ(row.size(), 8u);
  EXPECT_EQ(row[2], "22");   // grad_calls
  EXPECT_EQ(row[3], "33");   // hvp_calls
  EXPECT_EQ(row[4], "44");   // hess_calls
  EXPECT_EQ(row[5], "550");  // samples
}

TEST_F(TraceWriterTest, NanIsAnEmptyField) {
  Trace t;
  t.metric_names = {"val_loss"};
  IterRecord r = record(1, std::nan(""), std::nan(""));
  r.metrics = {std::nan("")};
  t.records.push_back(r);
  const auto row = fields(lines(trace_csv(t))[1]);
  ASSERT_EQ(row.size(), 9u);
  EXPECT_EQ(row[6], "");
  EXPECT_EQ(row[7], "");
  EXPECT_EQ(row[8], "");
}

TEST_F(TraceWriterTest, MissingMetricsAreEmptyFields) {
  Trace t;
  t.metric_names = {"val_loss", "val_acc"};
  IterRecord r = record(1, 1.0, 1.0);
  r.metrics = {0.25};
  t.records.push_back(r);
  const auto row = fields(lines(trace_csv(t))[1]);
  ASSERT_EQ(row.size(), 10u);
  EXPECT_EQ(row[8], "0.25");
  EXPECT_EQ(row[9], "");
}

TEST_F(TraceWriterTest, DoublesRoundTripExactly) {
  const std::vector<double> values = {0.1 + 0.2,     1.0 / 3.0,  std::numbers::pi * 1e-300,
                                      6.02214076e23, -2.0 / 7.0, 5e-324};
  Trace t;
  for (std::size_t i = 0; i < values.size(); ++i) {
    IterRecord r = record(static_cast<Index>(i), values[i], values[values.size() - 1 - i]);
    r.time_s = values[i];
    t.records.push_back(r);
  }
  const auto rows = lines(trace_csv(t));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto row = fields(rows[i + 1]);
    EXPECT_EQ(std::strtod(row[1].c_str(), nullptr), values[i]) << row[1];
    EXPECT_EQ(std::strtod(row[6].c_str(), nullptr), values[i]) << row[6];
    EXPECT_EQ(std::strtod(row[7].c_str(), nullptr), values[values.size() - 1 - i]) << row[7];
  }
}

TEST_F(TraceWriterTest, WritesTheFileAndLeavesNoTemporary) {
  const std::string file = path("trace.csv");
  write_trace_csv(small_trace(), file);
  EXPECT_EQ(read_file(file), trace_csv(small_trace()));
  EXPECT_FALSE(fs::exists(temporary_path_for(file)));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(TraceWriterTest, ReplacesAnExistingFile) {
  const std::string file = path("trace.csv");
  write_text(file, "old contents that are longer than the new trace ......................\n");
  write_trace_csv(small_trace(), file);
  EXPECT_EQ(read_file(file), trace_csv(small_trace()));
}

TEST_F(TraceWriterTest, MissingDirectoryGivesOneLineNamingTheFile) {
  const std::string file = path("no/such/dir/trace.csv");
  try {
    write_trace_csv(small_trace(), file);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("cannot write trace file '" + file + "': ", 0), 0u) << msg;
    EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_FALSE(fs::exists(path("no")));
}

// A failure injected where root cannot override it: the temporary file's name is taken by a
// directory, so the temporary cannot be created.
TEST_F(TraceWriterTest, FailedWriteLeavesTheOldFileIntact) {
  const std::string file = path("trace.csv");
  write_text(file, "precious\n");
  fs::create_directory(temporary_path_for(file));
  EXPECT_THROW(write_trace_csv(small_trace(), file), InvalidInput);
  EXPECT_EQ(read_file(file), "precious\n");
}

TEST_F(TraceWriterTest, ReadOnlyDirectoryLeavesTheOldFileIntact) {
  const std::string file = path("trace.csv");
  write_text(file, "precious\n");
  // Readable by everyone, writable by no one: root ignores that, so when the suite runs as
  // root (as CI does) the attempt is made by a child process that drops to user 'nobody'.
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                            fs::perms::others_exec);
  fs::permissions(file, fs::perms::others_read, fs::perm_options::add);
  auto attempt = [&]() -> int {  // 0: refused cleanly and the old file is intact
    bool write_refused = false, check_refused = false;
    try {
      write_trace_csv(small_trace(), file);
    } catch (const InvalidInput&) {
      write_refused = true;
    }
    try {
      check_writable(file, "trace file");
    } catch (const InvalidInput&) {
      check_refused = true;
    }
    return (write_refused ? 0 : 1) | (check_refused ? 0 : 2) | (read_file(file) == "precious\n" ? 0 : 4);
  };
  if (::geteuid() != 0) {
    EXPECT_EQ(attempt(), 0);
    return;
  }
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const bool dropped = ::setgid(65534) == 0 && ::setuid(65534) == 0;
    ::_exit(dropped ? attempt() : 8);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: write not refused, 2: check not refused, "
                                       "4: old file changed, 8: could not drop privileges";
  EXPECT_EQ(read_file(file), "precious\n");
}

TEST_F(TraceWriterTest, CheckWritableTouchesNothing) {
  const std::string file = path("trace.csv");
  check_writable(file, "trace file");
  EXPECT_FALSE(fs::exists(file));
  write_text(file, "precious\n");
  check_writable(file, "trace file");
  EXPECT_EQ(read_file(file), "precious\n");
  EXPECT_FALSE(fs::exists(temporary_path_for(file)));
}

TEST_F(TraceWriterTest, CheckWritableRejectsADirectory) {
  EXPECT_THROW(check_writable(dir_.string(), "trace file"), InvalidInput);
}

}  // namespace
}  // namespace bilevel
