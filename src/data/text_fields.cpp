#include "text_fields.hpp"

namespace bilevel::data::detail {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
}  // namespace

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
