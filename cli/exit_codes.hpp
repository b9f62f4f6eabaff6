// Exit codes of the `bilevel` executable. Scripts and tools rely on these values
// (docs/cli.md); never renumber them.
#pragma once

namespace bilevel::cli {

enum ExitCode : int {
  kExitOk = 0,             // the run finished: converged, or a limit or budget was reached
  kExitInternalError = 1,  // a bug or an unexpected system failure
  kExitBadInput = 2,       // usage error, unknown name, bad option value, unusable file
  kExitDiverged = 3,       // the run produced a non-finite iterate or value
  // A run ended early by SIGINT or SIGTERM (its trace, summary and checkpoint written) exits
  // with 128 + the signal's number, 130 or 143, what a shell reports for a process the signal
  // killed: scripts that test for an interruption keep working, and no code above is reused.
  kExitSignalBase = 128,
};

}  // namespace bilevel::cli
