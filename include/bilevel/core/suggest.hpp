// "Did you mean" for misspelt names: flags, options, algorithms, problems, datasets.
//
// A user who types `-A lamb=3` or `--max-iter 5` should be told the name they meant, not only
// that theirs is unknown. The closest known name by edit distance is suggested when it is
// close enough to be a plausible typo; otherwise nothing is suggested (a list of everything
// known is the caller's business).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bilevel {

// The optimal-string-alignment (restricted Damerau-Levenshtein) distance: the fewest
// insertions, deletions, substitutions and swaps of two adjacent characters that turn `a`
// into `b`. Letters are compared case-insensitively (ASCII), so "k" and "K" are at distance 0.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known name closest to `name`, if it is a plausible typo of it: at distance at most
// 1 + |name| / 4 (at most 3), and less than |name| (a one-letter name matches only itself up
// to case). Ties go to the earlier name in `known`. Never returns `name` itself.
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& known);

// "; did you mean '<closest>'?" for closest_name(name, known), or "" when there is none:
// ready to append to an "unknown ..." message.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& known);

}  // namespace bilevel
