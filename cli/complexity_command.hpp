// `bilevel complexity`: the complexity lab (library: bilevel/complexity.hpp). Sweeps one
// problem option (or the tolerance), runs the algorithm to tol at every value, prints one line
// per run, the fitted exponent of the oracle calls and the exponents theory states; writes
// the runs as CSV, everything as JSON, and a log-log plot (tools/plot_complexity.py).
#pragma once

#include <string>

#include "exit_codes.hpp"
#include "run_arguments.hpp"

namespace bilevel::cli {

struct ComplexityArguments {
  RunArguments run;         // problem, algorithm, their options, budget, seed, tol, summary, quiet
  std::string sweep;        // raw --sweep KEY=...
  std::string seeds = "1";  // raw --seeds N
  std::string csv_path;
  std::string plot_path;
};

void add_complexity_flags(CLI::App& cmd, ComplexityArguments& args);

// kExitOk once the sweep ran, whatever its runs' statuses (a run that spends its budget is a
// measurement); bad input throws InvalidInput before anything is written.
ExitCode execute_complexity(const ComplexityArguments& args);

}  // namespace bilevel::cli
