// The `bilevel` executable: parse the command line, dispatch to a command, and turn every
// failure into the documented exit code with one line on stderr (docs/cli.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"
#include "compare_command.hpp"
#include "complexity_command.hpp"
#include "exit_codes.hpp"
#include "list_command.hpp"
#include "run_arguments.hpp"
#include "run_command.hpp"
#include "tune_command.hpp"
#include "unknown_arguments.hpp"

#ifndef BILEVEL_VERSION
#error "BILEVEL_VERSION must be defined by the build (CMakeLists.txt)"
#endif

namespace {

using namespace bilevel::cli;

// Other tools parse stderr line by line: an error is exactly one line.
// Under mpirun, an error all ranks agreed on is printed by rank 0 alone; any other error by
// the rank that has it, named.
int report(const std::string& kind, std::string message, int code, bool collective = false) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  const int rank = bilevel::launcher_rank();
  if (collective && rank > 0) return code;
  const std::string who = rank >= 0 && !collective ? "rank " + std::to_string(rank) + ": " : "";
  std::cerr << "bilevel: " << kind << ": " << who << message << std::endl;
  // The other ranks may wait for this one in a collective: end them all, now.
  if (rank >= 0 && !collective) bilevel::abort_world(code);
  return code;
}

int run_cli(int argc, char** argv) {
  CLI::App app{"Gradient-based bilevel optimization: min_x f(x, y*(x)), y*(x) = argmin_y g(x, y)",
               "bilevel"};
  app.set_version_flag("--version", std::string("bilevel ") + BILEVEL_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 run finished, 2 bad input, 3 diverged, 1 internal error, 130/143 run "
      "interrupted by SIGINT/SIGTERM.");

  std::string list_what;
  CLI::App* list = app.add_subcommand(
      "list", "List algorithms and problems with their options, and datasets");
  list->add_option("what", list_what, "algorithms, problems or datasets (default: all three)");

  RunArguments run_args;
  CLI::App* run = app.add_subcommand("run", "Run an algorithm on a problem");
  add_run_flags(*run, run_args);

  TuneArguments tune_args;
  CLI::App* tune = app.add_subcommand(
      "tune", "Grid search over algorithm options; prints the best by a trace column");
  add_tune_flags(*tune, tune_args);

  CompareArguments compare_args;
  CLI::App* compare = app.add_subcommand(
      "compare",
      "Compare methods over seeds: medians and 20-80% bands of trace columns, x to a target");
  add_compare_flags(*compare, compare_args);

  ComplexityArguments complexity_args;
  CLI::App* complexity = app.add_subcommand(
      "complexity",
      "Sweep eps, kappa or another problem option; fit the growth of the oracle calls and "
      "compare it with theory");
  add_complexity_flags(*complexity, complexity_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const CLI::App* command = list->parsed()         ? list
                              : run->parsed()        ? run
                              : tune->parsed()       ? tune
                              : compare->parsed()    ? compare
                              : complexity->parsed() ? complexity
                                                     : nullptr;
    const std::vector<std::string> words(argv + std::min(argc, 1), argv + argc);
    if (const auto explained = explain_unknown_word(app, command, words))
      return report("error", *explained, kExitBadInput);
    const std::string help =
        command ? "bilevel " + command->get_name() + " --help" : std::string("bilevel --help");
    return report("error", std::string(e.what()) + " (see '" + help + "')", kExitBadInput);
  }

  if (list->parsed()) {
    bilevel::cli::list_registry(list_what, std::cout);
    return kExitOk;
  }
  if (tune->parsed()) return execute_tune(tune_args);
  if (compare->parsed()) return execute_compare(compare_args);
  if (complexity->parsed()) return execute_complexity(complexity_args);
  return execute_run(run_args);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_cli(argc, argv);
  } catch (const CollectiveError& e) {
    return report("error", e.what(), kExitBadInput, true);
  } catch (const bilevel::InvalidInput& e) {
    return report("error", e.what(), kExitBadInput);
  } catch (const std::bad_alloc&) {
    // Sizes are checked before allocating (core/memory_budget.hpp); this is what slips past.
    return report("error",
                  "out of memory: the problem or data asked for more memory than the machine "
                  "could give; use smaller sizes or set --max-memory",
                  kExitBadInput);
  } catch (const std::exception& e) {
    return report("internal error", e.what(), kExitInternalError);
  } catch (...) {
    return report("internal error", "unknown exception", kExitInternalError);
  }
}
