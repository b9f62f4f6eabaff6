// The `bilevel` executable against its contract (DESIGN.md section 7, docs/cli.md): exit
// codes, one-line errors, the trace header, the summary keys, and output files that are
// never created or damaged by a failed run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kTraceHeader =
    "iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,hypergrad_norm";

using namespace bilevel::testing::cli;

TEST_F(CliTest, ListNamesAllFiveHypergradientAndPenaltyMethods) {
  const CliResult r = run("list algorithms");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"f2ba", "f2sa", "aid-cg", "aid-ns", "itd"})
    EXPECT_TRUE(contains(r.out, "\n  " + std::string(name) + "  ")) << name << " missing:\n"
                                                                    << r.out;
}

TEST_F(CliTest, ListWithoutArgumentShowsAlgorithmsAndProblemsWithOptions) {
  const CliResult r = run("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "\n  f2ba  ")) << r.out;
  EXPECT_TRUE(contains(r.out, "\n  quadratic  ")) << r.out;
  EXPECT_TRUE(contains(r.out, "    K=10")) << r.out;  // an algorithm option with its default
  EXPECT_TRUE(contains(r.out, "    dx=")) << r.out;   // a problem option
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(CliTest, ListRejectsAnUnknownCategory) {
  const CliResult r = run("list colors");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "colors")) << r.err;
}

TEST_F(CliTest, VersionAndHelpSucceed) {
  const CliResult version = run("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("bilevel ", 0), 0u) << version.out;

  const CliResult help = run("run --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--problem", "--algo", "-P", "-A", "--seed", "--max-iters",
                           "--max-oracle-calls", "--time-limit", "--tol", "--log-every",
                           "--no-diagnostics", "--trace", "--summary", "--quiet"})
    EXPECT_TRUE(contains(help.out, flag)) << flag;
}

TEST_F(CliTest, ReportFlagPrintsTheFullReport) {
  const CliResult r = run(kQuickRun + " --report");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"Run report", "f2ba", "Options (resolved)", "Oracle calls",
                           "Time (seconds)", "inner_steps"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r.out;
  EXPECT_FALSE(contains(run(kQuickRun).out, "Run report"));  // one line without it
}

TEST_F(CliTest, MissingCommandIsBadInput) { expect_bad_input(run("")); }

TEST_F(CliTest, UnknownFlagIsBadInput) {
  const CliResult r = run(kQuickRun + " --bogus");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "--bogus")) << r.err;
}

TEST_F(CliTest, RunWritesTraceWithContractHeaderAndSummaryWithRequiredKeys) {
  const std::string trace = path("t.csv");
  const std::string summary = path("s.json");
  const CliResult r = run(kQuickRun + " --trace '" + trace + "' --summary '" + summary + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "max_iterations")) << r.out;  // the brief report

  const std::string csv = read_file(trace);
  EXPECT_EQ(first_line(csv), kTraceHeader);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;  // header + iterations 0..5

  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  for (const char* key :
       {"algo", "problem", "status", "message", "iters", "time_s", "grad_calls", "hvp_calls",
        "hess_calls", "value_calls", "samples", "phi", "hypergrad_norm", "counts", "options",
        "problem_options", "seed", "stopping", "peak_rss_mb"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["algo"], "f2ba");
  EXPECT_EQ(s["problem"], "quadratic");
  EXPECT_EQ(s["status"], "max_iterations");
  EXPECT_EQ(s["iters"], 5);
  EXPECT_EQ(s["stopping"]["max_iters"], 5);
  EXPECT_TRUE(s["options"].contains("K"));
  EXPECT_TRUE(s["problem_options"].contains("dx"));
  EXPECT_EQ(s["grad_calls"].get<long long>(),
            s["counts"]["f"]["grad"].get<long long>() + s["counts"]["g"]["grad"].get<long long>());
  EXPECT_GT(s["peak_rss_mb"].get<double>(), 0.0);

  // Only the two outputs: no temporary files left behind.
  auto left = files_left();
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"s.json", "t.csv"}));
}

