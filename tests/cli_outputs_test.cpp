// `bilevel` output flags against docs/cli.md "Output files": what an output path may name,
// what is refused (exit 2, one line, the target left as it was), "-" for the standard output,
// and one file under two names. Permission refusals run the CLI as user `nobody` when the
// suite runs as root (as CI does); they fail, never skip, if root cannot drop its privileges.
// No test writes outside its own scratch folder: /dev/null is only named as a refused target.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"
#include "special_files.hpp"

namespace {

using namespace bilevel::testing::cli;

constexpr uid_t kNobody = 65534;  // Debian's nobody:nogroup
constexpr const char* kDropToNobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups ";

mode_t mode_of(const std::string& p) { return bilevel::testing::file_mode(p); }

class CliOutputsTest : public CliTest {
 protected:
  // The command prefix that makes the CLI run as an unprivileged user: setpriv to nobody when
  // the suite runs as root, nothing otherwise. Fails the test when root cannot drop to nobody.
  std::string unprivileged() {
    if (::geteuid() != 0) return "";
    const std::string probe = path("whoami.txt");
    const int status = std::system((kDropToNobody + std::string("id -u >'") + probe + "'").c_str());
    const std::string uid = read_file(probe);
    fs::remove(probe);
    EXPECT_TRUE(status == 0 && uid == std::to_string(kNobody) + "\n")
        << "cannot drop root privileges with '" << kDropToNobody << "': status " << status
        << ", uid '" << uid << "'";
    use_a_cli_nobody_can_run();
    return kDropToNobody;
  }
  // A build tree in a folder only root may enter (a clone under /root) holds an executable
  // nobody cannot start: run a copy in a folder everyone may enter instead.
  void use_a_cli_nobody_can_run() {
    const std::string can_run = kDropToNobody + std::string("test -x '") + cli_.string() + "'";
    if (std::system(can_run.c_str()) == 0) return;
    cli_dir_ = fs::temp_directory_path() / ("bilevel_cli_for_nobody_" + std::to_string(::getpid()));
    fs::create_directories(cli_dir_);
    fs::permissions(cli_dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    const fs::path copy = cli_dir_ / "bilevel";
    fs::copy_file(cli_, copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    cli_ = copy;
  }
  void TearDown() override {
    CliTest::TearDown();
    if (!cli_dir_.empty()) fs::remove_all(cli_dir_);
  }
  fs::path cli_dir_;
  // Gives `p` to nobody (as root), so that nobody may write it: the refusals tested must then
  // come from the file's mode alone.
  static void give_to_nobody(const std::string& p) {
    if (::geteuid() == 0) ASSERT_EQ(::chown(p.c_str(), kNobody, 65534), 0) << p;
  }
  // The relative-path spellings need a working directory: run from the scratch folder.
  std::string in_dir() const { return "cd '" + dir_.string() + "' && "; }
};

const std::string kQuick = "run --problem quadratic --algo f2ba --max-iters 3";

TEST_F(CliOutputsTest, DevNullIsRefusedAndStaysACharacterDevice) {
  ASSERT_TRUE(S_ISCHR(mode_of("/dev/null")));
  // As nobody: should the check ever break, /dev is not nobody's to change.
  for (const char* flag : {"--trace", "--summary"}) {
    const CliResult r = run(kQuick + " " + flag + " /dev/null", unprivileged());
    expect_bad_input(r);
    EXPECT_TRUE(contains(r.err, "device")) << r.err;
    ASSERT_TRUE(S_ISCHR(mode_of("/dev/null")));
  }
}

TEST_F(CliOutputsTest, ADeviceOfOurOwnIsRefusedEvenForRoot) {
  // As root, a device node in the scratch folder (a twin of /dev/null, major 1 minor 3) shows
  // that the refusal does not rest on permissions.
  if (::geteuid() != 0) GTEST_SKIP() << "creating a device node needs root; see DevNull test";
  const std::string node = path("null");
  ASSERT_EQ(::mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  const CliResult r = run(kQuick + " --trace '" + node + "'");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "device")) << r.err;
  EXPECT_TRUE(S_ISCHR(mode_of(node)));
}

TEST_F(CliOutputsTest, AFifoIsRefusedAndLeftInPlace) {
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
  const CliResult r = run(kQuick + " --trace '" + fifo + "'");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "FIFO")) << r.err;
  EXPECT_TRUE(S_ISFIFO(mode_of(fifo)));
}

