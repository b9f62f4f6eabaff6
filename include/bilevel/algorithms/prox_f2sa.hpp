// Prox-F2SA: fully first-order stochastic approximation for a nonconvex and/or constrained
// lower level (Kwon, Kwon, Wright, Nowak, ICLR 2024, as presented in the slides "Fully
// First-Order Methods for Bilevel Optimization", part III: "Two-Loop Algorithm" and
// "Single-Loop Algorithm with Momentum"). It seeks a stationary point of
//     min_{x in X, y in Y} max_{z in Y}  h_sigma(x, y) - g(x, z),   h_sigma = sigma f + g,
// sigma = 1/lam, with proximal-point subproblems for y and z (prox parameter rho) and
// projections P_X, P_Y onto the problem's boxes (Problem::box_x/box_y; none = no projection).
//
// variant=two-loop (slides' two-loop pseudo-code, lines 3-11): w_y = y_0, w_z = z_0 = y_0, and
//     u <- w_y,  v <- w_z;  T_k times:
//         v <- P_Y(v - gamma_k (g_wz(x_k, v) + (v - z_k)/rho))                 prox of rho g
//         u <- P_Y(u - gamma_k (sigma_k f_wy(x_k, u) + g_wy(x_k, u) + (u - y_k)/rho))
//     w_y <- u,  w_z <- v
//     y_{k+1} = (1 - beta_k) y_k + beta_k w_y,   z_{k+1} = (1 - beta_k) z_k + beta_k w_z
//     x_{k+1} = P_X(x_k - alpha_k/M_k sum_{m=1}^{M_k} (sigma_k f_x^m + g_xy^m - g_xz^m))
// with f_x^m = grad_x f(x_k, w_y), g_xy^m = grad_x g(x_k, w_y), g_xz^m = grad_x g(x_k, w_z), each
// on its own draw (minibatch and noise seed): the M_k samples average the x direction.
//
// variant=single-loop (slides' momentum pseudo-code, lines 3-7): one step of each prox
// subproblem per iteration, w_z <- P_Y(w_z - gamma_k (~g_wz + (w_z - z_k)/rho)), w_y likewise
// with sigma_k ~f_wy + ~g_wy, then the same smoothing of y, z and x step with M = 1, where every
// ~ is a STORM estimator with weight eta_k (storm.hpp): ~g_wz, ~f_wy, ~g_wy at (x_k, w_z / w_y)
// before the prox steps, ~f_x, ~g_xy, ~g_xz at (x_k, w_y / w_z) after them, and the same
// sample at the previous iteration's points.
//
// The slides do not say where the x-direction gradients are evaluated: here at the prox
// iterates w_y, w_z (the points at which grad_x of the proximal envelopes of h_sigma and g is
// attained), not at the smoothed centres y, z.
//
// Schedules, r = (k + k0)/k0 (f2sa_schedule.hpp):
//     alpha_k = alpha0 r^-a,  beta_k = beta0 r^-a,  gamma_k = gamma0 r^-c,
//     sigma_k = 1/lam_k,  lam_k = min(lam0 r^s, lam_max),  eta_k = min(1, eta0 r^-eta_decay),
//     T_k = min(ceil(T0 r^c), T_max),  M_k = min(ceil(M0 r^c), M_max)   (two-loop only)
// with the slides' exponents per noise regime (f and g noisy / only f / exact):
//     two-loop:    a = 0 (alpha_k ~ rho, beta_k ~ 1), c = 4/3, 2/3, 0; s = 1/3
//     single-loop: a = 2/5, 1/4, 0;  c = a;  s = 1/5, 1/4, 1/3;  eta_decay = 4/5, 1/2, 0.
// Defaults: rho = 1/(4 L_g) (slides: rho << 1/l_g1), alpha0 = rho (slides: alpha_k ~ rho),
// beta0 = 1, gamma0 = 1/(1/rho + L_g + L_f/lam0) (one over the smoothness of the
// y-subproblem at k = 0), lam0 = 2 L_f/mu_g, T0 = 3 (the subproblems are strongly convex with
// condition number about (1/rho + L_g)/(1/rho - L_g) = 5/3 at the default rho, and
// warm-started), M0 = 1.
//
// Oracle calls per outer iteration: two-loop T_k + M_k gradients of f and 2 (T_k + M_k) of g;
// single-loop 2 of f and 4 of g, plus 2 and 4 more at the previous points when k >= 1 and
// eta_k < 1. One batch_f / batch_g batch per gradient call.
//
// The returned y is the smoothed y sequence (an estimate of argmin_Y sigma_k f + g, which
// tends to the lower-level solution the upper level prefers as sigma_k -> 0), not z.
#pragma once