// Field `index` of CSV line `line` (numeric rows: no quoting).
std::string csv_field(const std::string& line, std::size_t index) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < index; ++i) start = line.find(',', start) + 1;
  return line.substr(start, line.find(',', start) - start);
}

TEST_F(CliTest, MinEigAddsItsColumnAndSummaryFieldOnlyWhenAsked) {
  // saddle starts at its strict saddle x = 0, where lambda_min(Hess phi) = -w pi^2 c^2 = -pi^2
  // with the defaults.
  const std::string trace = path("t.csv"), summary = path("s.json");
  const std::string base = "run --problem saddle --algo f2ba --max-iters 2 --trace '" + trace +
                           "' --summary '" + summary + "'";
  const CliResult r = run(base + " --min-eig");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "lambda_min(Hess phi) = -9.870e+00")) << r.out;
  const std::string csv = read_file(trace);
  EXPECT_EQ(first_line(csv), std::string(kTraceHeader) + ",min_eig");
  const std::string row0 = first_line(csv.substr(csv.find('\n') + 1));
  const double pi2 = std::numbers::pi * std::numbers::pi;
  EXPECT_NEAR(std::stod(csv_field(row0, 8)), -pi2, 1e-12) << row0;
  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  ASSERT_TRUE(s.contains("min_eig"));
  EXPECT_TRUE(s["min_eig"].is_number()) << s["min_eig"];

  const CliResult plain = run(base);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(first_line(read_file(trace)), kTraceHeader);
  EXPECT_FALSE(nlohmann::json::parse(read_file(summary)).contains("min_eig"));
  EXPECT_FALSE(contains(plain.out, "lambda_min")) << plain.out;
}

TEST_F(CliTest, MinEigComesBeforeTheProblemMetricsAndIsEmptyWhenUnknown) {
  // nasty reports its hypergradient as unknown, so its Hessian is unknown too.
  const std::string trace = path("t.csv"), summary = path("s.json");
  const CliResult r = run(
      "run --problem nasty --algo prox-f2sa -A lam0=1 -A lam_max=2 -A regime=none "
      "--max-iters 2 --min-eig --trace '" + trace + "' --summary '" + summary + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string csv = read_file(trace);
  EXPECT_EQ(first_line(csv),
            std::string(kTraceHeader) + ",min_eig,dist_solution,ll_gap,box_violation");
  const std::string row0 = first_line(csv.substr(csv.find('\n') + 1));
  EXPECT_EQ(csv_field(row0, 8), "") << row0;
  EXPECT_NE(csv_field(row0, 9), "") << row0;
  EXPECT_TRUE(nlohmann::json::parse(read_file(summary))["min_eig"].is_null());
}

TEST_F(CliTest, MinEigWithoutDiagnosticsIsBadInput) {
  const CliResult r = run(kQuickRun + " --min-eig --no-diagnostics");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "--min-eig needs the diagnostics")) << r.err;
}

TEST_F(CliTest, QuietPrintsNothing) {
  const CliResult r = run(kQuickRun + " --quiet");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(CliTest, UnknownAlgorithmIsBadInputNamingItAndTheKnownOnes) {
  const CliResult r = run("run --problem quadratic --algo no-such-method");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "no-such-method")) << r.err;
  EXPECT_TRUE(contains(r.err, "f2ba")) << r.err;
}

TEST_F(CliTest, UnknownProblemIsBadInput) {
  const CliResult r = run("run --problem no-such-problem --algo f2ba");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "no-such-problem")) << r.err;
}

TEST_F(CliTest, InvalidAlgorithmOptionValueNamesTheOption) {
  const CliResult r = run(kQuickRun + " -A K=0");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "K")) << r.err;
}

