#include "text_fields.hpp"

#include <charconv>

namespace bilevel::data::detail {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// from_chars rejects a leading '+', which LIBSVM labels ("+1") use.
std::string_view drop_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  return text;
}
}  // namespace

bool parse_double(std::string_view text, double* value) {
  text = drop_plus(text);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

bool parse_integer(std::string_view text, Index* value) {
  text = drop_plus(text);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, *value);
  return ec == std::errc() && ptr == end;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view next_token(std::string_view* text) {
  std::string_view t = *text;
  while (!t.empty() && is_space(t.front())) t.remove_prefix(1);
  std::size_t n = 0;
  while (n < t.size() && !is_space(t[n])) ++n;
  *text = t.substr(n);
  return t.substr(0, n);
}

}  // namespace bilevel::data::detail
