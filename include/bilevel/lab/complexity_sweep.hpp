// What a complexity sweep varies, and algorithm options written in terms of it.
//
// A sweep runs one algorithm on a family of problems that differ in one numeric option (the
// hard instances' target accuracy `eps`, their condition number `kappa`, or any other number
// a problem declares), or on one problem with a shrinking stopping tolerance (`tol`). Some
// algorithm options must follow the swept value for the method's guarantee to hold: F2BA's
// penalty grows like 1/eps (f2ba paper, Theorem 4.1: lam ~ kappa^3/eps), so `-A lam=10/eps`
// is evaluated at every point of the sweep.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bilevel/core/problem.hpp"

namespace bilevel {

// The pseudo-key that sweeps the stopping tolerance on ||grad phi|| of one fixed problem
// instead of a problem option.
inline constexpr std::string_view kToleranceKey = "tol";

struct ComplexitySweep {
  std::string key;             // a numeric problem option, or "tol"
  std::vector<double> values;  // > 0 and distinct, in the order given
};

// Parses "KEY=v1,v2,..." or "KEY=lo:hi:N" (N >= 2 points log-spaced from lo to hi, both > 0
// and different; lo > hi sweeps downwards, e.g. eps=0.1:0.001:5). Every value must be finite,
// > 0 (the costs are fitted on a log-log scale) and appear once. Throws InvalidInput naming
// the spec and the accepted forms.
ComplexitySweep parse_complexity_sweep(std::string_view spec);

// True for keys whose complexity is stated in 1/value: the accuracy `eps` of the hard
// instances and the stopping tolerance `tol` (calls ~ value^-a, reported as a).
bool is_accuracy_key(std::string_view key);

// An option value written in terms of the sweep variable VAR: "[C*]VAR[^Q]" or "C/VAR[^Q]"
// (C and Q numbers, Q may be negative), e.g. "10/eps", "0.5*kappa^2", "eps^-0.5", "eps".
// Returns the value at VAR = `value`, or nullopt for a plain value (no '*', '/' or '^' and
// not VAR itself: "auto", "gd", "1e-3"), which passes through unchanged. Throws InvalidInput
// for a malformed expression, one in another variable than `var`, or a non-finite result.
std::optional<double> evaluate_option_expression(std::string_view text, std::string_view var,
                                                 double value);

// `options` with every expression in `var` replaced by its value at `value` (shortest
// round-trip form; run_complexity then rounds the values of integer options). `flag` ("-A")
// names the flag in errors.
KeyValues options_at(const KeyValues& options, std::string_view var, double value,
                     std::string_view flag = "-A");

}  // namespace bilevel
