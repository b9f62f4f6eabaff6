// `bilevel run`: build the problem and the algorithm from the registry, run, then write the
// trace and summary and print the brief report.
//
// Everything that can be checked cheaply is checked before the problem is built and the run
// starts (flag values, key=value syntax, output paths, algorithm name and options), so a typo
// fails in milliseconds rather than after minutes of computation.
#pragma once

#include "exit_codes.hpp"
#include "run_arguments.hpp"

namespace bilevel::cli {

// Returns kExitOk or kExitDiverged; bad input throws InvalidInput (the caller prints it).
ExitCode execute_run(const RunArguments& args);

}  // namespace bilevel::cli