TEST_F(CliTest, UnparsableProblemOptionIsBadInput) {
  const CliResult r = run(kQuickRun + " -P dx=abc");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "dx")) << r.err;
}

TEST_F(CliTest, OptionWithoutEqualsSignIsBadInput) {
  const CliResult r = run(kQuickRun + " -A K");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "key=value")) << r.err;
}

TEST_F(CliTest, BadStoppingFlagsAreBadInput) {
  expect_bad_input(run(kQuickRun + " --max-iters 0"));
  expect_bad_input(run(kQuickRun + " --max-iters abc"));
  expect_bad_input(run(kQuickRun + " --tol -1"));
  expect_bad_input(run(kQuickRun + " --seed -1"));
  expect_bad_input(run(kQuickRun + " --max-iters 99999999999999999999"));  // overflow
  expect_bad_input(run(kQuickRun + " --log-every 2.5"));
}

TEST_F(CliTest, IntegerFlagsAcceptExponentForm) {
  const std::string summary = path("s.json");
  const CliResult r =
      run("run --problem quadratic --algo f2ba --max-iters 4e0 --log-every 2 "
          "--summary '" +
          summary + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  EXPECT_EQ(s["iters"], 4);
  EXPECT_EQ(s["log_every"], 2);
}

TEST_F(CliTest, UnwritableTracePathFailsBeforeRunningAndCreatesNothing) {
  const CliResult r =
      run(kQuickRun + " --trace /nonexistent/dir/t.csv --summary '" + path("s.json") + "'");
  expect_bad_input(r);
  EXPECT_TRUE(contains(r.err, "/nonexistent/dir/t.csv")) << r.err;
  EXPECT_TRUE(r.out.empty()) << "the run should not have started: " << r.out;
  EXPECT_FALSE(fs::exists("/nonexistent/dir/t.csv"));
  EXPECT_TRUE(files_left().empty());  // not even the summary
}

TEST_F(CliTest, ExistingTraceIsLeftIntactWhenTheRunFailsOnBadInput) {
  const std::string trace = path("t.csv");
  std::ofstream(trace) << "previous results\n";
  for (const std::string& bad :
       {std::string(" --algo no-such-method"), std::string(" -A K=0"), std::string(" -P dx=abc")}) {
    const CliResult r =
        run("run --problem quadratic --algo f2ba --max-iters 5 --trace '" + trace + "'" + bad);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_EQ(read_file(trace), "previous results\n") << bad;
  }
  EXPECT_EQ(files_left(), std::vector<std::string>{"t.csv"});
}

TEST_F(CliTest, SameFileForTraceAndSummaryIsBadInput) {
  const std::string file = path("out");
  expect_bad_input(run(kQuickRun + " --trace '" + file + "' --summary '" + file + "'"));
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(CliTest, DivergenceExitsWithThree) {
  const std::string summary = path("s.json");
  const CliResult r =
      run("run --problem quadratic --algo f2ba -A eta=1e10 --max-iters 1000 --summary '" + summary +
          "'");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  EXPECT_EQ(s["status"], "diverged");
}

// Every name of the catalog, as an entry line "  NAME  description".
TEST_F(CliTest, ListDatasetsPrintsEveryCatalogName) {
  const CliResult r = run("list datasets");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out.rfind("Datasets (", 0), 0u) << r.out;
  for (const char* name :
       {"australian", "breast-cancer", "heart", "diabetes", "a9a", "fashion-mnist", "mnist",
        "synthetic-text", "libsvm:PATH", "csv:PATH", "idx:PREFIX"})
    EXPECT_TRUE(contains(r.out, "\n  " + std::string(name) + "  ")) << name << " missing:\n"
                                                                    << r.out;
  // The shipped sets are in the source tree's data/, so they are available.
  EXPECT_TRUE(contains(r.out, "  australian  Statlog")) << r.out;
  EXPECT_TRUE(contains(r.out, "    available: ")) << r.out;
  EXPECT_TRUE(contains(r.out, "always available (generated when loaded)")) << r.out;
}

TEST_F(CliTest, ListWithoutArgumentAlsoShowsDatasets) {
  const CliResult r = run("list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t algorithms = r.out.find("Algorithms (");
  const std::size_t problems = r.out.find("Problems (");
  const std::size_t datasets = r.out.find("Datasets (");
  ASSERT_NE(datasets, std::string::npos) << r.out;
  EXPECT_LT(algorithms, problems);
  EXPECT_LT(problems, datasets);
  EXPECT_TRUE(contains(r.out.substr(datasets), "\n  fashion-mnist  ")) << r.out;
}

TEST_F(CliTest, ListUnknownTargetNamesTheThreeChoices) {
  const CliResult r = run("list datasetz");
  expect_bad_input(r);
  for (const char* part : {"'datasetz'", "bilevel list algorithms", "bilevel list problems",
                           "bilevel list datasets"})
    EXPECT_TRUE(contains(r.err, part)) << part << " missing: " << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// The environment overrides decide where the files are looked for: pointed at an empty
// folder, every dataset with files is reported missing from that folder.
TEST_F(CliTest, ListDatasetsReportsMissingFilesInOverriddenFolders) {
  const std::string empty = path("empty");
  fs::create_directories(empty);
  const std::string env = "BILEVEL_DATA_DIR='" + empty + "' BILEVEL_FASHION_MNIST_DIR='" + empty +
                          "' BILEVEL_MNIST_DIR='" + empty + "' ";
  const CliResult r = run("list datasets", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "    available: ")) << r.out;
  for (const char* file : {"australian_scale", "breast-cancer_scale", "heart_scale",
                           "diabetes_scale", "a9a.gz", "train-images-idx3-ubyte[.gz]",
                           "src/digits/0.json"})
    EXPECT_TRUE(contains(r.out, "NOT AVAILABLE: " + std::string(file) + " is missing from " +
                                    empty))
        << file << " not reported missing:\n"
        << r.out;
  EXPECT_TRUE(contains(r.out, "scripts/fetch_mnist.sh")) << r.out;
  EXPECT_TRUE(contains(r.out, "dataset-fashion-mnist")) << r.out;
}

// The same folder with one shipped file in it: that dataset alone becomes available.
TEST_F(CliTest, ListDatasetsReportsAFilePresentInTheOverriddenFolder) {
  const std::string folder = path("data");
  fs::create_directories(folder);
  std::ofstream(folder + "/heart_scale") << "1 1:1\n";
  const CliResult r = run("list datasets", "BILEVEL_DATA_DIR='" + folder + "' ");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "    available: " + folder + "\n")) << r.out;
  EXPECT_TRUE(contains(r.out, "australian_scale is missing from " + folder)) << r.out;
}

}  // namespace

