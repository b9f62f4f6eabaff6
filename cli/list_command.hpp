// `bilevel list [algorithms|problems|datasets]`: every registered name with its one-line
// description and its options (default value and help), so a user can write -A / -P flags
// without reading the source; every dataset name with whether its files are on this machine.
#pragma once

#include <ostream>
#include <string>

namespace bilevel::cli {

// `what` is "algorithms", "problems", "datasets" or empty (all three). Throws InvalidInput
// for anything else.
void list_registry(const std::string& what, std::ostream& out);

}  // namespace bilevel::cli