TEST_F(CliOutputsTest, ASocketAndADirectoryAreRefused) {
  const std::string socket_path = path("sock");
  const bilevel::testing::BoundSocket socket(socket_path);
  ASSERT_TRUE(socket.bound());
  const CliResult sock = run(kQuick + " --summary '" + socket_path + "'");
  expect_bad_input(sock);
  EXPECT_TRUE(contains(sock.err, "socket")) << sock.err;
  EXPECT_TRUE(S_ISSOCK(mode_of(socket_path)));

  fs::create_directory(path("sub"));
  const CliResult dir = run(kQuick + " --summary '" + path("sub") + "'");
  expect_bad_input(dir);
  EXPECT_TRUE(contains(dir.err, "directory")) << dir.err;
  EXPECT_TRUE(fs::is_directory(path("sub")));
}

TEST_F(CliOutputsTest, ALinkIsFollowedToItsRegularFileAndKept) {
  std::ofstream(path("real.csv")) << "old\n";
  fs::create_symlink("real.csv", path("link.csv"));
  const CliResult r = run(kQuick + " --trace '" + path("link.csv") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(path("link.csv")));
  EXPECT_EQ(first_line(read_file(path("real.csv"))).rfind("iter,", 0), 0u);

  fs::create_symlink("missing.csv", path("dangling.csv"));
  const CliResult dangling = run(kQuick + " --trace '" + path("dangling.csv") + "'");
  expect_bad_input(dangling);
  EXPECT_TRUE(fs::is_symlink(path("dangling.csv")));
  EXPECT_FALSE(fs::exists(path("missing.csv")));
}

TEST_F(CliOutputsTest, ReplacingKeepsThePermissionBits) {
  const std::string file = path("trace.csv");
  std::ofstream(file) << "old\n";
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  const CliResult r = run(kQuick + " --trace '" + file + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_file(file), "old\n");
  EXPECT_EQ(mode_of(file) & 07777, 0640u);
}

TEST_F(CliOutputsTest, AReadOnlyFileInAWritableFolderIsRefusedAndUntouched) {
  const std::string file = path("trace.csv");
  std::ofstream(file) << "precious\n";
  give_to_nobody(dir_.string());
  give_to_nobody(file);
  ASSERT_EQ(::chmod(file.c_str(), 0444), 0);
  const CliResult r = run(kQuick + " --trace '" + file + "'", unprivileged());
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "read-only")) << r.err;
  EXPECT_EQ(read_file(file), "precious\n");
  EXPECT_EQ(mode_of(file) & 07777, 0444u);
  EXPECT_EQ(files_left().size(), 1u);  // no temporary file either
}

