// Small parsing helpers shared by the text loaders (LIBSVM, CSV); numbers are read by
// bilevel/core/parse.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel::data::detail {

std::string_view trim(std::string_view text);

// Cuts the next whitespace-separated token from the front of `*text`; empty at the end.
std::string_view next_token(std::string_view* text);

// `text` in single quotes for an error message: at most `max_chars` characters of it (then
// "..."), with bytes that are not printable ASCII written as \xNN, so that a 1 GB token or a
// binary file gives a short, readable line.
std::string quoted_excerpt(std::string_view text, std::size_t max_chars = 40);

}  // namespace bilevel::data::detail
