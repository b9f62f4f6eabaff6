// Output files that never clobber what they should not (include/bilevel/io/atomic_file.hpp,
// output_files.hpp): what may be replaced, what is refused and left as it was, links, the
// standard output, and one file under several names. Permission refusals that depend on the
// user (a folder the user cannot write) are tested through the CLI as user nobody
// (cli_outputs_test.cpp).
#include "bilevel/io/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/io/output_files.hpp"
#include "special_files.hpp"

namespace bilevel {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bilevel_atomic_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  static void write(const std::string& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  // The error message of a refused write, after checking that check_writable refuses too.
  static std::string refusal(const std::string& p) {
    EXPECT_THROW(check_writable(p, "trace file"), InvalidInput);
    try {
      write_file_atomically(p, "new\n", "trace file");
    } catch (const InvalidInput& e) {
      return e.what();
    }
    ADD_FAILURE() << "'" << p << "' was written";
    return "";
  }
  // Only the listed names are left in the folder: no temporary file stays behind.
  std::size_t entries() const {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++n;
    return n;
  }
  static mode_t mode_of(const std::string& p) { return testing::file_mode(p); }

  fs::path dir_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(AtomicFileTest, WritesANewFileAndReplacesARegularOne) {
  const std::string file = path("out.csv");
  write_file_atomically(file, "first\n");
  EXPECT_EQ(read(file), "first\n");
  write_file_atomically(file, "second\n");
  EXPECT_EQ(read(file), "second\n");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, KeepsThePermissionBitsOfTheReplacedFile) {
  for (const mode_t mode : {0600, 0640, 0664, 0755}) {
    const std::string file = path("out.csv");
    write(file, "old\n");
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    write_file_atomically(file, "new\n");
    EXPECT_EQ(read(file), "new\n");
    EXPECT_EQ(mode_of(file) & 07777, mode) << std::oct << mode;
  }
}

TEST_F(AtomicFileTest, RefusesAReadOnlyFileAndLeavesItIntact) {
  // Refused for every user, root included: no write bit says "do not replace".
  const std::string file = path("out.csv");
  write(file, "precious\n");
  ASSERT_EQ(::chmod(file.c_str(), 0444), 0);
  EXPECT_TRUE(contains(refusal(file), "read-only"));
  EXPECT_EQ(read(file), "precious\n");
  EXPECT_EQ(mode_of(file) & 07777, 0444u);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, RefusesADirectory) {
  fs::create_directory(path("sub"));
  EXPECT_TRUE(contains(refusal(path("sub")), "directory"));
  EXPECT_TRUE(fs::is_directory(path("sub")));
}

TEST_F(AtomicFileTest, RefusesAFifoAndLeavesIt) {
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  EXPECT_TRUE(contains(refusal(fifo), "FIFO"));
  EXPECT_TRUE(S_ISFIFO(mode_of(fifo)));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, RefusesASocketAndLeavesIt) {
  const std::string socket_path = path("socket");
  const testing::BoundSocket socket(socket_path);
  ASSERT_TRUE(socket.bound());
  EXPECT_TRUE(contains(refusal(socket_path), "socket"));
  EXPECT_TRUE(S_ISSOCK(mode_of(socket_path)));
}

TEST_F(AtomicFileTest, RefusesADeviceWithoutTouchingIt) {
  // /dev/null is only looked at (lstat): the refusal comes before any file is created.
  ASSERT_TRUE(S_ISCHR(mode_of("/dev/null")));
  EXPECT_TRUE(contains(refusal("/dev/null"), "device"));
  EXPECT_TRUE(S_ISCHR(mode_of("/dev/null")));
}

TEST_F(AtomicFileTest, WritesThroughALinkToARegularFileAndKeepsTheLink) {
  const std::string file = path("real.csv"), link = path("link.csv");
  write(file, "old\n");
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  fs::create_symlink("real.csv", link);
  write_file_atomically(link, "new\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "real.csv");
  EXPECT_EQ(read(file), "new\n");
  EXPECT_EQ(mode_of(file) & 07777, 0640u);
  EXPECT_EQ(entries(), 2u);
}

TEST_F(AtomicFileTest, RefusesALinkToAMissingFileOrToAFifo) {
  const std::string dangling = path("dangling.csv");
  fs::create_symlink("missing.csv", dangling);
  EXPECT_TRUE(contains(refusal(dangling), "missing"));
  EXPECT_TRUE(fs::is_symlink(dangling));
  EXPECT_FALSE(fs::exists(path("missing.csv")));

  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0644), 0);
  fs::create_symlink("fifo", path("to_fifo"));
  EXPECT_TRUE(contains(refusal(path("to_fifo")), "FIFO"));
  EXPECT_TRUE(fs::is_symlink(path("to_fifo")));
  EXPECT_TRUE(S_ISFIFO(mode_of(path("fifo"))));
}

TEST_F(AtomicFileTest, NeverWritesThroughALinkPlantedAtTheTemporaryName) {
  const std::string file = path("out.csv"), victim = path("victim");
  write(victim, "precious\n");
  fs::create_symlink(victim, temporary_path_for(file));
  EXPECT_THROW(write_file_atomically(file, "new\n"), InvalidInput);
  EXPECT_EQ(read(victim), "precious\n");
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(AtomicFileTest, ReplacesAStaleTemporaryFileOfItsOwn) {
  const std::string file = path("out.csv");
  write(temporary_path_for(file), "left by a crash\n");
  write_file_atomically(file, "new\n");
  EXPECT_EQ(read(file), "new\n");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, RefusesAMissingDirectory) {
  EXPECT_TRUE(contains(refusal(path("none/out.csv")), "does not exist"));
  EXPECT_THROW(write_file_atomically("", "x"), InvalidInput);
}

TEST_F(AtomicFileTest, DashWritesToTheStandardOutput) {
  check_writable("-", "trace file");
  ::testing::internal::CaptureStdout();
  write_file_atomically("-", "a,b\n1,2\n", "trace file");
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "a,b\n1,2\n");
  EXPECT_FALSE(fs::exists("-"));
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AtomicFileTest, CanonicalPathsAgreeOnEverySpellingOfOneFile) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  fs::create_directory("sub");
  // A new file, spelt four ways.
  const std::string t = canonical_output_path("t.csv");
  EXPECT_EQ(canonical_output_path("./t.csv"), t);
  EXPECT_EQ(canonical_output_path("sub/../t.csv"), t);
  EXPECT_EQ(canonical_output_path(path("t.csv")), t);
  EXPECT_NE(canonical_output_path("sub/t.csv"), t);
  // The same once it exists, and a link to it.
  write("t.csv", "x");
  EXPECT_EQ(canonical_output_path("./t.csv"), t);
  fs::create_symlink("t.csv", "link.csv");
  EXPECT_EQ(canonical_output_path("link.csv"), t);
  EXPECT_EQ(canonical_output_path("-"), "-");
  EXPECT_NE(canonical_output_path("./-"), "-");
  fs::current_path(cwd);
}

