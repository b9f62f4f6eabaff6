// Turning `bilevel compare`'s flags into a CompareConfig: the --config file's values, with
// every flag given overriding its part (--algo replaces the methods, -P/-A set single
// options, -G replaces one grid axis, the others replace their value).
#pragma once

#include "bilevel/lab/compare.hpp"
#include "compare_command.hpp"

namespace bilevel::cli {

// Throws InvalidInput naming the flag (or the config path) that is wrong.
CompareConfig compare_config_from(const CompareArguments& args);

}  // namespace bilevel::cli
