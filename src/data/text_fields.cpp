#include "text_fields.hpp"

#include <cstdio>

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

std::string quoted_excerpt(std::string_view text, std::size_t max_chars) {
  std::string q(1, '\'');
  for (std::size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      q.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      q.append(buf);
    }
  }
  if (text.size() > max_chars) q.append("...");
  q.push_back('\'');
  return q;
}

}  // namespace bilevel::data::detail
