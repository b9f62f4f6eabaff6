#include "bilevel/core/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/core/suggest.hpp"

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

std::string format_value(const OptionValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "auto";
        else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return format_double(x);
        else if constexpr (std::is_same_v<T, std::string>) return x;
        else return std::to_string(x);
      },
      v);
}

const OptionValue* find_value(const OptionValues& values, std::string_view name) {
  for (const auto& s : values)
    if (s.name == name) return &s.value;
  return nullptr;
}

// --- Constraint -------------------------------------------------------------------------

Constraint Constraint::positive() {
  Constraint c;
  c.kind_ = Kind::kGreater;
  c.lo_ = 0;
  return c;
}

Constraint Constraint::non_negative() { return at_least(0); }

Constraint Constraint::at_least(double min) {
  Constraint c;
  c.kind_ = Kind::kAtLeast;
  c.lo_ = min;
  return c;
}

Constraint Constraint::integer_at_least(double min) {
  Constraint c;
  c.kind_ = Kind::kIntegerAtLeast;
  c.lo_ = min;
  return c;
}

Constraint Constraint::in_range(double lo, double hi, bool lo_open, bool hi_open) {
  Constraint c;
  c.kind_ = Kind::kRange;
  c.lo_ = lo;
  c.hi_ = hi;
  c.lo_open_ = lo_open;
  c.hi_open_ = hi_open;
  return c;
}

Constraint Constraint::one_of(std::vector<std::string> values) {
  Constraint c;
  c.kind_ = Kind::kOneOf;
  c.choices_ = std::move(values);
  return c;
}

std::string Constraint::text() const {
  switch (kind_) {
    case Kind::kNone: return "";
    case Kind::kGreater: return "> " + format_double(lo_);
    case Kind::kAtLeast: return ">= " + format_double(lo_);
    case Kind::kIntegerAtLeast: return "an integer >= " + format_double(lo_);
    case Kind::kRange:
      return std::string("in ") + (lo_open_ ? "(" : "[") + format_double(lo_) + ", " +
             format_double(hi_) + (hi_open_ ? ")" : "]");
    case Kind::kOneOf: {
      // "gd or agd", "sigmoid, clip or softmax"
      std::string s;
      for (std::size_t i = 0; i < choices_.size(); ++i) {
        if (i > 0) s += i + 1 == choices_.size() ? " or " : ", ";
        s += choices_[i];
      }
      return s;
    }
  }
  return "";
}

std::optional<std::string> Constraint::violation(const std::string& name, double v,
                                                 bool is_auto) const {
  bool ok = true;
  switch (kind_) {
    case Kind::kNone:
    case Kind::kOneOf: return std::nullopt;
    case Kind::kGreater: ok = v > lo_; break;
    case Kind::kAtLeast: ok = v >= lo_; break;
    case Kind::kIntegerAtLeast: ok = v >= lo_ && v == std::floor(v); break;
    case Kind::kRange:
      ok = (lo_open_ ? v > lo_ : v >= lo_) && (hi_open_ ? v < hi_ : v <= hi_);
      break;
  }
  if (ok) return std::nullopt;
  return name + " must be " + text() + (is_auto ? " or auto" : "") + " (got " + format_double(v) +
         ")";
}

std::optional<std::string> Constraint::violation(const std::string& name,
                                                 const std::string& v) const {
  if (kind_ != Kind::kOneOf) return std::nullopt;
  for (const auto& c : choices_)
    if (c == v) return std::nullopt;
  return name + " must be " + text() + " (got " + v + ")";
}

// --- Violations -------------------------------------------------------------------------

void Violations::throw_if_any(const std::string& owner) const {
  if (list_.empty()) return;
  std::string msg = owner + ": ";
  for (std::size_t i = 0; i < list_.size(); ++i) msg += (i ? "; " : "") + list_[i];
  throw InvalidOptions(msg);
}

// --- AutoContext ------------------------------------------------------------------------

AutoContext::AutoContext(const Problem& problem, std::string owner, std::string option,
                         std::vector<std::string>* warnings)
    : problem_(problem),
      constants_(problem.constants()),
      owner_(std::move(owner)),
      option_(std::move(option)),
      warnings_(warnings) {}

