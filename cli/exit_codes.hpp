// Exit codes of the `bilevel` executable. Scripts and tools rely on these values
// (docs/cli.md); never renumber them.
#pragma once

namespace bilevel::cli {

enum ExitCode : int {
  kExitOk = 0,             // the run finished: converged, or a limit or budget was reached
  kExitInternalError = 1,  // a bug or an unexpected system failure
  kExitBadInput = 2,       // usage error, unknown name, bad option value, unusable file
  kExitDiverged = 3,       // the run produced a non-finite iterate or value
};

}  // namespace bilevel::cli
