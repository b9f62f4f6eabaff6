// `bilevel list [algorithms|problems]`: every registered name with its one-line description
// and its options (default value and help), so a user can write -A / -P flags without
// reading the source.
#pragma once

#include <ostream>
#include <string>

namespace bilevel::cli {

// `what` is "algorithms", "problems" or empty (both). Throws InvalidInput for anything else.
void list_registry(const std::string& what, std::ostream& out);

}  // namespace bilevel::cli
