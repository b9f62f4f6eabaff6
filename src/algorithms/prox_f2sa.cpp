#include "bilevel/algorithms/prox_f2sa.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

namespace {

// The slides' exponents (a, c, s, eta_decay) for the regimes both / upper / none; the
// two-loop algorithm has no momentum, and the single-loop one's gamma_k decays like alpha_k.
struct Exponents {
  double a, c, s, eta_decay;
};

Exponents slides_exponents(const std::string& variant, const std::string& regime) {
  auto by_regime = [&](Exponents both, Exponents upper, Exponents none) {
    return regime == "both" ? both : regime == "upper" ? upper : none;
  };
  return variant == "two-loop"
             ? by_regime({0, 4.0 / 3, 1.0 / 3, 0}, {0, 2.0 / 3, 1.0 / 3, 0}, {0, 0, 1.0 / 3, 0})
             : by_regime({2.0 / 5, 2.0 / 5, 1.0 / 5, 4.0 / 5}, {1.0 / 4, 1.0 / 4, 1.0 / 4, 1.0 / 2},
                         {0, 0, 1.0 / 3, 0});
}

}  // namespace

void ProxF2saOptions::declare(OptionList& o) {
  using C = Constraint;
  const auto slides = [this] { return slides_exponents(variant, regime); };
  o.add("variant", variant,
        "two-loop (T_k prox steps, M_k x samples) or single-loop (STORM momentum)",
        C::one_of({"two-loop", "single-loop"}))
      .add("regime", regime,
           "noise regime choosing the exponents: both (f and g noisy), upper (only f), none "
           "(exact)",
           C::one_of({"both", "upper", "none"}))
      .add("a", a, "alpha_k, beta_k decay exponent", C::in_range(0, 1),
           {"from variant and regime", [slides](const AutoContext&) { return slides().a; }})
      .add("c", c, "gamma_k decay (T_k, M_k growth) exponent", C::non_negative(),
           {"from variant and regime (single-loop: a)",
            [this, slides](const AutoContext&) { return variant == "two-loop" ? slides().c : *a; }})
      .add("s", s, "lam_k = 1/sigma_k growth exponent", C::non_negative(),
           {"from variant and regime", [slides](const AutoContext&) { return slides().s; }})
      .add("eta_decay", eta_decay, "eta_k decay exponent (single-loop)", C::non_negative(),
           {"from variant and regime", [slides](const AutoContext&) { return slides().eta_decay; }})
      .add("rho", rho, "prox parameter (<< 1/L_g)", C::positive(),
           {"1/(4 L_g)", [](const AutoContext& x) { return 1.0 / (4 * x.L_g()); }})
      .add("lam0", lam0,
           "initial multiplier lam_0 = 1/sigma_0; problems without mu_g (nasty) need it set",
           C::positive(),
           // 1 for a linear f (L_f = 0, hard-kwon), where 2 L_f/mu_g = 0 is no multiplier.
           {"2 L_f/mu_g, 1 when L_f = 0",
            [](const AutoContext& x) {
              const double lam = 2 * x.L_f() / x.mu_g();
              return lam > 0 ? lam : 1.0;
            }})
      .add("lam_max", lam_max, "cap on lam_k = 1/sigma_k (the slides' sigma_K = eps; 0 = no cap)",
           C::non_negative())
      .add("alpha0", alpha0, "initial x step (slides: alpha_k ~ rho)", C::positive(),
           {"rho", [this](const AutoContext&) { return *rho; }})
      .add("beta0", beta0, "initial proximal-smoothing weight", C::in_range(0, 1, true, false))
      .add(
          "gamma0", gamma0, "initial prox-subproblem step: one over its smoothness at k = 0",
          C::positive(),
          {"1/(1/rho + L_g + L_f/lam0)",
           [this](const AutoContext& x) { return 1.0 / (1.0 / *rho + x.L_g() + x.L_f() / *lam0); }})
      .add("T0", T0,
           "prox steps per outer iteration at k = 0 (two-loop); the subproblems are well "
           "conditioned ((1/rho + L_g)/(1/rho - L_g) = 5/3 at the default rho) and warm-started",
           C::at_least(1))
      .add("T_max", T_max, "cap on T_k (0 = no cap)", C::non_negative())
      .add("M0", M0, "x-direction samples at k = 0 (two-loop)", C::at_least(1))
      .add("M_max", M_max, "cap on M_k (0 = no cap)", C::non_negative())
      .add("eta0", eta0, "momentum weight at k = 0 (single-loop)", C::in_range(0, 1, true, false))
      .add("k0", k0, "schedule offset k0: r = (k + k0)/k0", C::positive())
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)", C::non_negative());
}

