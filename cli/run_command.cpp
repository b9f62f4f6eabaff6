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
#include "bilevel/io/vector_file.hpp"
#include "bilevel/core/memory_budget.hpp"
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
          {"--checkpoint", args.checkpoint_path, "checkpoint file"},
          {"--save-x", args.save_x_path, "--save-x file"},
          {"--save-y", args.save_y_path, "--save-y file"},
          {"--save-history", args.save_history_path, "--save-history file"}};
}

// The starting point: the problem's own, or the --x0 / --y0 files (checked against the
// problem's dimensions).
struct StartPoint {
  Vec x, y;
};

StartPoint start_point(const RunArguments& args, const Problem& problem) {
  StartPoint p;
  p.x = args.x0_path.empty() ? problem.initial_x()
                             : read_vector_file(args.x0_path, "--x0 file", problem.dim_x(), "x");
  p.y = args.y0_path.empty() ? problem.initial_y()
                             : read_vector_file(args.y0_path, "--y0 file", problem.dim_y(), "y");
  return p;
}

// --save-every and --save-history: x at every N-th iteration, kept by a callback.
struct History {
  Index every = 0;  // 0: not asked
  std::vector<Index> iters;
  std::vector<Vec> xs;
};

void add_history(const RunArguments& args, const RunSettings& settings, const Problem& problem,
                 History* history) {
  if (args.save_every.empty() != args.save_history_path.empty())
    throw InvalidInput("--save-every N and --save-history FILE go together (how often, and "
                       "where to write the iterates)");
  if (args.save_every.empty()) return;
  const Index every = parse_integer_flag("--save-every", args.save_every, 1,
                                         "a whole number of iterations >= 1");
  // Callbacks see the logged records only.
  if (every % settings.log_every != 0)
    throw InvalidInput("--save-every " + std::to_string(every) + " must be a multiple of "
                       "--log-every " + std::to_string(settings.log_every) +
                       " (x is seen at logged iterations only)");
  // The whole history is kept until the end: refuse one that cannot fit before running.
  const Index max_iters = settings.stopping.max_iters;
  if (max_iters > 0)
    check_memory("--save-history (" + std::to_string(max_iters / every + 2) + " iterates of " +
                     std::to_string(problem.dim_x()) + " values)",
                 bytes_for(max_iters / every + 2, bytes_for(problem.dim_x(), 8)));
  history->every = every;
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
  StartPoint start;
  History history;
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
    if (!args.resume_path.empty() && (!args.x0_path.empty() || !args.y0_path.empty()))
      throw InvalidInput("--x0 and --y0 start a new run; a --resume run continues from its "
                         "checkpoint's iterates, so drop one of them");
    add_checkpoint_settings(args, &settings, &resume);
    algo = make_algorithm(args.algo, algo_kv);
    check_algorithm_options(*algo);
    if (distributed && !algo->runs_distributed())
      throw InvalidInput(algo->name() + " does not run on several ranks (this run has " +
                         std::to_string(ranks.size()) +
                         "); the distributed methods are dist-f2ba, f2ba, dist-aid and aggitd");
    problem = make_problem(args.problem, problem_kv, shard_of(ranks));
    if (distributed && (!args.x0_path.empty() || !args.y0_path.empty() ||
                        !args.save_x_path.empty() || !args.save_y_path.empty() ||
                        !args.save_every.empty() || !args.save_history_path.empty()))
      throw InvalidInput("--x0, --y0 and the --save-* flags are not supported on several "
                         "ranks yet (each rank holds its own block of x)");
    start = start_point(args, *problem);
    add_history(args, settings, *problem, &history);
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
  if (history.every > 0)
    settings.callbacks.push_back([&history](const IterRecord& r, const Vec& x, const Vec&) {
      if (r.iter % history.every == 0) {
        history.iters.push_back(r.iter);
        history.xs.push_back(x);
      }
      return Action::kContinue;
    });
  const InterruptHandler interrupt;
  settings.interrupt = interrupt.flag();
  const Result result = algo->solve(*problem, start.x, start.y, settings);
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
  if (lead && !args.save_x_path.empty()) write_vector_file(result.x, args.save_x_path, "--save-x file");
  if (lead && !args.save_y_path.empty()) write_vector_file(result.y, args.save_y_path, "--save-y file");
  if (lead && history.every > 0) {
    // The final iterate ends the history, whatever its iteration number.
    if (history.iters.empty() || history.iters.back() != result.iters) {
      history.iters.push_back(result.iters);
      history.xs.push_back(result.x);
    }
    write_history_file(history.iters, history.xs, args.save_history_path, "--save-history file");
  }
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
