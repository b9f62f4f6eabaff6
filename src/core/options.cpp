#include "bilevel/core/options.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"

namespace bilevel {

std::string format_double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf, end);
}

std::string format_short(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

OptionList& OptionList::add(std::string name, double& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}});
  return *this;
}
OptionList& OptionList::add(std::string name, Index& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}});
  return *this;
}
OptionList& OptionList::add(std::string name, bool& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}});
  return *this;
}
OptionList& OptionList::add(std::string name, Auto& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}});
  return *this;
}
OptionList& OptionList::add(std::string name, std::uint64_t& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}});
  return *this;
}
OptionList& OptionList::add(std::string name, std::string& field, std::string help,
                            std::vector<std::string> choices) {
  fields_.push_back({std::move(name), std::move(help), &field, std::move(choices)});
  return *this;
}

const OptionField* OptionList::find(std::string_view key) const {
  for (const auto& f : fields_)
    if (f.name == key) return &f;
  return nullptr;
}

bool OptionList::has(std::string_view key) const { return find(key) != nullptr; }

void OptionList::set(std::string_view key_in, std::string_view value_in) {
  const std::string key = trim(key_in);
  const std::string value = trim(value_in);
  const OptionField* f = find(key);
  if (!f) {
    std::string known;
    for (const auto& g : fields_) known += (known.empty() ? "" : ", ") + g.name;
    throw InvalidOptions(owner_ + ": unknown option '" + key + "'" +
                         (known.empty() ? " (it takes no options)" : "; known options: " + known));
  }
  auto bad = [&](const std::string& expected) {
    return InvalidOptions(owner_ + ": option " + key + "='" + value + "' is not " + expected);
  };
  std::visit(
      [&](auto* p) {
        using T = std::remove_pointer_t<decltype(p)>;
        // Parse into a local first: a rejected value must leave the field as it was.
        if constexpr (std::is_same_v<T, double>) {
          double d;
          if (!parse_finite(value, &d)) throw bad("a finite number");
          *p = d;
        } else if constexpr (std::is_same_v<T, Index>) {
          Index i;
          if (!parse_integral(value, &i)) throw bad("an integer");
          *p = i;
        } else if constexpr (std::is_same_v<T, std::uint64_t>) {
          // Seeds use the whole unsigned range; integral floating forms (1e4) are accepted too.
          std::uint64_t u;
          if (!parse_unsigned(value, &u)) throw bad("a non-negative integer");
          *p = u;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (value == "true" || value == "1" || value == "yes" || value == "on") *p = true;
          else if (value == "false" || value == "0" || value == "no" || value == "off") *p = false;
          else throw bad("a boolean (true/false)");
        } else if constexpr (std::is_same_v<T, Auto>) {
          double d;
          if (value == "auto") *p = std::nullopt;
          else if (parse_finite(value, &d)) *p = d;
          else throw bad("a finite number or 'auto'");
        } else {
          if (!f->choices.empty()) {
            bool ok = false;
            std::string list;
            for (const auto& c : f->choices) {
              ok = ok || c == value;
              list += (list.empty() ? "" : "|") + c;
            }
            if (!ok) throw bad("one of " + list);
          }
          *p = value;
        }
      },
      f->ref);
}

void OptionList::set_all(const KeyValues& kv) {
  for (const auto& [k, v] : kv) set(k, v);
}

std::string OptionList::get(std::string_view key) const {
  const OptionField* f = find(key);
  if (!f) throw InvalidOptions(owner_ + ": unknown option '" + std::string(key) + "'");
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, double>) return format_double(*p);
        else if constexpr (std::is_same_v<T, Index>) return std::to_string(*p);
        else if constexpr (std::is_same_v<T, std::uint64_t>) return std::to_string(*p);
        else if constexpr (std::is_same_v<T, bool>) return *p ? "true" : "false";
        else if constexpr (std::is_same_v<T, Auto>) return *p ? format_double(**p) : "auto";
        else return *p;
      },
      f->ref);
}

KeyValues OptionList::values() const {
  KeyValues out;
  for (const auto& f : fields_) out.emplace_back(f.name, get(f.name));
  return out;
}

void Violations::positive(const std::string& name, double value) {
  check(value > 0, name + " must be > 0 (got " + format_double(value) + ")");
}

void Violations::positive_or_auto(const std::string& name, const Auto& value) {
  check(!value || *value > 0,
        name + " must be > 0 or auto (got " + format_double(value.value_or(0)) + ")");
}

void Violations::non_negative(const std::string& name, double value) {
  check(value >= 0, name + " must be >= 0 (got " + format_double(value) + ")");
}

void Violations::at_least(const std::string& name, Index value, Index min) {
  check(value >= min,
        name + " must be >= " + std::to_string(min) + " (got " + std::to_string(value) + ")");
}

void Violations::throw_if_any(const std::string& owner) const {
  if (list_.empty()) return;
  std::string msg = owner + ": ";
  for (std::size_t i = 0; i < list_.size(); ++i) msg += (i ? "; " : "") + list_[i];
  throw InvalidOptions(msg);
}

}  // namespace bilevel
