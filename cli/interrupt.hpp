// SIGINT and SIGTERM during a run: the first one asks the run to end at its next iteration
// boundary (RunSettings::interrupt), so that the trace so far, the summary and a checkpoint
// are written; a second one ends the process at once (the handler resets itself).
#pragma once

#include <atomic>

namespace bilevel::cli {

// Installs the handlers for the lifetime of the object and restores the previous ones after.
class InterruptHandler {
 public:
  InterruptHandler();
  ~InterruptHandler();
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

  // The flag the handler sets (for RunSettings::interrupt).
  const std::atomic<bool>* flag() const;
  // The signal received (SIGINT or SIGTERM), or 0.
  int signal() const;
};

}  // namespace bilevel::cli