// `bilevel tune`: one line per trial, the winner as -A flags, every trial in the summary.
TEST_F(CliTest, TunePrintsTheWinnerAndWritesEveryTrial) {
  const std::string summary = path("tune.json");
  const CliResult r = run(
      "tune --problem quadratic --algo f2ba -G eta=1e-3,1e-2,1e10 -G K=1,10 --max-iters 50 "
      "--metric hypergrad_norm --summary '" + summary + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "trial 6/6: eta=1e10 K=10 -> diverged")) << r.out;
  EXPECT_TRUE(contains(r.out, "best: hypergrad_norm ")) << r.out;
  EXPECT_TRUE(contains(r.out, "with -A eta=1e-2 -A K=10")) << r.out;
  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  EXPECT_EQ(s["trials"].size(), 6u);
  EXPECT_EQ(s["best"], 3);
  EXPECT_EQ(s["best_options"]["eta"], 0.01);
  EXPECT_EQ(s["trials"][5]["status"], "diverged");
}

TEST_F(CliTest, TuneRejectsBadGridsAndMetricsAsBadInput) {
  const std::string base = "tune --problem quadratic --algo f2ba --max-iters 2 ";
  expect_bad_input(run(base));                                  // no grid
  expect_bad_input(run(base + "-G eta=1e-3:2e-1"));             // not a power of ten apart
  expect_bad_input(run(base + "-G etaa=1,2"));                  // unknown option
  expect_bad_input(run(base + "-G eta=1,2 --metric val_loss"));  // not a quadratic column
  expect_bad_input(run(base + "-G eta=1,2 --no-diagnostics"));   // phi needs diagnostics
}

