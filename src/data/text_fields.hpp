// Small parsing helpers shared by the text loaders (LIBSVM, CSV); numbers are read by
// bilevel/core/parse.hpp.
#pragma once

#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel::data::detail {

std::string_view trim(std::string_view text);

// Cuts the next whitespace-separated token from the front of `*text`; empty at the end.
std::string_view next_token(std::string_view* text);

}  // namespace bilevel::data::detail