#include <optional>

#include "bilevel/algorithms/building_blocks/f2sa_schedule.hpp"
#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"
#include "bilevel/algorithms/building_blocks/storm.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct ProxF2saOptions {
  std::string variant = "two-loop";
  std::string regime = "both";
  Auto a;
  Auto c;
  Auto s;
  Auto eta_decay;
  Auto rho;
  Auto lam0;
  double lam_max = 0;
  Auto alpha0;
  double beta0 = 1.0;
  Auto gamma0;
  Index T0 = 3;
  Index T_max = 0;
  Index M0 = 1;
  Index M_max = 0;
  double eta0 = 1.0;
  double k0 = 10.0;
  Index batch_f = 0;
  Index batch_g = 0;

  void declare(OptionList& o);
};

// One run of prox-f2sa: the iterates, the prox centres and the schedules.
class ProxF2saRun : public MethodRun {
 public:
  ProxF2saRun(const ProxF2saOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
              RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("z", z_)("wy", wy_)("wz", wz_)("u", u_)("v", v_)("dir", dir_);
    a("gfx", gfx_)("ggxy", ggxy_)("ggxz", ggxz_)("inner", inner_)("sf", sf_)("sg", sg_);
    a("gz", gz_)("fy", fy_)("gy", gy_)("fx", fx_)("gxy", gxy_)("gxz", gxz_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The schedules at outer iteration k.
  double lam_at(Index k) const;
  double sigma_at(Index k) const { return 1.0 / lam_at(k); }
  Index T_at(Index k) const { return capped_count(T_, o_.T_max, k); }
  Index M_at(Index k) const { return capped_count(M_, o_.M_max, k); }
  double eta_at(Index k) const;

 private:
  static Index capped_count(const PowerSequence& s, Index cap, Index k);
  void project_x(Vec* v) const;
  void project_y(Vec* v) const;
  void two_loop_step(Problem& p, Rng& rng, Index k);
  void single_loop_step(Problem& p, Rng& rng, Index k);
  void smooth_centres(double beta);

  ProxF2saOptions o_;
  PowerSequence alpha_, beta_, gamma_, lam_, eta_, T_, M_;
  double rho_;
  std::optional<Box> box_x_, box_y_;
  Sampler sf_, sg_;
  Vec x_, y_, z_, wy_, wz_, u_, v_, dir_, gfx_, ggxy_, ggxz_;
  PenaltyGradients inner_;
  StormEstimator gz_{Fn::kG, Partial::kY}, fy_{Fn::kF, Partial::kY}, gy_{Fn::kG, Partial::kY},
      fx_{Fn::kF, Partial::kX}, gxy_{Fn::kG, Partial::kX}, gxz_{Fn::kG, Partial::kX};
};

class ProxF2sa : public Method<ProxF2sa, ProxF2saOptions, ProxF2saRun> {
 public:
  static constexpr const char* kName = "prox-f2sa";
  static constexpr const char* kDescription =
      "proximal F2SA for nonconvex / box-constrained lower levels, two-loop or single-loop "
      "with momentum (Kwon et al.)";
  using Method::Method;
};

}  // namespace bilevel
