#include "bilevel/algorithms/pf2ba.hpp"

#include <cmath>

#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

void Pf2baOptions::declare(OptionList& o) {
  using C = Constraint;
  f2ba.declare(o, &eps);  // the auto lam is chosen for this eps
  o.add("eps", eps,
        "target gradient norm; perturb when the F2BA direction ||d_t|| <= 4/5 eps; the auto "
        "lam is chosen for it",
        C::positive())
      .add("rho", rho,
           "Hessian-Lipschitz constant of the proxy L*_lam: curvature target sqrt(rho eps). "
           "Problems report rho_phi, phi's constant, not the proxy's, so it stays an option; 1 "
           "gives Theorem 5.1's (eps, sqrt(eps)) target",
           C::positive())
      .add("delta", delta, "failure probability, used by the auto iota",
           C::in_range(0, 1, true, true))
      .add("iota", iota, "log factor of Prop. 5.1 (7)", C::at_least(1),
           {"the smallest integer >= 1 with delta >= L sqrt(d)/sqrt(rho eps) iota^2 2^(8-iota), "
            "L = 1/eta, d = dim x",
            [this](const AutoContext& c) {
              // Prop. 5.1 sets eta = 1/L: the smoothness the chosen outer step implies.
              const double L = 1.0 / *f2ba.eta;
              if (!(std::isfinite(L / std::sqrt(rho * eps)) && rho * eps > 0))
                throw InvalidOptions(c.owner() +
                                     ": iota=auto needs L/sqrt(rho eps) finite (L = "
                                     "1/eta = " +
                                     format_short(L) + ", rho eps = " + format_short(rho * eps) +
                                     "); set -A iota=VALUE");
              return perturbation_iota(L, c.problem().dim_x(), rho, eps, delta);
            }})
      .add("r", r, "radius of the perturbation ball (Prop. 5.1)", C::positive(),
           {"eps/(400 iota^3)",
            [this](const AutoContext&) { return eps / (400 * *iota * *iota * *iota); }})
      .add("T_pert", T_pert,
           "iterations a perturbation waits for the previous one (Prop. 5.1's script T)",
           C::integer_at_least(0),
           {"ceil(iota L/sqrt(rho eps))",
            [this](const AutoContext& c) {
              const double L = 1.0 / *f2ba.eta;
              const double t = std::ceil(*iota * L / std::sqrt(rho * eps));
              if (!(t < 1e15))
                throw InvalidOptions(c.owner() + ": T_pert=auto gives " + format_short(t) +
                                     " iterations between perturbations; set -A T_pert=VALUE");
              return t;
            }})
      .rule([this](Violations& v) {
        v.check(!T_pert || *T_pert < 1e15,
                "T_pert must be below 1e15 (got " + format_double(T_pert.value_or(0)) + ")");
      });
}

void sample_uniform_ball(double r, Rng& rng, Vec* xi) {
  const Index d = xi->size();
  double norm = 0;
  while (norm == 0) {  // a zero Gaussian vector has probability 0; redraw rather than divide
    for (Index i = 0; i < d; ++i) (*xi)(i) = standard_normal(rng);
    norm = xi->norm();
  }
  // The radius of a uniform point in a d-ball has P(|xi| <= s) = (s/r)^d.
  const double radius = r * std::pow(uniform01(rng), 1.0 / static_cast<double>(d));
  *xi *= radius / norm;
}

double perturbation_iota(double L, Index d, double rho, double eps, double delta) {
  // In logs, so that 2^(8 - iota) cannot underflow: log C + 2 log iota + (8 - iota) log 2.
  const double log_c = std::log(L * std::sqrt(static_cast<double>(d)) / std::sqrt(rho * eps));
  const double log_delta = std::log(delta);
  for (double iota = 1;; ++iota)
    if (log_c + 2 * std::log(iota) + (8 - iota) * std::log(2.0) <= log_delta) return iota;
}

Pf2baRun::Pf2baRun(const Pf2baOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                   RunContext& context)
    : it_(r.f2ba.penalty, p, x0, y0, context),
      eta_(*r.f2ba.eta),
      eps_(r.eps),
      r_(*r.r),
      T_pert_(static_cast<Index>(*r.T_pert)),
      xi_(Vec::Zero(p.dim_x())) {}

void Pf2baRun::step(Problem& p, Rng& rng, Index t) {
  const Vec& d = it_.direction(p, rng);  // Alg. 2, lines 3-9
  Vec& x = it_.x();
  // Line 10; before the first perturbation there is no t' to wait for.
  const bool waited = last_perturbation_ < 0 || t - last_perturbation_ > T_pert_;
  if (waited && d.norm() <= 0.8 * eps_) {
    sample_uniform_ball(r_, rng, &xi_);  // line 11
    x -= eta_ * xi_;                     // line 12
    last_perturbation_ = t;
    ++perturbations_;
  }
  x -= eta_ * d;  // line 14, with the d_t of line 9
}

std::vector<std::pair<std::string, double>> Pf2baRun::counters() const {
  return {{"perturbations", static_cast<double>(perturbations_)},
          {"last_perturbation_iter", static_cast<double>(last_perturbation_)},
          {"inner_steps", static_cast<double>(it_.inner_steps())}};
}

std::vector<ComplexityBound> Pf2ba::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds("upper",
                         {{"eps", false, 2, "O(kappa^4 eps^-2 log^5(kappa/eps))",
                           "Chen, Ma & Zhang 2025, Theorem 5.1"},
                          {"kappa", false, 4, "O(kappa^4 eps^-2 log^5(kappa/eps))",
                           "Chen, Ma & Zhang 2025, Theorem 5.1"}},
                         key, stochastic);
}

}  // namespace bilevel
