// Options declared once.
//
// An options struct (a method's, a problem's, the run settings) holds plain typed fields with
// their defaults, and lists each of them once in `declare`, with its name, help, constraint
// and, for an "auto" field, the rule that resolves it:
//
//   struct F2baOptions {
//     double lam = 100.0;
//     Auto alpha;
//     void declare(OptionList& o) {
//       o.add("lam", lam, "penalty multiplier lambda", Constraint::positive());
//       o.add("alpha", alpha, "step of the z sequence on g", Constraint::positive(),
//             rules::inverse_L_g());
//     }
//   };
//
// That one list (bound to one instance of the struct) drives everything: key=value parsing
// (CLI, tune grids, later Python), validation with uniform messages ("lam must be > 0 (got
// -1)"), resolution of "auto" into a resolved copy when a run starts, the typed echo of the
// values in summaries, `bilevel list`, and the generated option tables of the docs. Shared
// blocks of options are members of the structs that use them, declared by calling their own
// `declare` on the same list (their keys stay flat: -A lam0=1, not -A schedule.lam0=1).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "bilevel/core/problem_constants.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class Problem;

// A number, or "auto" (std::nullopt): a value derived from the problem when a run starts.
using Auto = std::optional<double>;

// Option values as key=value text, as the CLI and grids give them.
using KeyValues = std::vector<std::pair<std::string, std::string>>;

// A typed option value as echoed in summaries; std::monostate is an unresolved "auto".
using OptionValue = std::variant<std::monostate, bool, Index, std::uint64_t, double, std::string>;

struct OptionSetting {
  std::string name;
  OptionValue value;
  bool operator==(const OptionSetting&) const = default;
};
using OptionValues = std::vector<OptionSetting>;

// "auto", "true", "10", "0.1" (shortest round-trip form for doubles).
std::string format_value(const OptionValue& v);
// The value named `name`, or nullptr.
const OptionValue* find_value(const OptionValues& values, std::string_view name);
// The pointer points into `values`: a temporary (find_value(p.option_values(), ...)) would leave
// it dangling (the sanitizer build found such a use), so that call does not compile.
const OptionValue* find_value(OptionValues&& values, std::string_view name) = delete;

// Formats a double so that it parses back to the same value (shortest round-trip form).
std::string format_double(double v);
// Six significant digits, for messages about derived constants (20, not 20.000000000000004).
std::string format_short(double v);

// A constraint on one option's value, with its text for messages and docs.
class Constraint {
 public:
  // No constraint (any value of the field's type).
  Constraint() = default;
  static Constraint positive();                    // > 0
  static Constraint non_negative();                // >= 0
  static Constraint at_least(double min);          // >= min
  static Constraint integer_at_least(double min);  // an integer >= min (for Auto fields)
  // lo <= v <= hi, with either end open: in_range(0, 1, false, true) is "in [0, 1)".
  static Constraint in_range(double lo, double hi, bool lo_open = false, bool hi_open = false);
  static Constraint one_of(std::vector<std::string> values);

  // The message for a violating value of the option `name`, or nullopt when it is allowed.
  // An unset Auto value is always allowed.
  std::optional<std::string> violation(const std::string& name, double value, bool is_auto) const;
  std::optional<std::string> violation(const std::string& name, const std::string& value) const;
  // "> 0", ">= 1", "an integer >= 1", "in (0, 1]", "gd or agd"; empty for none.
  std::string text() const;
  const std::vector<std::string>& choices() const { return choices_; }
  bool empty() const { return kind_ == Kind::kNone; }

 private:
  enum class Kind { kNone, kAtLeast, kGreater, kIntegerAtLeast, kRange, kOneOf };
  Kind kind_ = Kind::kNone;
  double lo_ = 0, hi_ = 0;
  bool lo_open_ = false, hi_open_ = false;
  std::vector<std::string> choices_;
};

// Collects validation failures; `check` adds `message` when `ok` is false.
class Violations {
 public:
  void check(bool ok, std::string message) {
    if (!ok) list_.push_back(std::move(message));
  }
  void add_all(const std::vector<std::string>& messages) {
    list_.insert(list_.end(), messages.begin(), messages.end());
  }
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }
  // Throws InvalidOptions("<owner>: <v1>; <v2>") if anything was collected.
  void throw_if_any(const std::string& owner) const;

 private:
  std::vector<std::string> list_;
};

// What an "auto" rule may read while it resolves one option: the problem (its constants and
// dimensions) and the names for messages. Rules that need a constant the problem does not
// know call require(), whose InvalidOptions tells the user which option to set.
class AutoContext {
 public:
  AutoContext(const Problem& problem, std::string owner, std::string option,
              std::vector<std::string>* warnings);

  const Problem& problem() const { return problem_; }
  const ProblemConstants& constants() const { return constants_; }
  const std::string& owner() const { return owner_; }
  const std::string& option() const { return option_; }