TEST_F(AtomicFileTest, OutputFilesMustNameDifferentFiles) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  auto refused = [](const std::string& a, const std::string& b) {
    try {
      check_output_files({{"--trace", a, "trace file"}, {"--summary", b, "summary file"}});
    } catch (const InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  fs::create_directory("sub");
  EXPECT_TRUE(contains(refused("t.csv", "./t.csv"), "--trace and --summary both name"));
  EXPECT_TRUE(contains(refused("t.csv", "sub/../t.csv"), "both name"));
  EXPECT_TRUE(contains(refused("-", "-"), "standard output"));
  write("t.csv", "x");
  fs::create_symlink("t.csv", "link.csv");
  fs::create_hard_link("t.csv", "hard.csv");
  EXPECT_TRUE(contains(refused("link.csv", "t.csv"), "both name"));
  EXPECT_TRUE(contains(refused("hard.csv", "t.csv"), "both name"));
  EXPECT_EQ(refused("t.csv", "s.json"), "");
  EXPECT_EQ(refused("-", "s.json"), "");
  EXPECT_EQ(refused("", ""), "");  // neither requested
  EXPECT_TRUE(contains(refused("t.csv", "sub"), "directory"));
  EXPECT_FALSE(fs::exists("s.json"));  // checking creates nothing
  fs::current_path(cwd);
}

TEST_F(AtomicFileTest, OutputFilesKnowWhenOneIsTheStandardOutput) {
  EXPECT_TRUE(writes_standard_output({{"--trace", "", "trace file"}, {"--summary", "-", "x"}}));
  EXPECT_FALSE(writes_standard_output({{"--trace", "t.csv", "trace file"}, {"--summary", "", ""}}));
}

}  // namespace
}  // namespace bilevel
