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
// The unrolled adjoint is not warm-started (that would make it another method): instead the
// default K is chosen from kappa = L_g/mu_g so that the bias is below the target eps
// (default 1e-6): K = ceil(kappa ln(kappa/eps)), 162 on the default quadratic (kappa = 10),
// capped at 1000; K = 10 on problems that do not know kappa (rules::kappa_log_count).
// Defaults: alpha = 1/L_g and the shared outer-step rule for eta (rules::outer_step,
// building_blocks/step_defaults.hpp), as declared in itd.cpp (table: docs/options.md).
//
// Oracle calls per outer iteration: K gradients of g, 1 gradient of f (both partials), and
// 2K - 1 Hessian-vector products of g (K Hxy, K - 1 Hyy).
#pragma once

#include <vector>

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct ItdOptions {
  double eps = 1e-6;
  Auto K;
  Auto alpha;
  Auto eta;

  void declare(OptionList& o);
};

// One run of itd: the unrolled inner iterates and the reverse pass.
class ItdRun : public MethodRun {
 public:
  ItdRun(const ItdOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
         RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("ys", ys_)("v", v_)("h", h_)("ggy", ggy_)("hxv", hxv_)("hyv", hyv_);
    a("sf", sf_)("sg", sg_);
  }
  const Vec& x() const override { return x_; }
  // ys_[0] holds the warm start, which after a step is that step's y_K.
  const Vec& y() const override { return ys_[0]; }

  // The hypergradient estimate h of the last step (at the x before its update); empty
  // before the first step.
  const Vec& last_hypergradient() const { return h_; }

 private:
  Index K_;
  double alpha_, eta_;
  Sampler sf_, sg_;
  Vec x_;
  std::vector<Vec> ys_;  // y_0 .. y_K of the current unroll, preallocated once
  Vec v_, h_, ggy_, hxv_, hyv_;
};

class Itd : public Method<Itd, ItdOptions, ItdRun> {
 public:
  static constexpr const char* kName = "itd";
  static constexpr const char* kDescription =
      "iterative differentiation, reverse mode through K inner GD steps (Ji et al. 2021)";
  using Method::Method;
  // The reverse pass multiplies by Hxy g and Hyy g.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
