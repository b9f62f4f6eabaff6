// BOME: bilevel optimization made easy (Liu, Ye, Wright, Stone & Liu, "BOME! Bilevel
// Optimization Made Easy: A Simple First-Order Approach", NeurIPS 2022, Algorithm 1).
//
// A first-order value-function method: minimize f(x, y) subject to
//     q(x, y) = g(x, y) - g(x, y_T) <= 0,
// where y_T approximates min_y g(x, .) by T gradient steps from the current y (held fixed,
// "detached": q's gradient in x is grad_x g(x, y) - grad_x g(x, y_T), Danskin-style). Each
// iteration takes one dynamic-barrier step on the joint variable (x, y):
//     y_T: T steps  z <- z - alpha grad_y g(x, z)  from z = y;
//     grad q = (grad_x g(x, y) - grad_x g(x, y_T),  grad_y g(x, y));
//     phi_k = eta ||grad q||^2,
//     lambda = max(phi_k - <grad f, grad q>, 0) / ||grad q||^2   (0 when grad q = 0),
//     (x, y) <- (x, y) - xi (grad f(x, y) + lambda grad q),
// i.e. the step of smallest change from -grad f that decreases q at least at rate phi_k.
// (The paper also allows phi_k = eta q(x, y); this implements the gradient-norm choice.)
// Stochastic variant: each inner step draws its own g batch; grad f uses one f batch; the two
// g gradients of grad q share one g batch (q is one function on one sample).
// Defaults: T = 10, alpha = 1/L_g, eta = 0.5, xi = 0.1/L_phi (a tenth of the outer step of
// the hypergradient methods: the barrier term lambda grad q makes the joint step stiffer, and
// at 1/L_phi the iterates of the default quadratic fall into a 2-cycle). The returned y
// estimate is y (not y_T).
//
// Oracle calls per outer iteration: 1 gradient of f (both partials) and T + 2 gradients of g
// (T inner steps, both partials at (x, y), grad_x at (x, y_T)); no second-order oracles.
#pragma once

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct BomeOptions {
  Index T = 10;
  Auto alpha;
  double eta = 0.5;
  Auto xi;
  Index batch_f = 0;
  Index batch_g = 0;

  void declare(OptionList& o);
};

// One run of bome.
class BomeRun : public MethodRun {
 public:
  BomeRun(const BomeOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("lambda", lambda_)("sf", sf_)("sg", sg_)("yT", yT_);
    a("ggyT", ggyT_)("gfx", gfx_)("gfy", gfy_)("qx", qx_)("qy", qy_)("ggxT", ggxT_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The multiplier lambda of the last step.
  double last_lambda() const { return lambda_; }

 private:
  BomeOptions o_;
  double alpha_, xi_, lambda_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_, yT_, ggyT_, gfx_, gfy_, qx_, qy_, ggxT_;
};

class Bome : public Method<Bome, BomeOptions, BomeRun> {
 public:
  static constexpr const char* kName = "bome";
  static constexpr const char* kDescription =
      "BOME: first-order value-function method with a dynamic barrier on q = g(x, y) - "
      "g(x, y_T) (Liu et al. 2022)";
  using Method::Method;
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