TEST_F(CliTest, TuneScoresMinEigOnlyWithMinEig) {
  const std::string base =
      "tune --problem quadratic -P mu_f=-1 --algo f2ba -G eta=1e-3,1e-2 --max-iters 2 "
      "--metric min_eig";
  const CliResult refused = run(base);
  expect_bad_input(refused);
  EXPECT_TRUE(contains(refused.err, "--min-eig")) << refused.err;
  const CliResult r = run(base + " --min-eig");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "best: min_eig -")) << r.out;
}

TEST_F(CliTest, TuneWhereEveryTrialDivergesExitsWithThree) {
  const CliResult r =
      run("tune --problem quadratic --algo f2ba -G eta=1e9,1e10 --max-iters 200 --quiet");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "no trial gave a finite phi (2 diverged, 0 refused)")) << r.err;
}

// `bilevel complexity`: one line per run, the fit beside the theory, CSV / JSON / PNG outputs
// written only once the sweep ran, and bad input refused before anything is written.
class ComplexityCliTest : public CliTest {};

const std::string kQuickSweep =
    "complexity --problem quadratic -P dx=6 -P dy=6 --algo aid-cg --max-iters 20000 ";

// Debian's matplotlib, which the plot needs, is visible only to /usr/bin/python3.
bool matplotlib_available() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0;
}

TEST_F(ComplexityCliTest, WritesCsvSummaryAndPlotAndPrintsTheFitBesideTheTheory) {
  const std::string csv = path("c.csv"), summary = path("c.json"), png = path("c.png");
  const bool plot = matplotlib_available();
  const CliResult r = run(kQuickSweep + "--sweep tol=1e-2:1e-5:4 --csv '" + csv +
                          "' --summary '" + summary + "'" + (plot ? " --plot '" + png + "'" : ""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "run 4/4: tol=1e-05")) << r.out;
  EXPECT_TRUE(contains(r.out, "converged")) << r.out;
  EXPECT_TRUE(contains(r.out, "fit: calls ~ (1/tol)^0.")) << r.out;
  EXPECT_TRUE(contains(r.out, "theory: upper bound exponent 2 ")) << r.out;
  EXPECT_TRUE(contains(r.out, "Chen, Ma & Zhang 2025, Table 1 (AID)")) << r.out;

  const std::string text = read_file(csv);
  EXPECT_EQ(first_line(text),
            "key,value,seed,tol,status,iters,grad_calls,hvp_calls,hess_calls,calls,samples,"
            "time_s,hypergrad_norm,chain_calls");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 5) << text;
  const nlohmann::json s = nlohmann::json::parse(read_file(summary));
  for (const char* key : {"algo", "problem", "key", "values", "fit_variable", "runs", "points",
                          "fit", "references", "stopping", "seeds"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["runs"].size(), 4u);
  EXPECT_TRUE(s["fit"]["ok"].get<bool>());

  std::vector<std::string> expected = {"c.csv", "c.json"};
  if (plot) {
    expected.push_back("c.png");
    EXPECT_EQ(read_file(png).substr(1, 3), "PNG");
  }
  auto left = files_left();
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, expected);  // no temporary files
}