  // The constant `what` (e.g. "L_g"), or InvalidOptions "<owner>: option <option>=auto needs
  // the problem's constant <what>, which this problem does not know; set -A <option>=VALUE".
  double require(const std::optional<double>& constant, const char* what) const;
  double L_g() const;
  double L_f() const;
  double mu_g() const;
  // A setting outside the theory that may still work (Result::warnings).
  void warn(std::string message) const;

 private:
  const Problem& problem_;
  ProblemConstants constants_;
  std::string owner_, option_;
  std::vector<std::string>* warnings_;
};

// How an "auto" option is resolved: the rule in words (docs, `bilevel list`) and in code.
// A rule without code leaves the value "auto" for the method to handle during the run (e.g.
// ifsba's cubic_L, estimated at every step).
struct AutoRule {
  std::string text;
  std::function<double(const AutoContext&)> resolve;
};

// One declared option, bound to a field of one instance.
struct OptionField {
  std::string name;
  std::string help;
  std::variant<double*, Index*, bool*, std::string*, Auto*, std::uint64_t*> ref;
  Constraint constraint;
  std::optional<AutoRule> rule;  // Auto fields only
};

// One documented option, for `bilevel list` and the docs tables: its value as the instance
// holds it (the default for a default instance; "auto" for an unset Auto field, with its rule).
struct OptionDoc {
  std::string name;
  std::string value;
  std::string auto_rule;   // how "auto" is resolved; empty for other options
  std::string constraint;  // "> 0", ">= 1", "gd or agd"; empty for none
  std::string help;
  std::vector<std::string> choices;  // a string option's accepted values

  // The help with the rule and the constraint, as `bilevel list` and the docs show it (the
  // choices are left out when the help names every one).
  std::string full_help(bool with_rule) const;
};

class OptionList {
 public:
  // `owner` names the method, problem or settings in error messages.
  explicit OptionList(std::string owner) : owner_(std::move(owner)) {}

  OptionList& add(std::string name, double& field, std::string help, Constraint c = {});
  OptionList& add(std::string name, Index& field, std::string help, Constraint c = {});
  OptionList& add(std::string name, bool& field, std::string help);
  OptionList& add(std::string name, std::uint64_t& field, std::string help);
  // A string option; Constraint::one_of lists the accepted values.
  OptionList& add(std::string name, std::string& field, std::string help, Constraint c = {});
  // A number or "auto", resolved by `rule` when a run starts (no rule: the owner handles
  // "auto" itself).
  OptionList& add(std::string name, Auto& field, std::string help, Constraint c = {},
                  AutoRule rule = {});
  // A check across fields (e.g. c <= a), run after the per-field constraints.
  OptionList& rule(std::function<void(Violations&)> check);

  // Parses `value` into the field `key`. Throws InvalidOptions naming the owner, the key and
  // what would be accepted (unknown key: the list of known keys). A rejected value leaves the
  // field as it was.
  void set(std::string_view key, std::string_view value);
  void set_all(const KeyValues& kv);

  // Every violated constraint and cross-field rule, in declaration order.
  std::vector<std::string> violations() const;
  // Replaces every unset Auto field that has a resolving rule by the rule's value, in
  // declaration order (a rule may read fields resolved before it). Rules may throw
  // InvalidOptions (a constant the problem does not know).
  void resolve(const Problem& problem, std::vector<std::string>* warnings);

  bool has(std::string_view key) const;
  std::string get(std::string_view key) const;  // current value, formatted
  OptionValues values() const;                  // every field, typed
  KeyValues key_values() const;                 // every field as text (set_all takes it back)
  std::vector<OptionDoc> docs() const;
  const std::vector<OptionField>& fields() const { return fields_; }
  const std::string& owner() const { return owner_; }

 private:
  const OptionField* find(std::string_view key) const;
  std::string owner_;
  std::vector<OptionField> fields_;
  std::vector<std::function<void(Violations&)>> rules_;
};

// The generic operations on any declared options struct O (O has `void declare(OptionList&)`).
// Each binds a fresh list to the instance; the list never outlives the call.
template <class O>
std::vector<std::string> option_violations(const O& o, const std::string& owner) {
  O copy = o;
  OptionList list(owner);
  copy.declare(list);
  return list.violations();
}

template <class O>
void set_options(O& o, const KeyValues& kv, const std::string& owner) {
  OptionList list(owner);
  o.declare(list);
  list.set_all(kv);
}

template <class O>
O options_from(const KeyValues& kv, const std::string& owner, O o = O{}) {
  set_options(o, kv, owner);
  return o;
}

template <class O>
OptionValues option_values(const O& o, const std::string& owner = "") {
  O copy = o;
  OptionList list(owner);
  copy.declare(list);
  return list.values();
}

template <class O>
std::vector<OptionDoc> option_docs(const O& o, const std::string& owner = "") {
  O copy = o;
  OptionList list(owner);
  copy.declare(list);
  return list.docs();
}

// A copy of `o` with its "auto" fields resolved against `problem`.
template <class O>
O resolve_options(const O& o, const Problem& problem, const std::string& owner,
                  std::vector<std::string>* warnings) {
  O r = o;
  OptionList list(owner);
  r.declare(list);
  list.resolve(problem, warnings);
  return r;
}

}  // namespace bilevel
