// Checkpoint files (core/checkpoint.hpp): written atomically, so that an interruption while
// writing leaves the previous checkpoint intact, and read whole.
#pragma once

#include <string>

#include "bilevel/core/checkpoint.hpp"

namespace bilevel {

// Throws InvalidInput("cannot write checkpoint file '<path>': <reason>").
void write_checkpoint_file(const Checkpoint& checkpoint, const std::string& path);

// The checkpoint in `path`, its origin set to `path` (for messages). Throws
// InvalidInput("cannot read checkpoint file '<path>': <reason>"); its content is checked when a
// run resumes from it.
Checkpoint read_checkpoint_file(const std::string& path);

}  // namespace bilevel