TEST_F(ComplexityCliTest, RunsThatSpendTheBudgetAreAResultNotAnError) {
  const CliResult r = run("complexity --problem quadratic --algo aid-cg --sweep tol=1e-3,1e-4 "
                          "--max-iters 2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "max_iterations")) << r.out;
  EXPECT_TRUE(contains(r.out, "fit: none: not enough converged points")) << r.out;
}

TEST_F(ComplexityCliTest, BadInputExitsTwoAndWritesNothing) {
  const std::string outputs =
      " --csv '" + path("c.csv") + "' --summary '" + path("c.json") + "' --max-iters 50";
  for (const std::string args : {
           kQuickSweep,                                        // no --sweep
           kQuickSweep + "--sweep tol=1:1:3",                  // lo = hi
           kQuickSweep + "--sweep eps=0.1,0.01",               // quadratic has no eps
           kQuickSweep + "--sweep mu=0.1,0.2",                 // needs --tol
           kQuickSweep + "--sweep tol=0.1,0.01 --tol 1e-3",    // tol given twice
           kQuickSweep + "--sweep tol=0.1,0.01 -A K=10/kappa",  // expression in another variable
           kQuickSweep + "--sweep tol=0.1,0.01 --seeds 0",
           kQuickSweep + "--sweep tol=0.1,0.01 -P dx=0",
           std::string("complexity --algo aid-cg --sweep tol=0.1,0.01"),  // no --problem
       }) {
    const CliResult r = run(args + outputs);
    expect_bad_input(r);
    EXPECT_TRUE(files_left().empty()) << args;
  }
  const CliResult same = run(kQuickSweep + "--sweep tol=0.1,0.01 --csv '" + path("c.out") +
                             "' --summary '" + path("c.out") + "'");
  expect_bad_input(same);
  EXPECT_TRUE(contains(same.err, "--csv and --summary both name")) << same.err;
  EXPECT_TRUE(files_left().empty());
  const CliResult missing_dir =
      run(kQuickSweep + "--sweep tol=0.1,0.01 --csv '" + path("no/such/dir.csv") + "'");
  expect_bad_input(missing_dir);
  EXPECT_TRUE(contains(missing_dir.err, "does not exist")) << missing_dir.err;
}

TEST_F(ComplexityCliTest, ExistingOutputsSurviveBadInput) {
  const std::string csv = path("c.csv");
  {
    std::ofstream(csv) << "previous\n";
  }
  expect_bad_input(run(kQuickSweep + "--sweep eps=0.1,0.01 --csv '" + csv + "'"));
  EXPECT_EQ(read_file(csv), "previous\n");
}

TEST_F(ComplexityCliTest, PlotWithoutPythonOrToolsFailsInOneLineBeforeTheSweep) {
  const std::string args = kQuickSweep + "--sweep tol=0.1,0.01 --csv '" + path("c.csv") +
                           "' --plot '" + path("c.png") + "'";
  const CliResult no_python = run(args, "BILEVEL_PYTHON='" + path("no-python") + "' ");
  expect_bad_input(no_python);
  EXPECT_TRUE(contains(no_python.err, "cannot plot")) << no_python.err;
  EXPECT_TRUE(no_python.out.empty()) << no_python.out;  // the sweep never ran
  EXPECT_TRUE(files_left().empty());

  const CliResult no_tools = run(args, "BILEVEL_TOOLS_DIR='" + path("nowhere") + "' ");
  expect_bad_input(no_tools);
  EXPECT_TRUE(contains(no_tools.err, "BILEVEL_TOOLS_DIR")) << no_tools.err;
  EXPECT_TRUE(files_left().empty());
}

TEST_F(ComplexityCliTest, HelpListsTheFlags) {
  const CliResult help = run("complexity --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--problem", "--algo", "-P", "-A", "--seed", "--seeds", "--sweep",
                           "--max-iters", "--max-oracle-calls", "--time-limit", "--tol", "--csv",
                           "--summary", "--plot", "--quiet"})
    EXPECT_TRUE(contains(help.out, flag)) << flag;
}