double AutoContext::require(const std::optional<double>& constant, const char* what) const {
  if (!constant)
    throw InvalidOptions(owner_ + ": option " + option_ + "=auto needs the problem's constant " +
                         what + ", which this problem does not know; set -A " + option_ + "=VALUE");
  return *constant;
}

namespace {

// Power iterations spent on an estimate of L_g when the problem does not know it.
constexpr int kPowerIterations = 20;

// ||Hyy g|| at the problem's initial point by power iteration from a fixed pseudo-random
// direction (deterministic; not the all-ones vector, which is the flat direction of a softmax
// model's cross-entropy), through the problem's counted oracles: the products appear in the run's
// oracle counts (resolution happens when the run starts). The largest ||H u|| over unit u seen
// is a lower estimate that approaches ||Hyy g|| from below; 1/L_g steps stay stable up to
// twice the true constant.
double estimate_L_g(Problem& p) {
  const Vec x = p.initial_x(), y = p.initial_y();
  Rng rng(kPowerIterations);
  Vec u = gaussian_vector(p.dim_y(), rng).normalized(), hu;
  double L = 0;
  for (int k = 0; k < kPowerIterations; ++k) {
    p.hyy(Fn::kG, x, y, u, Batch{}, &hu);
    const double n = hu.norm();
    if (!(n > 0) || !std::isfinite(n)) break;
    L = std::max(L, n);
    u = hu / n;
  }
  return L;
}

}  // namespace

// A problem that does not know L_g (learnreg: it depends on x through exp(x)) gets an estimate
// at its initial point, with a warning, rather than a refusal.
double AutoContext::L_g() const {
  if (constants_.L_g) return *constants_.L_g;
  // The estimate needs products (Problem::hvp refuses them here): ask for the value instead.
  if (!problem_.has_hessian_vector_products())
    throw InvalidOptions(owner_ + ": option " + option_ + "=auto needs the problem's constant " +
                         "L_g, which this problem does not know (nor can it be estimated: the " +
                         "problem has no Hessian-vector products); set -A " + option_ + "=VALUE");
  // The problem is the run's own, which the run's methods modify (oracle counts): resolution
  // receives it const only because most rules just read constants.
  const double L = estimate_L_g(const_cast<Problem&>(problem_));
  if (!(L > 0) || !std::isfinite(L)) return require(std::nullopt, "L_g");
  warn(owner_ + ": " + option_ + "=auto: the problem does not know L_g; estimated " +
       format_short(L) + " = ||Hyy g|| at the initial point (" + std::to_string(kPowerIterations) +
       " power iterations, counted as oracle calls)");
  return L;
}
double AutoContext::L_f() const { return require(constants_.L_f, "L_f"); }
double AutoContext::mu_g() const { return require(constants_.mu_g, "mu_g"); }

void AutoContext::warn(std::string message) const {
  if (warnings_) warnings_->push_back(std::move(message));
}

std::string OptionDoc::full_help(bool with_rule) const {
  std::string out = help;
  if (with_rule && !auto_rule.empty()) out += "; auto = " + auto_rule;
  bool named = !choices.empty();
  for (const auto& c : choices) named = named && help.find(c) != std::string::npos;
  if (!constraint.empty() && !named) out += " (" + constraint + ")";
  return out;
}

// --- OptionList -------------------------------------------------------------------------

OptionList& OptionList::add(std::string name, double& field, std::string help, Constraint c) {
  fields_.push_back({std::move(name), std::move(help), &field, std::move(c), std::nullopt});
  return *this;
}
OptionList& OptionList::add(std::string name, Index& field, std::string help, Constraint c) {
  fields_.push_back({std::move(name), std::move(help), &field, std::move(c), std::nullopt});
  return *this;
}
OptionList& OptionList::add(std::string name, bool& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}, std::nullopt});
  return *this;
}
OptionList& OptionList::add(std::string name, std::uint64_t& field, std::string help) {
  fields_.push_back({std::move(name), std::move(help), &field, {}, std::nullopt});
  return *this;
}
OptionList& OptionList::add(std::string name, std::string& field, std::string help, Constraint c) {
  fields_.push_back({std::move(name), std::move(help), &field, std::move(c), std::nullopt});
  return *this;
}
OptionList& OptionList::add(std::string name, Auto& field, std::string help, Constraint c,
                            AutoRule rule) {
  std::optional<AutoRule> r;
  if (!rule.text.empty() || rule.resolve) r = std::move(rule);
  fields_.push_back({std::move(name), std::move(help), &field, std::move(c), std::move(r)});
  return *this;
}
OptionList& OptionList::rule(std::function<void(Violations&)> check) {
  rules_.push_back(std::move(check));
  return *this;
}

