#include "run_command.hpp"

#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/io/checkpoint_file.hpp"
#include "bilevel/io/output_files.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/io/trace_writer.hpp"
#include "bilevel/registry.hpp"
#include "interrupt.hpp"
#include "progress_bar.hpp"

namespace bilevel::cli {

namespace {

std::string known_names(bool problems) {
  std::string names;
  auto add = [&](const std::string& n) { names += (names.empty() ? "" : ", ") + n; };
  if (problems)
    for (const auto& e : problem_registry()) add(e.name);
  else
    for (const auto& e : algorithm_registry()) add(e.name);
  return names;
}

void require_names(const RunArguments& args) {
  if (args.problem.empty())
    throw InvalidInput("run needs --problem NAME; known problems: " + known_names(true));
  if (args.algo.empty())
    throw InvalidInput("run needs --algo NAME; known algorithms: " + known_names(false));
}

// The files a run writes; they are checked together before any computation. A checkpoint
// is rewritten many times during a run, so it cannot go to the standard output.
std::vector<OutputFile> output_files(const RunArguments& args) {
  if (args.checkpoint_path == "-")
    throw InvalidInput("--checkpoint needs a file name; it cannot be '-' (the standard output)");
  return {{"--trace", args.trace_path, "trace file"},
          {"--summary", args.summary_path, "summary file"},
          {"--checkpoint", args.checkpoint_path, "checkpoint file"}};
}

// --checkpoint, --checkpoint-every and --resume into the settings; `resume` receives the
// checkpoint read (it must outlive the run).
void add_checkpoint_settings(const RunArguments& args, RunSettings* settings,
                             std::optional<Checkpoint>* resume) {
  if (!args.checkpoint_every.empty()) {
    if (args.checkpoint_path.empty())
      throw InvalidInput("--checkpoint-every needs --checkpoint FILE (where to write them)");
    settings->checkpoint.every = parse_integer_flag("--checkpoint-every", args.checkpoint_every, 1,
                                                    "a whole number of iterations >= 1");
  }
  if (!args.checkpoint_path.empty()) {
    const std::string path = args.checkpoint_path;
    settings->checkpoint.write = [path](const Checkpoint& c) { write_checkpoint_file(c, path); };
  }
  if (!args.resume_path.empty()) {
    resume->emplace(read_checkpoint_file(args.resume_path));
    settings->resume = &**resume;
  }
}

// The same check Algorithm::solve makes, done before the (possibly expensive) problem build.
void check_algorithm_options(const Algorithm& algo) {
  Violations v;
  v.add_all(algo.validate());
  v.throw_if_any(algo.name());
}

}  // namespace

void require_one_process(const std::string& command) {
  if (!launched_by_mpi() || world_comm().size() == 1) return;
  throw CollectiveError(command + " runs on one process (this one was started on " +
                        std::to_string(world_comm().size()) +
                        " ranks): a distributed method's iterates on one rank are those on "
                        "many, so run it without mpirun");
}

ExitCode execute_run(const RunArguments& args) {
  // Under mpirun every rank runs this command on its shard: MPI starts here. Rank 0 alone
  // prints and writes; the others compute.
  Comm& ranks = world_comm();
  const bool lead = ranks.rank() == 0;
  const bool distributed = ranks.size() > 1;

  // Everything before the run, on every rank: a rank that fails (a bad flag, an unreadable
  // shard) must not leave the others waiting in the run's first collective, so the ranks
  // agree on the first error and all end with it.
  RunSettings settings;
  std::optional<Checkpoint> resume;
  std::unique_ptr<Algorithm> algo;
  std::unique_ptr<Problem> problem;
  bool to_stdout = false;
  std::optional<std::string> error;
  try {
    require_names(args);
    const KeyValues problem_kv = parse_key_values(args.problem_options, "-P");
    const KeyValues algo_kv = parse_key_values(args.algo_options, "-A");
    settings = run_settings(args);
    if (args.quiet && args.report)
      throw InvalidInput("--report asks for the full report and --quiet for none; drop one");
    const std::vector<OutputFile> outputs = output_files(args);
    if (lead) check_output_files(outputs);
    to_stdout = writes_standard_output(outputs);
    if (distributed && (!args.checkpoint_path.empty() || !args.resume_path.empty()))
      throw InvalidInput("--checkpoint and --resume are not supported on several ranks (this "
                         "run has " + std::to_string(ranks.size()) + ")");
    add_checkpoint_settings(args, &settings, &resume);
    algo = make_algorithm(args.algo, algo_kv);
    check_algorithm_options(*algo);
    if (distributed && !algo->runs_distributed())
      throw InvalidInput(algo->name() + " does not run on several ranks (this run has " +
                         std::to_string(ranks.size()) +
                         "); the distributed methods are dist-f2ba, f2ba, dist-aid and aggitd");
    problem = make_problem(args.problem, problem_kv, shard_of(ranks));
  } catch (const AgreedError&) {
    throw;  // every rank has it already
  } catch (const std::bad_alloc&) {
    if (!distributed) throw;
    error = "out of memory while building the problem; use smaller sizes or more ranks";
  } catch (const std::exception& e) {
    if (!distributed) throw;  // one process: the error as it is
    error = e.what();
  }
  ranks.throw_if_any_failed(error);
  settings.comm = &ranks;
  // Data on the standard output ("-") must not be mixed with the report.
  std::ostream& report = to_stdout ? std::cerr : std::cout;
  const bool quiet = args.quiet || !lead;

  std::optional<ProgressBar> bar;
  if (progress_bar_wanted(quiet)) {
    bar.emplace(settings.stopping.max_iters);
    settings.callbacks.push_back(bar->callback());
  }
  const InterruptHandler interrupt;
  settings.interrupt = interrupt.flag();
  const Result result = algo->solve(*problem, settings);
  // Every rank's oracle calls, summed (collective: every rank is here).
  const Index calls_all_ranks = ranks.sum_over_ranks(result.counts.total_calls());
  if (bar) bar->finish();

  // The report comes first: if an output file cannot be written after all, the numbers of a
  // long run are at least on the screen.
  if (!quiet) {
    for (const auto& w : result.warnings) std::cerr << "bilevel: warning: " << w << '\n';
    report << (args.report ? result.full_report() : result.brief_report()) << std::endl;
    if (result.status == Status::kDiverged) std::cerr << "bilevel: " << result.message << '\n';
  }
  if (result.status == Status::kInterrupted && lead)
    std::cerr << "bilevel: interrupted after iteration " << result.iters
              << (args.checkpoint_path.empty() || result.iters == 0
                      ? std::string()
                      : "; continue with --resume " + args.checkpoint_path)
              << '\n';
  if (lead && !args.trace_path.empty()) write_trace_csv(result.trace, args.trace_path);
  if (lead && !args.summary_path.empty()) {
    nlohmann::json summary = run_summary(result, settings, peak_rss_mb());
    summary["bilevel_version"] = BILEVEL_VERSION;
    if (distributed) summary["oracle_calls_all_ranks"] = calls_all_ranks;
    write_summary_json(summary, args.summary_path);
  }
  if (result.status == Status::kInterrupted)
    return static_cast<ExitCode>(kExitSignalBase + interrupt.signal());
  return result.status == Status::kDiverged ? kExitDiverged : kExitOk;
}

}  // namespace bilevel::cli
