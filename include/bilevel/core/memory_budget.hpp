// The memory a problem or a loader may take: checked from the sizes it will allocate (a file's
// header, an option's value) before it allocates, so that an oversized request ends in one
// InvalidInput line naming what asked for it instead of std::bad_alloc or an exhausted machine.
//
// The budget is process-wide (memory is): by default the memory the system reports available
// (MemAvailable in /proc/meminfo, else the free physical pages), or a limit the user sets
// (RunSettings::max_memory, the CLI's --max-memory).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bilevel/core/types.hpp"

namespace bilevel {

// The bytes the system reports available now; INT64_MAX when it cannot tell.
std::int64_t available_memory();

// Sets the process-wide limit in bytes; 0 restores the default (the available memory).
void set_memory_limit(std::int64_t bytes);
// The limit set by set_memory_limit, 0 for the default.
std::int64_t memory_limit();

// Throws InvalidInput("<what> needs <size> of memory, more than <limit> (<which limit>; ...)")
// when `bytes` exceeds the budget. `what` names the option or file and the size that asked.
void check_memory(std::string_view what, std::int64_t bytes);

// count * element_bytes (+ the sizes of further arrays by repeated calls), checked for
// overflow: an overflowing product is reported as more than any budget.
std::int64_t bytes_for(Index count, std::int64_t element_bytes);

// How many vectors of dim_x + dim_y doubles a run is assumed to keep at least (iterates,
// gradients, the method's state and workspaces): a floor, so that a problem whose vectors
// alone exceed the budget is refused when it is built rather than after minutes of paging.
inline constexpr Index kRunVectors = 8;

// check_memory for kRunVectors vectors of dim_x + dim_y doubles plus `extra_bytes` (the
// problem's own data); sizes that overflow are refused as such.
void check_problem_memory(std::string_view what, Index dim_x, Index dim_y,
                          std::int64_t extra_bytes = 0);

// "512 B", "3.1 MB", "4.9 GB" (powers of 1000, as the figures users compare with `free -h`
// give them approximately; 3 significant digits).
std::string format_bytes(std::int64_t bytes);

// "auto" (0), or a size in bytes with an optional suffix: "1000000", "1e9", "512M", "4G",
// "1.5G", "2T" (K, M, G, T: powers of 1024; a trailing "B" or "iB" is allowed). Returns false
// for anything else, zero or negative sizes and overflow.
bool parse_memory_size(std::string_view text, std::int64_t* bytes);

}  // namespace bilevel
