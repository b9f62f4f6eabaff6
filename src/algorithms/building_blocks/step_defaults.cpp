#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "bilevel/core/error.hpp"

namespace bilevel {

double require_constant(const std::optional<double>& c, const std::string& what,
                        const std::string& algo, const std::string& option) {
  if (!c)
    throw InvalidOptions(algo + ": option " + option + "=auto needs the problem's constant " +
                         what + ", which this problem does not know; set -A " + option + "=VALUE");
  return *c;
}

double hyperobjective_smoothness(const ProblemConstants& c, const std::string& algo,
                                 const std::string& option) {
  if (c.L_phi) return *c.L_phi;
  const double lf = require_constant(c.L_f, "L_f", algo, option);
  const double lg = require_constant(c.L_g, "L_g", algo, option);
  const double mu = require_constant(c.mu_g, "mu_g", algo, option);
  const double kappa = lg / mu;
  return lf * (1 + kappa) * (1 + kappa);
}

double nesterov_momentum(double L, double mu) {
  const double sk = std::sqrt(L / mu);
  return (sk - 1) / (sk + 1);
}

double default_cubic_regularization(const ProblemConstants& c) {
  if (c.rho_phi && *c.rho_phi > 0) return *c.rho_phi;
  if (c.x_step && *c.x_step > 0) return 1.0 / *c.x_step;
  if (c.L_phi && *c.L_phi > 0) return *c.L_phi;
  return 1.0;
}

double default_outer_step(const ProblemConstants& c, const std::string& algo,
                          const std::string& option) {
  if (!c.L_phi && c.x_step) return *c.x_step;
  return 1.0 / hyperobjective_smoothness(c, algo, option);
}

double default_outer_step(const AutoContext& c) {
  ProblemConstants k = c.constants();
  if (!k.L_phi && !k.x_step && !k.L_g) k.L_g = c.L_g();
  return default_outer_step(k, c.owner(), c.option());
}

namespace rules {

AutoRule inverse_L_g() {
  return {"1/L_g", [](const AutoContext& c) { return 1.0 / c.L_g(); }};
}

AutoRule outer_step() {
  return {"1/L_phi, else the problem's suggested step (hyperclean: n, learnreg: 1), else "
          "1/(L_f (1+kappa)^2)",
          [](const AutoContext& c) { return default_outer_step(c); }};
}

AutoRule scaled_outer_step(double scale, std::string text) {
  return {std::move(text), [scale](const AutoContext& c) { return scale * default_outer_step(c); }};
}

AutoRule cubic_regularization(const Index* m) {
  return {
      std::string(m ? "m times " : "") + "the problem's rho_phi, else 1/x_step, else L_phi, else 1",
      [m](const AutoContext& c) {
        const double factor = m ? static_cast<double>(*m) : 1.0;
        return factor * default_cubic_regularization(c.constants());
      }};
}

AutoRule kappa_log_count(const double* eps, Index fallback, Index cap) {
  return {"ceil(kappa ln(kappa/eps)) with kappa = L_g/mu_g, at most " + std::to_string(cap) + "; " +
              std::to_string(fallback) + " when the problem does not know kappa",
          [eps, fallback, cap](const AutoContext& c) {
            const ProblemConstants& k = c.constants();
            if (!k.L_g || !k.mu_g || !(*k.mu_g > 0)) return static_cast<double>(fallback);
            const double kappa = std::max(1.0, *k.L_g / *k.mu_g);
            const double n = std::ceil(kappa * std::log(std::max(kappa / *eps, 1.0)) - 1e-9);
            return std::clamp(n, 1.0, static_cast<double>(cap));
          }};
}

}  // namespace rules

}  // namespace bilevel
