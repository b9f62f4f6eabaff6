#include "bilevel/core/checked_size.hpp"

#include <string>

#include "bilevel/core/error.hpp"

namespace bilevel {

std::optional<Index> checked_mul(Index a, Index b) {
  Index out = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<Index> checked_add(Index a, Index b) {
  Index out = 0;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

namespace {
[[noreturn]] void overflow(std::string_view what, Index a, const char* op, Index b) {
  throw InvalidInput(std::string(what) + ": the size " + std::to_string(a) + op +
                     std::to_string(b) + " is negative or overflows a 64-bit integer");
}
}  // namespace

Index size_mul(Index a, Index b, std::string_view what) {
  const std::optional<Index> r = checked_mul(a, b);
  if (!r) overflow(what, a, " x ", b);
  return *r;
}

Index size_add(Index a, Index b, std::string_view what) {
  const std::optional<Index> r = checked_add(a, b);
  if (!r) overflow(what, a, " + ", b);
  return *r;
}

}  // namespace bilevel
