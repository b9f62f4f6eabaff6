// --x0, --y0, --save-x, --save-y, --save-every / --save-history through the CLI: a saved point
// read back as a starting point is the same point bit for bit, a history holds the iterates
// asked for, and bad files or flag combinations are refused before anything runs.
#include "cli_support.hpp"

namespace bilevel::testing::cli {
namespace {

class CliVectorFiles : public CliTest {};

const std::string kRun = "run --problem quadratic --algo f2ba --quiet ";

TEST_F(CliVectorFiles, SavedIteratesStartTheNextRunBitForBit) {
  for (const auto& [xname, yname] : {std::pair{"x.npy", "y.txt"}, std::pair{"x.txt", "y.npy"}}) {
    ASSERT_EQ(run(kRun + "--max-iters 20 --save-x " + path(xname) + " --save-y " + path(yname))
                  .exit_code,
              0);
    // --tol 1e300 stops at iteration 0: the final iterate is the starting point.
    const CliResult again =
        run(kRun + "--tol 1e300 --x0 " + path(xname) + " --y0 " + path(yname) + " --save-x " +
            path(std::string("again_") + xname) + " --save-y " + path(std::string("again_") + yname));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(read_file(path(xname)), read_file(path(std::string("again_") + xname))) << xname;
    EXPECT_EQ(read_file(path(yname)), read_file(path(std::string("again_") + yname))) << yname;
    // And the run really started there: phi at iteration 0 is that of the saved point, not
    // of the problem's initial point.
  }
  const CliResult fresh = run(kRun + "--tol 1e300 --trace " + path("fresh.csv"));
  const CliResult from = run(kRun + "--tol 1e300 --x0 " + path("x.npy") + " --trace " +
                             path("from.csv"));
  ASSERT_EQ(from.exit_code, 0) << from.err;
  EXPECT_NE(read_file(path("fresh.csv")), read_file(path("from.csv")));
}

TEST_F(CliVectorFiles, HistoryHoldsEveryNthIterateAndTheLast) {
  const CliResult r = run(kRun + "--max-iters 25 --save-every 10 --save-history " + path("h.csv") +
                          " --save-x " + path("x.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(read_file(path("h.csv")));
  std::string line;
  std::vector<std::string> first_fields;
  std::string last;
  while (std::getline(lines, line)) {
    first_fields.push_back(line.substr(0, line.find(',')));
    last = line;
  }
  EXPECT_EQ(first_fields, (std::vector<std::string>{"iter", "0", "10", "20", "25"}));
  // The last row is the final x, the same numbers --save-x wrote.
  std::string saved = read_file(path("x.txt"));
  std::replace(saved.begin(), saved.end(), '\n', ',');
  saved.pop_back();
  EXPECT_EQ(last, "25," + saved);
}

TEST_F(CliVectorFiles, BadFilesAndCombinationsAreRefusedBeforeTheRun) {
  std::ofstream(path("short.txt")) << "1\n2\n";
  CliResult r = run(kRun + "--x0 " + path("short.txt") + " --trace " + path("t.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "bilevel: error: --x0 file '" + path("short.txt") +
                       "' has 2 values; the problem's x has dimension 20\n");
  EXPECT_FALSE(fs::exists(path("t.csv")));
  std::ofstream(path("bad.txt")) << "1\nfoo\n";
  r = run(kRun + "--y0 " + path("bad.txt"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "bad.txt:2: 'foo' is not a number")) << r.err;
  r = run(kRun + "--save-every 10");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--save-every N and --save-history FILE go together")) << r.err;
  r = run(kRun + "--log-every 4 --save-every 10 --save-history " + path("h.npy"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "must be a multiple of --log-every 4")) << r.err;
  r = run(kRun + "--save-x " + path("same") + " --save-y " + path("same"));
  EXPECT_EQ(r.exit_code, 2);
  r = run(kRun + "--x0 " + path("short.txt") + " --resume " + path("ck.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--x0 and --y0 start a new run")) << r.err;
  EXPECT_FALSE(fs::exists(path("h.npy")));
  EXPECT_FALSE(fs::exists(path("same")));
}

}  // namespace
}  // namespace bilevel::testing::cli
