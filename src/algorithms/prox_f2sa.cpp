#include "bilevel/algorithms/prox_f2sa.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void ProxF2saOptions::declare(OptionList& o) {
  o.add("variant", variant, "two-loop (T_k prox steps, M_k x samples) or single-loop (STORM "
                            "momentum)",
        {"two-loop", "single-loop"})
      .add("regime", regime, "noise regime choosing the exponents: both (f and g noisy), upper "
                             "(only f), none (exact)",
           {"both", "upper", "none"})
      .add("a", a, "alpha_k, beta_k decay exponent in [0, 1]; auto = from variant and regime")
      .add("c", c, "gamma_k decay (T_k, M_k growth) exponent (>= 0); auto = from variant, regime")
      .add("s", s, "lam_k = 1/sigma_k growth exponent (>= 0); auto = from variant and regime")
      .add("eta_decay", eta_decay, "eta_k decay exponent (>= 0, single-loop); auto = from regime")
      .add("rho", rho, "prox parameter (> 0, << 1/L_g); auto = 1/(4 L_g)")
      .add("lam0", lam0, "initial multiplier lam_0 = 1/sigma_0 (> 0); auto = 2 L_f/mu_g")
      .add("lam_max", lam_max, "cap on lam_k = 1/sigma_k (0 = no cap)")
      .add("alpha0", alpha0, "initial x step (> 0); auto = rho")
      .add("beta0", beta0, "initial proximal-smoothing weight in (0, 1]")
      .add("gamma0", gamma0,
           "initial prox-subproblem step (> 0); auto = 1/(1/rho + L_g + L_f/lam0)")
      .add("T0", T0, "prox steps per outer iteration at k = 0 (>= 1, two-loop)")
      .add("T_max", T_max, "cap on T_k (0 = no cap)")
      .add("M0", M0, "x-direction samples at k = 0 (>= 1, two-loop)")
      .add("M_max", M_max, "cap on M_k (0 = no cap)")
      .add("eta0", eta0, "momentum weight at k = 0 in (0, 1] (single-loop)")
      .add("k0", k0, "schedule offset k0 (> 0): r = (k + k0)/k0")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)");
}

std::vector<std::string> ProxF2saOptions::validate() const {
  Violations v;
  auto non_negative_or_auto = [&](const std::string& name, const Auto& e) {
    v.check(!e || *e >= 0,
            name + " must be >= 0 or auto (got " + format_double(e.value_or(0)) + ")");
  };
  v.check(!a || (*a >= 0 && *a <= 1),
          "a must be in [0, 1] (got " + format_double(a.value_or(0)) + ")");
  non_negative_or_auto("c", c);
  non_negative_or_auto("s", s);
  non_negative_or_auto("eta_decay", eta_decay);
  v.positive_or_auto("rho", rho);
  v.positive_or_auto("lam0", lam0);
  v.non_negative("lam_max", lam_max);
  v.positive_or_auto("alpha0", alpha0);
  v.check(beta0 > 0 && beta0 <= 1, "beta0 must be in (0, 1] (got " + format_double(beta0) + ")");
  v.positive_or_auto("gamma0", gamma0);
  v.at_least("T0", T0, 1);
  v.at_least("T_max", T_max, 0);
  v.at_least("M0", M0, 1);
  v.at_least("M_max", M_max, 0);
  v.check(eta0 > 0 && eta0 <= 1, "eta0 must be in (0, 1] (got " + format_double(eta0) + ")");
  v.positive("k0", k0);
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
  return v.list();
}

double ProxF2sa::lam_at(Index k) const {
  const double l = lam_.at(k);
  return o_.lam_max > 0 ? std::min(l, o_.lam_max) : l;
}

double ProxF2sa::eta_at(Index k) const { return std::min(1.0, eta_.at(k)); }

Index ProxF2sa::capped_count(const PowerSequence& s, Index cap, Index k) {
  // ceil, forgiving rounding (3.0000000000000004 is 3).
  const auto n = static_cast<Index>(std::ceil(s.at(k) - 1e-9));
  return cap > 0 ? std::min(n, cap) : n;
}

KeyValues ProxF2sa::resolved_options() {
  ProxF2saOptions r = o_;
  r.a = alpha_.e;
  r.c = gamma_.e;
  r.s = -lam_.e;
  r.eta_decay = eta_.e;
  r.rho = rho_;
  r.lam0 = lam_.v0;
  r.alpha0 = alpha_.v0;
  r.gamma0 = gamma_.v0;
  return echo(r);
}

