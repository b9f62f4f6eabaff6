// Size arithmetic on untrusted numbers (file headers, option values): a product or sum that
// does not fit in an Index is reported instead of wrapping (signed overflow is undefined, and
// a wrapped size allocates the wrong amount or indexes out of bounds).
#pragma once

#include <optional>
#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel {

// a * b and a + b for non-negative operands; nullopt on overflow or a negative operand.
std::optional<Index> checked_mul(Index a, Index b);
std::optional<Index> checked_add(Index a, Index b);

// The same, throwing InvalidInput("<what>: the size <a> x <b> overflows a 64-bit integer").
Index size_mul(Index a, Index b, std::string_view what);
Index size_add(Index a, Index b, std::string_view what);

}  // namespace bilevel
