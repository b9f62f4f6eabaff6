#include "bilevel/core/parse.hpp"

#include <charconv>
#include <cmath>

namespace bilevel {

namespace {

// from_chars rejects a leading '+'; drop one (but not from "+-1" or "++1").
std::string_view drop_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  return text;
}

template <typename T>
bool parse_whole(std::string_view text, T* out) {
  text = drop_plus(text);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return false;
  *out = value;
  return true;
}

}  // namespace

bool parse_number(std::string_view text, double* out) { return parse_whole(text, out); }

bool parse_finite(std::string_view text, double* out) {
  double v = 0;
  if (!parse_whole(text, &v) || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool parse_integer(std::string_view text, Index* out) { return parse_whole(text, out); }

bool parse_integral(std::string_view text, Index* out) {
  if (parse_whole(text, out)) return true;
  double d = 0;
  if (parse_finite(text, &d) && d == std::floor(d) && std::abs(d) < 9e15) {
    *out = static_cast<Index>(d);
    return true;
  }
  return false;
}

bool parse_unsigned(std::string_view text, std::uint64_t* out) {
  if (parse_whole(text, out)) return true;
  Index i = 0;
  if (parse_integral(text, &i) && i >= 0) {
    *out = static_cast<std::uint64_t>(i);
    return true;
  }
  return false;
}

}  // namespace bilevel