double ProxF2saRun::lam_at(Index k) const {
  const double l = lam_.at(k);
  return o_.lam_max > 0 ? std::min(l, o_.lam_max) : l;
}

double ProxF2saRun::eta_at(Index k) const { return std::min(1.0, eta_.at(k)); }

Index ProxF2saRun::capped_count(const PowerSequence& s, Index cap, Index k) {
  // ceil, forgiving rounding (3.0000000000000004 is 3).
  const auto n = static_cast<Index>(std::ceil(s.at(k) - 1e-9));
  return cap > 0 ? std::min(n, cap) : n;
}

ProxF2saRun::ProxF2saRun(const ProxF2saOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                         RunContext& context)
    : o_(r),
      alpha_{*r.alpha0, *r.a, r.k0},
      beta_{r.beta0, *r.a, r.k0},
      gamma_{*r.gamma0, *r.c, r.k0},
      lam_{*r.lam0, -*r.s, r.k0},
      eta_{r.eta0, *r.eta_decay, r.k0},
      T_{static_cast<double>(r.T0), -*r.c, r.k0},
      M_{static_cast<double>(r.M0), -*r.c, r.k0},
      rho_(*r.rho),
      box_x_(p.box_x()),
      box_y_(p.box_y()),
      sf_(p.num_samples(Fn::kF), r.batch_f),
      sg_(p.num_samples(Fn::kG), r.batch_g) {
  const ProblemConstants cst = p.constants();
  const double lam0 = *r.lam0;
  if (cst.L_g && cst.L_f && rho_ * (*cst.L_g + *cst.L_f / lam0) >= 1)
    context.warn(context.algo +
                 ": rho (L_g + L_f/lam0) = " + format_short(rho_ * (*cst.L_g + *cst.L_f / lam0)) +
                 " >= 1: the prox subproblems may be nonconvex (slides: rho << 1/L_g)");
  x_ = x0;
  y_ = y0;
  project_x(&x_);
  project_y(&y_);
  if (x_ != x0 || y_ != y0)
    context.warn(context.algo + ": the starting point was projected onto the boxes");
  z_ = y_;
  wy_ = y_;
  wz_ = y_;
}

void ProxF2saRun::project_x(Vec* v) const {
  if (box_x_) box_x_->project(v);
}

void ProxF2saRun::project_y(Vec* v) const {
  if (box_y_) box_y_->project(v);
}

void ProxF2saRun::smooth_centres(double beta) {
  // Proximal smoothing: the centres move a fraction beta towards the prox iterates (convex
  // combinations of points of Y stay in Y).
  y_ = (1 - beta) * y_ + beta * wy_;
  z_ = (1 - beta) * z_ + beta * wz_;
}

void ProxF2saRun::step(Problem& p, Rng& rng, Index k) {
  if (o_.variant == "two-loop") {
    two_loop_step(p, rng, k);
  } else {
    single_loop_step(p, rng, k);
  }
}

void ProxF2saRun::two_loop_step(Problem& p, Rng& rng, Index k) {
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

void ProxF2saRun::single_loop_step(Problem& p, Rng& rng, Index k) {
  const double sigma = sigma_at(k), gamma = gamma_.at(k), eta = eta_at(k), inv_rho = 1.0 / rho_;
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
