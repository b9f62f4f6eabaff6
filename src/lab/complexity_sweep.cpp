#include "bilevel/lab/complexity_sweep.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/parse.hpp"

namespace bilevel {

namespace {

constexpr const char* kSweepForms =
    "give KEY=v1,v2,... or KEY=lo:hi:N (N >= 2 log-spaced points, e.g. eps=0.1:0.001:5)";
constexpr const char* kExpressionForms =
    "write [C*]VAR[^Q] or C/VAR[^Q] with VAR the sweep key (e.g. 10/eps, 0.5*kappa^2)";


InvalidInput bad_sweep(std::string_view spec, const std::string& why) {
  return InvalidInput("sweep '" + std::string(spec) + "' " + why + "; " + kSweepForms);
}

double parse_value(std::string_view spec, std::string_view text) {
  double v = 0;
  if (!parse_finite(text, &v))
    throw bad_sweep(spec, "has a value '" + std::string(text) + "' that is not a number");
  if (v <= 0)
    throw bad_sweep(
        spec, "has a value " + std::string(text) + " <= 0 (costs are fitted on a log-log scale)");
  return v;
}

// N points from lo to hi, equally spaced in log, each rounded to 15 significant digits so
// that 1e-1:1e-3:3 gives exactly 0.1, 0.01, 0.001 rather than their last-bit neighbours.
std::vector<double> log_spaced(std::string_view spec, std::string_view range) {
  const std::size_t c1 = range.find(':');
  const std::size_t c2 = range.find(':', c1 + 1);
  if (c2 == std::string_view::npos || range.find(':', c2 + 1) != std::string_view::npos)
    throw bad_sweep(spec, "is not of the form lo:hi:N");
  const double lo = parse_value(spec, range.substr(0, c1));
  const double hi = parse_value(spec, range.substr(c1 + 1, c2 - c1 - 1));
  double n = 0;
  const std::string_view n_text = range.substr(c2 + 1);
  if (!parse_finite(n_text, &n) || n != std::floor(n) || n < 2 || n > 1000)
    throw bad_sweep(spec,
                    "has N = '" + std::string(n_text) + "'; N must be an integer from 2 to 1000");
  if (lo == hi) throw bad_sweep(spec, "has lo = hi");
  std::vector<double> values;
  const auto count = static_cast<int>(n);
  for (int k = 0; k < count; ++k) {
    const double t = static_cast<double>(k) / (count - 1);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", lo * std::pow(hi / lo, t));
    values.push_back(std::stod(buf));
  }
  return values;
}

std::vector<double> listed(std::string_view spec, std::string_view list) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string_view item = list.substr(start, comma - start);
    if (item.empty()) throw bad_sweep(spec, "has an empty value");
    values.push_back(parse_value(spec, item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return values;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

InvalidInput bad_expression(std::string_view text, const std::string& why) {
  return InvalidInput("option expression '" + std::string(text) + "' " + why + "; " +
                      kExpressionForms);
}

}  // namespace

ComplexitySweep parse_complexity_sweep(std::string_view spec) {
  const std::size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
    throw bad_sweep(spec, "is malformed");
  ComplexitySweep sweep;
  sweep.key = std::string(spec.substr(0, eq));
  if (!is_identifier(sweep.key)) throw bad_sweep(spec, "has a key that is not an option name");
  const std::string_view rest = spec.substr(eq + 1);
  if (rest.find(':') != std::string_view::npos) {
    if (rest.find(',') != std::string_view::npos) throw bad_sweep(spec, "mixes ',' and ':'");
    sweep.values = log_spaced(spec, rest);
  } else {
    sweep.values = listed(spec, rest);
  }
  for (std::size_t i = 0; i < sweep.values.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (sweep.values[i] == sweep.values[j])
        throw bad_sweep(spec, "gives the value " + format_double(sweep.values[i]) + " twice");
  return sweep;
}

bool is_accuracy_key(std::string_view key) { return key == "eps" || key == kToleranceKey; }

std::optional<double> evaluate_option_expression(std::string_view text, std::string_view var,
                                                 double value) {
  const bool has_operator = text.find_first_of("*/^") != std::string_view::npos;
  if (!has_operator && text != var) return std::nullopt;

  // Split "C*REST", "C/REST" or "REST" with REST = "NAME" or "NAME^Q".
  double c = 1;
  bool divide = false;
  std::string_view rest = text;
  const std::size_t op = text.find_first_of("*/");
  if (op != std::string_view::npos) {
    if (!parse_finite(text.substr(0, op), &c))
      throw bad_expression(text, "needs a number before '" + std::string(1, text[op]) + "'");
    divide = text[op] == '/';
    rest = text.substr(op + 1);
  }
  double q = 1;
  const std::size_t caret = rest.find('^');
  std::string_view name = rest.substr(0, caret);
  if (caret != std::string_view::npos && !parse_finite(rest.substr(caret + 1), &q))
    throw bad_expression(text, "needs a number after '^'");
  if (!is_identifier(name)) throw bad_expression(text, "is malformed");
  if (name != var)
    throw bad_expression(
        text, "uses '" + std::string(name) + "' but the sweep varies '" + std::string(var) + "'");
  const double power = std::pow(value, q);
  const double result = divide ? c / power : c * power;
  if (!std::isfinite(result))
    throw bad_expression(text,
                         "is not finite at " + std::string(var) + " = " + format_double(value));
  return result;
}

KeyValues options_at(const KeyValues& options, std::string_view var, double value,
                     std::string_view flag) {
  KeyValues out;
  for (const auto& [key, text] : options) {
    std::optional<double> v;
    try {
      v = evaluate_option_expression(text, var, value);
    } catch (const InvalidInput& e) {
      throw InvalidInput(std::string(flag) + " " + key + ": " + e.what());
    }
    out.emplace_back(key, v ? format_double(*v) : text);
  }
  return out;
}

}  // namespace bilevel
