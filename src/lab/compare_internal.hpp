// What the pieces of `compare` (src/lab/compare*.cpp) share and nothing else needs.
#pragma once

#include "bilevel/lab/compare.hpp"

namespace bilevel {

// resolve_compare_config against an already built problem (the first seed's), so that its
// data is not loaded once more.
CompareConfig resolve_with(const CompareConfig& config, const Problem& problem);

// Fills result->stats and result->bands from result->runs (compare_stats.cpp).
void summarise_compare(CompareResult* result);

}  // namespace bilevel
