// VRBO: variance-reduced bilevel optimizer (Yang, Ji & Liang, "Provably Faster Algorithms for
// Bilevel Optimization", NeurIPS 2021, Algorithm 2).
//
// SPIDER / SARAH-type recursive estimators v ~ grad_y g and u ~ grad phi (the Neumann
// hypergradient of stocBiO; recursive_estimates.hpp), refreshed from large batches every q
// outer iterations and corrected along the path with small batches. Outer iteration k:
//   1. if k mod q = 0: v = grad_y g(x, y; S1), u = h(x, y; S1) (large batches
//      batch_f_large / batch_g_large, 0 = full sums);
//   2. x <- x - beta u;
//   3. K inner steps (the paper's m + 1): correct both estimates from the point of the last
//      estimate to the current (x, y) on one small batch S2 (batch_f / batch_g),
//          v <- v + grad_y g(x, y; S2) - grad_y g(x', y'; S2),
//          u <- u + h(x, y; S2) - h(x', y'; S2),
//      then y <- y - alpha v.
// The first correction of an iteration carries the x move of step 2. y, v and u persist
// across outer iterations (only the refresh of step 1 restarts v and u).
// Defaults: alpha = eta_N = 1/L_g, beta = 1/L_phi (else the problem's suggested step, else
// 1/(L_f (1 + kappa)^2)), q = 3 (the authors' 20-newsgroups code), K = 10, Q = 10.
//
// Oracle calls per outer iteration: K times (2 gradients of g, 2 of f, 2Q Hyy and 2 Hxy
// products of g) on small batches, plus, when k mod q = 0, 1 gradient of g, 1 of f, Q Hyy
// and 1 Hxy on large batches.
#pragma once

#include "bilevel/algorithms/building_blocks/recursive_estimates.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct VrboOptions {
  Index K = 10;
  Index q = 3;
  Auto alpha;
  Auto beta;
  Index batch_f_large = 0;
  Index batch_g_large = 0;
  NeumannOptions ns;

  void declare(OptionList& o);
};

// One run of vrbo: the iterates and the two SARAH estimates.
class VrboRun : public MethodRun {
 public:
  VrboRun(const VrboOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("x_est", x_est_)("y_est", y_est_)("samplers", setup_);
    a("sf_large", sf_large_)("sg_large", sg_large_)("estimates", est_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The estimates v ~ grad_y g and u ~ grad phi, made at the point (estimate_x(),
  // estimate_y()): the current x and the y before the last inner step.
  const Vec& gradient_estimate() const { return est_.v(); }
  const Vec& hypergradient_estimate() const { return est_.u(); }
  const Vec& estimate_x() const { return x_est_; }
  const Vec& estimate_y() const { return y_est_; }

 private:
  VrboOptions o_;
  NeumannSetup setup_;  // alpha, beta, eta_N, the small-batch samplers
  Sampler sf_large_, sg_large_;
  Vec x_, y_, x_est_, y_est_;  // the current point and the point of the last estimate
  RecursiveEstimates est_;
};

class Vrbo : public Method<Vrbo, VrboOptions, VrboRun> {
 public:
  static constexpr const char* kName = "vrbo";
  static constexpr const char* kDescription =
      "variance-reduced bilevel optimizer, SARAH estimators of the y gradient and the "
      "hypergradient with periodic large batches (Yang, Ji & Liang 2021)";
  using Method::Method;
  // Its hypergradient estimates are Neumann series: Hyy g and Hxy g products.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
};

}  // namespace bilevel
