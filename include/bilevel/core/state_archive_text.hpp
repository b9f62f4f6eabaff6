// A StateArchive as JSON text and back: for tools and tests that store or inspect a state
// outside a checkpoint. Doubles keep every bit (state_archive.hpp).
#pragma once

#include <string>
#include <string_view>

#include "bilevel/core/state_archive.hpp"

namespace bilevel {

// What a saving archive holds, as JSON text.
std::string archive_text(const StateArchive& a);
// An archive that loads from `text` (what archive_text returned). Throws InvalidInput if the
// text is not a JSON object.
StateArchive archive_from_text(std::string_view text);

}  // namespace bilevel