void ProxF2sa::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants cst = p.constants();
  const bool two = o_.variant == "two-loop";
  // The slides' exponents (a, c, s, eta_decay) for the regimes both / upper / none; the
  // two-loop algorithm has no momentum, and the single-loop one's gamma_k decays like alpha_k.
  struct Exponents {
    double a, c, s, eta_decay;
  };
  auto by_regime = [&](Exponents both, Exponents upper, Exponents none) {
    return o_.regime == "both" ? both : o_.regime == "upper" ? upper : none;
  };
  const Exponents e =
      two ? by_regime({0, 4.0 / 3, 1.0 / 3, 0}, {0, 2.0 / 3, 1.0 / 3, 0}, {0, 0, 1.0 / 3, 0})
          : by_regime({2.0 / 5, 2.0 / 5, 1.0 / 5, 4.0 / 5}, {1.0 / 4, 1.0 / 4, 1.0 / 4, 1.0 / 2},
                      {0, 0, 1.0 / 3, 0});
  const double a = o_.a.value_or(e.a);
  const double c = o_.c.value_or(two ? e.c : a);
  const double s = o_.s.value_or(e.s);
  const double n = o_.eta_decay.value_or(e.eta_decay);

  rho_ = o_.rho ? *o_.rho : 1.0 / (4 * require_constant(cst.L_g, "L_g", name(), "rho"));
  const double lam0 = o_.lam0 ? *o_.lam0
                              : 2 * require_constant(cst.L_f, "L_f", name(), "lam0") /
                                    require_constant(cst.mu_g, "mu_g", name(), "lam0");
  const double gamma0 =
      o_.gamma0 ? *o_.gamma0
                : 1.0 / (1.0 / rho_ + require_constant(cst.L_g, "L_g", name(), "gamma0") +
                         require_constant(cst.L_f, "L_f", name(), "gamma0") / lam0);
  alpha_ = {o_.alpha0.value_or(rho_), a, o_.k0};
  beta_ = {o_.beta0, a, o_.k0};
  gamma_ = {gamma0, c, o_.k0};
  lam_ = {lam0, -s, o_.k0};
  eta_ = {o_.eta0, n, o_.k0};
  T_ = {static_cast<double>(o_.T0), -c, o_.k0};
  M_ = {static_cast<double>(o_.M0), -c, o_.k0};
  if (cst.L_g && cst.L_f && rho_ * (*cst.L_g + *cst.L_f / lam0) >= 1)
    warn(name() + ": rho (L_g + L_f/lam0) = " +
         format_short(rho_ * (*cst.L_g + *cst.L_f / lam0)) +
         " >= 1: the prox subproblems may be nonconvex (slides: rho << 1/L_g)");

  box_x_ = p.box_x();
  box_y_ = p.box_y();
  x_ = x0;
  y_ = y0;
  project_x(&x_);
  project_y(&y_);
  if (x_ != x0 || y_ != y0) warn(name() + ": the starting point was projected onto the boxes");
  z_ = y_;
  wy_ = y_;
  wz_ = y_;
  sf_ = Sampler(p.num_samples(Fn::kF), o_.batch_f);
  sg_ = Sampler(p.num_samples(Fn::kG), o_.batch_g);
  for (StormEstimator* e : {&gz_, &fy_, &gy_, &fx_, &gxy_, &gxz_}) e->reset();
}

void ProxF2sa::project_x(Vec* v) const {
  if (box_x_) box_x_->project(v);
}

void ProxF2sa::project_y(Vec* v) const {
  if (box_y_) box_y_->project(v);
}

void ProxF2sa::smooth_centres(double beta) {
  // Proximal smoothing: the centres move a fraction beta towards the prox iterates (convex
  // combinations of points of Y stay in Y).
  y_ = (1 - beta) * y_ + beta * wy_;
  z_ = (1 - beta) * z_ + beta * wz_;
}

void ProxF2sa::step(Problem& p, Rng& rng, Index k) {
  if (o_.variant == "two-loop") {
    two_loop_step(p, rng, k);
  } else {
    single_loop_step(p, rng, k);
  }
}

void ProxF2sa::two_loop_step(Problem& p, Rng& rng, Index k) {
  const double sigma = sigma_at(k), gamma = gamma_.at(k), inv_rho = 1.0 / rho_;
  u_ = wy_;
  v_ = wz_;
  for (Index t = 0, T = T_at(k); t < T; ++t) {
    // Gradients at (x_k, v) for z and at (x_k, u) for y, drawn in f2sa's order.
    penalty_inner_gradients(p, rng, sf_, sg_, x_, v_, u_, &inner_);
    v_ -= gamma * (inner_.ggz + inv_rho * (v_ - z_));
    project_y(&v_);
    u_ -= gamma * (sigma * inner_.gfy + inner_.ggy + inv_rho * (u_ - y_));
    project_y(&u_);
  }
  wy_ = u_;
  wz_ = v_;
  smooth_centres(beta_.at(k));
  const Index M = M_at(k);
  dir_.setZero(x_.size());
  for (Index m = 0; m < M; ++m) {
    p.grad(Fn::kF, x_, wy_, sf_.draw(rng), &gfx_, nullptr);
    p.grad(Fn::kG, x_, wy_, sg_.draw(rng), &ggxy_, nullptr);
    p.grad(Fn::kG, x_, wz_, sg_.draw(rng), &ggxz_, nullptr);
    dir_ += sigma * gfx_ + ggxy_ - ggxz_;
  }
  x_ -= (alpha_.at(k) / static_cast<double>(M)) * dir_;
  project_x(&x_);
}

void ProxF2sa::single_loop_step(Problem& p, Rng& rng, Index k) {
  const double sigma = sigma_at(k), gamma = gamma_.at(k), eta = eta_at(k),
               inv_rho = 1.0 / rho_;
  const Vec& hgz = gz_.update(p, sg_.draw(rng), x_, wz_, eta);
  const Vec& hfy = fy_.update(p, sf_.draw(rng), x_, wy_, eta);
  const Vec& hgy = gy_.update(p, sg_.draw(rng), x_, wy_, eta);
  wz_ -= gamma * (hgz + inv_rho * (wz_ - z_));
  project_y(&wz_);
  wy_ -= gamma * (sigma * hfy + hgy + inv_rho * (wy_ - y_));
  project_y(&wy_);
  smooth_centres(beta_.at(k));
  const Vec& hfx = fx_.update(p, sf_.draw(rng), x_, wy_, eta);
  const Vec& hgxy = gxy_.update(p, sg_.draw(rng), x_, wy_, eta);
  const Vec& hgxz = gxz_.update(p, sg_.draw(rng), x_, wz_, eta);
  x_ -= alpha_.at(k) * (sigma * hfx + hgxy - hgxz);
  project_x(&x_);
}

}  // namespace bilevel
