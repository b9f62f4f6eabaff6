// Checkpoints: a run's full state at an iteration boundary, from which a later solve
// continues exactly as the run would have (the same trace, bit for bit, time columns aside).
//
// A checkpoint holds what was run (format version, bilevel version, the algorithm and the
// problem with their resolved options, the run settings) and the run's state: the iteration,
// the generator's engine state, the oracle counts, the trace so far, the diagnostics' warm
// starts and the method's own state (MethodRun::visit: iterates, inner sequences, momentum
// and variance-reduction estimates, samplers, schedule positions), as JSON text with every
// double exact and a checksum over the text. Solve refuses, with one line, a checkpoint of
// another algorithm, problem, option value, setting or version, and a corrupted one.
#pragma once

#include <functional>
#include <string>

#include "bilevel/core/types.hpp"

namespace bilevel {

struct Checkpoint {
  std::string text;    // the JSON document, checksum included
  std::string origin;  // where it came from, for messages (a file name; may be empty)
};

// With a writer, a run takes a checkpoint when it is cancelled or interrupted after its first
// iteration, and after every `every` iterations when every > 0. A checkpoint is taken right
// after an iteration's step, before its trace record, so that a resumed run logs that record
// itself (an interrupted run's extra record is not part of the resumed trace).
struct CheckpointSettings {
  Index every = 0;
  // Receives each checkpoint (the CLI writes it to a file atomically). Required when every > 0.
  std::function<void(const Checkpoint&)> write;
};

// The version of the checkpoint format; a checkpoint of another format version is refused.
inline constexpr int kCheckpointFormatVersion = 1;

// The library's version ("0.1.0"), which checkpoints record and check.
const char* library_version();

}  // namespace bilevel
