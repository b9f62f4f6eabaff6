// The one number parser of the library: options, flags, grids, sweeps and text data files all
// read numbers through these functions, so "1e5", "+1" and " 2" mean the same everywhere.
//
// Each function accepts the whole of `text` or nothing: trailing characters, an empty string
// and overflow are failures, and `*out` is left unchanged on failure.
#pragma once

#include <cstdint>
#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel {

// A decimal or scientific number with an optional leading '+' (LIBSVM labels write "+1").
// inf and nan parse (data files are checked by their loaders); see parse_finite.
bool parse_number(std::string_view text, double* out);
// parse_number, and the value is finite.
bool parse_finite(std::string_view text, double* out);
// A signed integer with an optional leading '+'.
bool parse_integer(std::string_view text, Index* out);
// An integer, or an integral number written in floating-point form ("1e5", "20.0") below 9e15.
bool parse_integral(std::string_view text, Index* out);
// An integer from 0 to 2^64 - 1 (seeds), or an integral floating-point form of one below 9e15.
bool parse_unsigned(std::string_view text, std::uint64_t* out);

}  // namespace bilevel