const OptionField* OptionList::find(std::string_view key) const {
  for (const auto& f : fields_)
    if (f.name == key) return &f;
  return nullptr;
}

bool OptionList::has(std::string_view key) const { return find(key) != nullptr; }

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

void OptionList::set(std::string_view key_in, std::string_view value_in) {
  const std::string key = trim(key_in);
  const std::string value = trim(value_in);
  const OptionField* f = find(key);
  if (!f) {
    std::string known;
    std::vector<std::string> names;
    for (const auto& g : fields_) {
      known += (known.empty() ? "" : ", ") + g.name;
      names.push_back(g.name);
    }
    throw InvalidOptions(owner_ + ": unknown option '" + key + "'" +
                         (known.empty() ? " (it takes no options)" : "; known options: " + known) +
                         did_you_mean(key, names));
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
          const auto& choices = f->constraint.choices();
          if (!choices.empty()) {
            bool ok = false;
            std::string list;
            for (const auto& c : choices) {
              ok = ok || c == value;
              list += (list.empty() ? "" : "|") + c;
            }
            if (!ok) throw bad("one of " + list + did_you_mean(value, choices));
          }
          *p = value;
        }
      },
      f->ref);
}

void OptionList::set_all(const KeyValues& kv) {
  for (const auto& [k, v] : kv) set(k, v);
}

std::vector<std::string> OptionList::violations() const {
  Violations v;
  for (const auto& f : fields_) {
    std::optional<std::string> msg = std::visit(
        [&](auto* p) -> std::optional<std::string> {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, double>) {
            return f.constraint.violation(f.name, *p, false);
          } else if constexpr (std::is_same_v<T, Index>) {
            return f.constraint.violation(f.name, static_cast<double>(*p), false);
          } else if constexpr (std::is_same_v<T, Auto>) {
            if (!*p) return std::nullopt;
            return f.constraint.violation(f.name, **p, true);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return f.constraint.violation(f.name, *p);
          } else {
            return std::nullopt;
          }
        },
        f.ref);
    if (msg) v.check(false, *msg);
  }
  for (const auto& r : rules_) r(v);
  return v.list();
}

void OptionList::resolve(const Problem& problem, std::vector<std::string>* warnings) {
  for (const auto& f : fields_) {
    Auto* const* p = std::get_if<Auto*>(&f.ref);
    if (!p || **p || !f.rule || !f.rule->resolve) continue;
    **p = f.rule->resolve(AutoContext(problem, owner_, f.name, warnings));
  }
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

OptionValues OptionList::values() const {
  OptionValues out;
  for (const auto& f : fields_) {
    OptionValue v = std::visit(
        [](auto* p) -> OptionValue {
          using T = std::remove_pointer_t<decltype(p)>;
          if constexpr (std::is_same_v<T, Auto>) {
            if (*p) return **p;
            return std::monostate{};
          } else {
            return *p;
          }
        },
        f.ref);
    out.push_back({f.name, std::move(v)});
  }
  return out;
}

KeyValues OptionList::key_values() const {
  KeyValues out;
  for (const auto& f : fields_) out.emplace_back(f.name, get(f.name));
  return out;
}

std::vector<OptionDoc> OptionList::docs() const {
  std::vector<OptionDoc> out;
  for (const auto& f : fields_) {
    out.push_back({f.name, get(f.name), f.rule ? f.rule->text : "", f.constraint.text(), f.help,
                   f.constraint.choices()});
  }
  return out;
}

}  // namespace bilevel
