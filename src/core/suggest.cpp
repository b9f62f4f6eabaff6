#include "bilevel/core/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace bilevel {

namespace {

char fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Longer names tolerate more typos; three edits turn most short names into any other.
std::size_t max_distance(std::size_t length) { return std::min<std::size_t>(3, 1 + length / 4); }

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  // Three rows of the dynamic programme: i - 2, i - 1 and i.
  std::vector<std::size_t> before(m + 1), previous(m + 1), current(m + 1);
  std::iota(previous.begin(), previous.end(), std::size_t{0});
  for (std::size_t i = 1; i <= n; ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const bool same = fold(a[i - 1]) == fold(b[j - 1]);
      current[j] =
          std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[m];
}

std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = max_distance(name.size()) + 1;
  for (const std::string& candidate : known) {
    if (candidate == name) continue;
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance && d < std::max<std::size_t>(name.size(), 1)) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& known) {
  const std::optional<std::string> closest = closest_name(name, known);
  return closest ? "; did you mean '" + *closest + "'?" : "";
}

}  // namespace bilevel
