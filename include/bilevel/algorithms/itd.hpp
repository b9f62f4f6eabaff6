// ITD: iterative differentiation, reverse mode through K unrolled inner gradient steps
// (Ji, Yang & Liang, "Bilevel Optimization: Convergence Analysis and Enhanced Design",
// ICML 2021, ITD-BiO; reverse-mode hypergradients as in Franceschi et al. 2017).
//
// Each outer iteration unrolls, from the warm start y_0 (the previous y_K, treated as
// independent of x),
//     y_{k+1} = y_k - alpha grad_y g(x, y_k),    k = 0..K-1,
// and steps x <- x - eta h with h the exact derivative of x -> f(x, y_K(x)), accumulated
// backwards from v = grad_y f(x, y_K), h = grad_x f(x, y_K):
//     for k = K-1 down to 0:   h -= alpha Hxy g(x, y_k) v;   v -= alpha Hyy g(x, y_k) v,
// where the last update of v (k = 0) is skipped: it would be the derivative with respect to
// y_0, which does not depend on x. The unrolled map has dy_K/dx = (I - (I - alpha Hyy)^K)
// dy*/dx at a fixed point y_0 = y*(x), so h carries a bias of order (1 - alpha mu_g)^K that
// warm starting does not remove: K sets the attainable accuracy.
// Defaults: alpha = 1/L_g, eta = 1/L_phi (1/(L_f (1 + kappa)^2) if L_phi unknown).
//
// Oracle calls per outer iteration: K gradients of g, 1 gradient of f (both partials), and
// 2K - 1 Hessian-vector products of g (K Hxy, K - 1 Hyy).
#pragma once

#include <vector>

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct ItdOptions {
  Index K = 10;  // unrolled inner GD steps per outer iteration (>= 1)
  Auto alpha;    // inner step; auto = 1/L_g
  Auto eta;      // outer step; auto = 1/L_phi

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

class Itd : public Method<ItdOptions> {
 public:
  using Method::Method;

  std::string name() const override { return "itd"; }
  std::string description() const override {
    return "iterative differentiation, reverse mode through K inner GD steps (Ji et al. 2021)";
  }

  // The hypergradient estimate h of the last step (at the x before its update); empty
  // before the first step.
  const Vec& last_hypergradient() const { return h_; }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return x_; }
  // ys_[0] holds the warm start, which after a step is that step's y_K.
  const Vec& current_y() const override { return ys_[0]; }
  KeyValues resolved_options() override;

 private:
  double alpha_ = 0, eta_ = 0;
  Sampler sf_, sg_;
  Vec x_;
  std::vector<Vec> ys_;  // y_0 .. y_K of the current unroll, preallocated in init
  Vec v_, h_, ggy_, hxv_, hyv_;
};

}  // namespace bilevel
