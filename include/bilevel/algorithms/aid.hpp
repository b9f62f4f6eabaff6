// AID: approximate implicit differentiation, with conjugate gradients (aid-cg) or a truncated
// Neumann series (aid-ns) for the linear system (Ji, Yang & Liang, "Bilevel Optimization:
// Convergence Analysis and Enhanced Design", ICML 2021, AID-BiO; the Neumann series as in
// Ghadimi & Wang 2018). AID-CG is the second-order baseline of the f2ba paper's experiments.
//
// Each outer iteration runs K warm-started inner steps  y <- y - alpha grad_y g(x, y),  then
// approximately solves the adjoint system  Hyy g(x, y) v = grad_y f(x, y)  and steps
//     x <- x - eta h,    h = grad_x f(x, y) - Hxy g(x, y) v,
// the implicit-function hypergradient evaluated at the inexact (y, v).
//   aid-cg: N conjugate-gradient updates of v, warm-started from the previous v. With exact
//           y and a converged v, h is the exact grad phi(x).
//   aid-ns: a truncated Neumann series, warm-started from the previous v like aid-cg's CG:
//           the first iteration takes v = alpha_ns sum_{i=0}^{Q} (I - alpha_ns Hyy g)^i
//           grad_y f; later ones correct the previous v by the series of Q - 1 products on
//           the residual r = grad_y f - Hyy g v:  v <- v + alpha_ns sum_{i=0}^{Q-1}
//           (I - alpha_ns Hyy g)^i r  (Q products with the residual's). Without the warm
//           start the truncation error (1 - alpha_ns mu_g)^(Q+1) would be a bias that stays
//           (||grad phi|| stalls at 1.27 on the default quadratic with Q = 10); with it, each
//           iteration contracts the adjoint's error by (1 - alpha_ns mu_g)^Q, and v converges
//           with y and x. Q = 0 (v = alpha_ns grad_y f, no product) is never warm-started.
// The products of one CG solve (or one series) share a batch, so the operator stays fixed;
// every other oracle call draws its own (full-batch samplers, as in f2ba).
// Defaults: alpha = alpha_ns = 1/L_g and the shared outer-step rule for eta (rules::outer_step,
// building_blocks/step_defaults.hpp), as declared in aid.cpp (table: docs/options.md).
//
// Oracle calls per outer iteration: K gradients of g, 1 gradient of f (both partials), and
// Hessian-vector products of g:
//   aid-cg: (CG products) + 1 Hxy, where CG products = N on a cold start (v = 0, the first
//           iteration) and N + 1 when warm-started (one product for the initial residual
//           b - Hyy v), fewer if the relative residual reaches cg_tol first;
//   aid-ns: Q Hyy + 1 Hxy.
#pragma once

#include "bilevel/algorithms/building_blocks/neumann_hypergradient.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct AidCgOptions {
  Index K = 10;
  Auto alpha;
  Index N = 10;
  double cg_tol = 1e-10;
  Auto eta;

  void declare(OptionList& o);
};

struct AidNsOptions {
  Index K = 10;
  Auto alpha;
  Index Q = 10;
  Auto alpha_ns;
  Auto eta;

  void declare(OptionList& o);
};

// One run of aid-cg or aid-ns: the outer loop both share; only the adjoint solve differs.
class AidRun : public MethodRun {
 public:
  AidRun(const AidCgOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
         RunContext& context);
  AidRun(const AidNsOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
         RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("v", v_)("h", h_)("sf", sf_)("sg", sg_);
    a("gfx", gfx_)("gfy", gfy_)("ggy", ggy_)("hxv", hxv_)("work", work_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The hypergradient estimate h of the last step (at the x before its update); empty
  // before the first step.
  const Vec& last_hypergradient() const { return h_; }

 private:
  AidRun(Index K, double alpha, double eta, Problem& p, const Vec& x0, const Vec& y0);
  // Sets v_ to an approximation of [Hyy g(x_, y_)]^{-1} gfy_.
  void solve_adjoint(Problem& p, Rng& rng);

  Index K_;
  double alpha_, eta_;
  bool cg_ = true;
  Index N_ = 0;  // aid-cg
  double cg_tol_ = 0;
  Index Q_ = 0;  // aid-ns
  double alpha_ns_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_;
  Vec v_;  // the adjoint, carried across iterations (the warm start of CG and of the series)
  Vec gfx_, gfy_, ggy_, hxv_, h_;
  Vec residual_, dv_;  // aid-ns warm start: grad_y f - Hyy v and the correction of v
  NeumannWork work_;   // the series workspace (aid-ns)
};

class AidCg : public Method<AidCg, AidCgOptions, AidRun> {
 public:
  static constexpr const char* kName = "aid-cg";
  static constexpr const char* kDescription =
      "approximate implicit differentiation, warm-started CG (Ji et al. 2021, AID-BiO)";
  using Method::Method;
  // CG multiplies by Hyy g, the hypergradient by Hxy g.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

class AidNs : public Method<AidNs, AidNsOptions, AidRun> {
 public:
  static constexpr const char* kName = "aid-ns";
  static constexpr const char* kDescription =
      "approximate implicit differentiation, warm-started truncated Neumann series (Q products)";
  using Method::Method;
  // Hxy g in every step, and Hyy g in the series (Q = 0 still needs the Hxy product).
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
