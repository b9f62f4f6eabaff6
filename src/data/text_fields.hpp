// Small parsing helpers shared by the text loaders (LIBSVM, CSV).
#pragma once

#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel::data::detail {

// The whole of `text` as a number ("+1", "-0.5", "1e-3"); false if anything is left over or
// nothing is a number. Non-finite results ("nan", "inf") are returned: callers reject them
// with their own message.
bool parse_double(std::string_view text, double* value);

// The whole of `text` as a decimal integer, optionally with a leading '+'.
bool parse_integer(std::string_view text, Index* value);

std::string_view trim(std::string_view text);

// Cuts the next whitespace-separated token from the front of `*text`; empty at the end.
std::string_view next_token(std::string_view* text);

}  // namespace bilevel::data::detail