TEST_F(CliOutputsTest, AFileInAFolderTheUserCannotWriteIsRefusedAndUntouched) {
  // The file itself is writable by everyone; its folder (root's, 0755 as root, 0555 for other
  // users) is not writable by the CLI's user, so no temporary file can be made beside it.
  const std::string folder = path("locked");
  fs::create_directory(folder);
  const std::string file = folder + "/trace.csv";
  std::ofstream(file) << "precious\n";
  ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
  ASSERT_EQ(::chmod(folder.c_str(), ::geteuid() == 0 ? 0755 : 0555), 0);
  const CliResult r = run(kQuick + " --trace '" + file + "'", unprivileged());
  ::chmod(folder.c_str(), 0755);
  expect_bad_input(r);
  EXPECT_EQ(read_file(file), "precious\n");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(folder)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(CliOutputsTest, DashWritesTheTraceToStandardOutputAndTheReportToStandardError) {
  const CliResult r = run(kQuick + " --trace -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(first_line(r.out).rfind("iter,time_s,", 0), 0u) << r.out;
  // Nothing but CSV rows on stdout: a header and one row per iteration.
  std::size_t lines = 0;
  for (char c : r.out) lines += c == '\n';
  EXPECT_EQ(lines, 1u + 4u) << r.out;
  EXPECT_TRUE(contains(r.err, "max_iterations after 3")) << r.err;  // the report went to stderr
  EXPECT_FALSE(fs::exists(path("-")));
}

TEST_F(CliOutputsTest, DashWritesTheSummaryOfRunTuneAndComplexity) {
  const CliResult run_summary = run(kQuick + " --summary -");
  ASSERT_EQ(run_summary.exit_code, 0) << run_summary.err;
  EXPECT_NO_THROW((void)nlohmann::json::parse(run_summary.out)) << run_summary.out;

  const CliResult tune =
      run("tune --problem quadratic --algo f2ba -G eta=1e-2,1e-1 --max-iters 3 --summary -");
  ASSERT_EQ(tune.exit_code, 0) << tune.err;
  EXPECT_NO_THROW((void)nlohmann::json::parse(tune.out)) << tune.out;
  EXPECT_TRUE(contains(tune.err, "best:")) << tune.err;

  const std::string sweep =
      "complexity --problem quadratic --algo aid-cg --sweep tol=1e-2,1e-3 --max-iters 50 ";
  const CliResult csv = run(sweep + "--csv -");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_FALSE(contains(csv.out, "fit:")) << csv.out;
  EXPECT_TRUE(contains(csv.err, "fit:")) << csv.err;
  std::size_t lines = 0;
  for (char c : csv.out) lines += c == '\n';
  EXPECT_EQ(lines, 3u) << csv.out;  // a header and two runs

  const CliResult json = run(sweep + "--summary - --csv '" + path("c.csv") + "'");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NO_THROW((void)nlohmann::json::parse(json.out)) << json.out;
}

TEST_F(CliOutputsTest, TwoOutputsCannotBothBeDash) {
  const CliResult r = run(kQuick + " --trace - --summary -");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "standard output")) << r.err;
  const CliResult c =
      run("complexity --problem quadratic --algo aid-cg --sweep tol=1e-2,1e-3 --csv - --summary -");
  expect_bad_input(c);
  const CliResult plot =
      run("complexity --problem quadratic --algo aid-cg --sweep tol=1e-2,1e-3 --plot -");
  expect_bad_input(plot);
  EXPECT_TRUE(contains(plot.err, "--plot")) << plot.err;
}

TEST_F(CliOutputsTest, OneFileUnderTwoSpellingsIsRefusedBeforeAnyRun) {
  fs::create_directory(path("sub"));
  for (const char* second : {"./t.csv", "sub/../t.csv", "t.csv"}) {
    const CliResult r = run(kQuick + " --trace t.csv --summary " + second, in_dir());
    expect_bad_input(r);
    EXPECT_TRUE(contains(r.err, "both name")) << second << ": " << r.err;
    EXPECT_FALSE(fs::exists(path("t.csv"))) << second;
  }
  std::ofstream(path("t.csv")) << "old\n";
  fs::create_symlink("t.csv", path("link.csv"));
  const CliResult link = run(kQuick + " --trace t.csv --summary link.csv", in_dir());
  expect_bad_input(link);
  EXPECT_EQ(read_file(path("t.csv")), "old\n");

  const CliResult sweep =
      run("complexity --problem quadratic --algo aid-cg --sweep tol=1e-2,1e-3 --csv same.out "
          "--summary ./same.out",
          in_dir());
  expect_bad_input(sweep);
  EXPECT_TRUE(contains(sweep.err, "--csv and --summary both name")) << sweep.err;
}

}  // namespace
