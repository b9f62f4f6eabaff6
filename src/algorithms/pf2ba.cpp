#include "bilevel/algorithms/pf2ba.hpp"

#include <cmath>

#include "bilevel/core/error.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

void Pf2baOptions::declare(OptionList& o) {
  F2baOptions::declare(o);
  o.add("eps", eps, "target gradient norm; perturb when the F2BA direction is <= 4/5 eps (> 0)")
      .add("rho", rho,
           "Hessian-Lipschitz constant of the proxy (> 0); curvature target sqrt(rho eps)")
      .add("delta", delta, "failure probability for the auto iota, in (0, 1)")
      .add("iota", iota,
           "log factor of Prop. 5.1 (>= 1); auto = smallest integer with "
           "delta >= L sqrt(d)/sqrt(rho eps) iota^2 2^(8-iota), L = 1/eta")
      .add("r", r, "perturbation radius (> 0); auto = eps/(400 iota^3)")
      .add("T_pert", T_pert,
           "iterations between perturbations (integer >= 0); auto = ceil(iota L/sqrt(rho eps))");
}

std::vector<std::string> Pf2baOptions::validate() const {
  std::vector<std::string> list = F2baOptions::validate();
  Violations v;
  v.positive("eps", eps);
  v.positive("rho", rho);
  v.check(delta > 0 && delta < 1, "delta must be in (0, 1) (got " + format_double(delta) + ")");
  v.check(!iota || *iota >= 1, "iota must be >= 1 or auto (got " +
                                   format_double(iota.value_or(0)) + ")");
  v.positive_or_auto("r", r);
  v.check(!T_pert || (*T_pert >= 0 && *T_pert == std::floor(*T_pert) && *T_pert < 1e15),
          "T_pert must be an integer >= 0 or auto (got " + format_double(T_pert.value_or(0)) +
              ")");
  list.insert(list.end(), v.list().begin(), v.list().end());
  return list;
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

KeyValues Pf2ba::resolved_options() {
  Pf2baOptions r = o_;
  it_.resolve(&r);
  r.iota = iota_;
  r.r = r_;
  r.T_pert = static_cast<double>(T_pert_);
  return echo(r);
}

void Pf2ba::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  std::vector<std::string> warnings;
  it_.init(p, o_, name(), x0, y0, &warnings);
  for (auto& w : warnings) warn(std::move(w));
  // Prop. 5.1 sets eta = 1/L: the smoothness the chosen outer step implies.
  const double L = 1.0 / it_.eta();
  if (!o_.iota && !(std::isfinite(L / std::sqrt(o_.rho * o_.eps)) && o_.rho * o_.eps > 0))
    throw InvalidOptions(name() + ": iota=auto needs L/sqrt(rho eps) finite (L = 1/eta = " +
                         format_short(L) + ", rho eps = " + format_short(o_.rho * o_.eps) +
                         "); set -A iota=VALUE");
  iota_ = o_.iota ? *o_.iota : perturbation_iota(L, p.dim_x(), o_.rho, o_.eps, o_.delta);
  r_ = o_.r ? *o_.r : o_.eps / (400 * iota_ * iota_ * iota_);
  const double t_pert = o_.T_pert ? *o_.T_pert : std::ceil(iota_ * L / std::sqrt(o_.rho * o_.eps));
  if (!(t_pert < 1e15))
    throw InvalidOptions(name() + ": T_pert=auto gives " + format_short(t_pert) +
                         " iterations between perturbations; set -A T_pert=VALUE");
  T_pert_ = static_cast<Index>(t_pert);
  perturbations_ = 0;
  last_perturbation_ = -1;
  xi_ = Vec::Zero(p.dim_x());
}

void Pf2ba::step(Problem& p, Rng& rng, Index t) {
  const Vec& d = it_.direction(p, rng);  // Alg. 2, lines 3-9
  Vec& x = it_.x();
  const double eta = it_.eta();
  // Line 10; before the first perturbation there is no t' to wait for.
  const bool waited = last_perturbation_ < 0 || t - last_perturbation_ > T_pert_;
  if (waited && d.norm() <= 0.8 * o_.eps) {
    sample_uniform_ball(r_, rng, &xi_);  // line 11
    x -= eta * xi_;                      // line 12
    last_perturbation_ = t;
    ++perturbations_;
  }
  x -= eta * d;  // line 14, with the d_t of line 9
}

}  // namespace bilevel
