// `bilevel run`: build the problem and the algorithm from the registry, run, then write the
// trace and summary and print the brief report.
//
// Everything that can be checked cheaply is checked before the problem is built and the run
// starts (flag values, key=value syntax, output paths, algorithm name and options), so a typo
// fails in milliseconds rather than after minutes of computation.
#pragma once

#include <string>

#include "bilevel/core/comm.hpp"
#include "exit_codes.hpp"
#include "run_arguments.hpp"

namespace bilevel::cli {

// An error every rank of a distributed run has agreed on: rank 0 alone prints it.
using CollectiveError = AgreedError;

// For the commands that run on one process (tune, complexity): under mpirun with several
// ranks, throws CollectiveError saying so (every rank throws it; rank 0 prints it).
void require_one_process(const std::string& command);

// Returns kExitOk or kExitDiverged; bad input throws InvalidInput (the caller prints it).
// Under mpirun (world_comm() of several ranks) every rank builds its shard of the problem and
// runs; only rank 0 prints and writes the trace and summary.
ExitCode execute_run(const RunArguments& args);

}  // namespace bilevel::cli
