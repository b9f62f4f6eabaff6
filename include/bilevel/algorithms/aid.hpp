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
//   aid-ns: v = alpha_ns sum_{i=0}^{Q} (I - alpha_ns Hyy g)^i grad_y f, no warm start: the
//           truncation error shrinks like (1 - alpha_ns mu_g)^(Q+1), a bias that stays.
// The products of one CG solve (or one series) share a batch, so the operator stays fixed;
// every other oracle call draws its own (full-batch samplers, as in f2ba).
// Defaults: alpha = alpha_ns = 1/L_g, eta = 1/L_phi (1/(L_f (1 + kappa)^2) if L_phi unknown).
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
  Index K = 10;           // inner GD steps per outer iteration (>= 1)
  Auto alpha;             // inner step; auto = 1/L_g
  Index N = 10;           // CG updates of v per outer iteration (>= 1)
  double cg_tol = 1e-10;  // CG stops early at ||b - Hyy v|| <= cg_tol ||b|| (> 0)
  Auto eta;               // outer step; auto = 1/L_phi

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

struct AidNsOptions {
  Index K = 10;   // inner GD steps per outer iteration (>= 1)
  Auto alpha;     // inner step; auto = 1/L_g
  Index Q = 10;   // Hessian-vector products in the Neumann series (>= 0)
  Auto alpha_ns;  // Neumann series step; auto = 1/L_g
  Auto eta;       // outer step; auto = 1/L_phi

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

// The outer loop both AID variants share; subclasses only solve the adjoint system.
// Options must have the fields K, alpha and eta.
template <class Options>
class Aid : public Method<Options> {
 public:
  using Method<Options>::Method;

  // The hypergradient estimate h of the last step (at the x before its update); empty
  // before the first step.
  const Vec& last_hypergradient() const { return h_; }

 protected:
  // Resolves alpha and eta ("auto" from the problem's constants) and sets the start.
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) final;
  // Sets v_ to an approximation of [Hyy g(x_, y_)]^{-1} gfy_.
  virtual void solve_adjoint(Problem& p, Rng& rng) = 0;
  const Vec& current_x() const override { return x_; }
  const Vec& current_y() const override { return y_; }

  double alpha_ = 0, eta_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_, v_;
  Vec gfx_, gfy_, ggy_, hxv_, h_;
};

class AidCg : public Aid<AidCgOptions> {
 public:
  using Aid::Aid;

  std::string name() const override { return "aid-cg"; }
  std::string description() const override {
    return "approximate implicit differentiation, warm-started CG (Ji et al. 2021, AID-BiO)";
  }

 protected:
  void solve_adjoint(Problem& p, Rng& rng) override;
  KeyValues resolved_options() override;
};

class AidNs : public Aid<AidNsOptions> {
 public:
  using Aid::Aid;

  std::string name() const override { return "aid-ns"; }
  std::string description() const override {
    return "approximate implicit differentiation, truncated Neumann series (Q products)";
  }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void solve_adjoint(Problem& p, Rng& rng) override;
  KeyValues resolved_options() override;

 private:
  double alpha_ns_ = 0;
  NeumannWork work_;  // the series workspace
};

}  // namespace bilevel
