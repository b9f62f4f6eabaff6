// Named, documented option fields, declared once per options struct.
//
// An options struct (an algorithm's or a problem's) lists its fields in a `declare` method:
//
//   void declare(OptionList& o) {
//     o.add("lam", lam, "penalty multiplier lambda (> 0)");
//   }
//
// and that single list drives key=value parsing (CLI, later Python), the echo of resolved
// values in summaries, and the option tables of `bilevel list`. An `Auto` field holds either
// a number or "auto" (a default the algorithm derives from the problem's constants).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "bilevel/core/problem.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

// A number, or "auto" (std::nullopt) meaning: derive it from the problem.
using Auto = std::optional<double>;

struct OptionField {
  std::string name;
  std::string help;
  std::variant<double*, Index*, bool*, std::string*, Auto*, std::uint64_t*> ref;
  std::vector<std::string> choices;  // for string fields: the allowed values (empty = any)
};

class OptionList {
 public:
  // `owner` names the algorithm or problem in error messages.
  explicit OptionList(std::string owner) : owner_(std::move(owner)) {}

  OptionList& add(std::string name, double& field, std::string help);
  OptionList& add(std::string name, Index& field, std::string help);
  OptionList& add(std::string name, bool& field, std::string help);
  OptionList& add(std::string name, Auto& field, std::string help);
  OptionList& add(std::string name, std::uint64_t& field, std::string help);
  OptionList& add(std::string name, std::string& field, std::string help,
                  std::vector<std::string> choices = {});

  // Parses `value` into the field `key`. Throws InvalidOptions naming the owner, the key and
  // what would be accepted (unknown key: the list of known keys).
  void set(std::string_view key, std::string_view value);
  void set_all(const KeyValues& kv);

  bool has(std::string_view key) const;
  std::string get(std::string_view key) const;  // current value, formatted
  KeyValues values() const;                     // every field, formatted
  const std::vector<OptionField>& fields() const { return fields_; }
  const std::string& owner() const { return owner_; }

 private:
  const OptionField* find(std::string_view key) const;
  std::string owner_;
  std::vector<OptionField> fields_;
};

// Formats a double so that it parses back to the same value (shortest round-trip form).
std::string format_double(double v);
// Six significant digits, for messages about derived constants (20, not 20.000000000000004).
std::string format_short(double v);

// Collects validation failures; `check` adds `message` when `ok` is false.
class Violations {
 public:
  void check(bool ok, std::string message) {
    if (!ok) list_.push_back(std::move(message));
  }
  // The common constraints, with uniform messages ("K must be >= 1 (got 0)").
  void positive(const std::string& name, double value);
  void positive_or_auto(const std::string& name, const Auto& value);
  void non_negative(const std::string& name, double value);
  void at_least(const std::string& name, Index value, Index min);
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }
  // Throws InvalidOptions("<owner>: <v1>; <v2>") if anything was collected.
  void throw_if_any(const std::string& owner) const;

 private:
  std::vector<std::string> list_;
};

}  // namespace bilevel
