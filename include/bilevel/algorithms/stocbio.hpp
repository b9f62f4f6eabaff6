// stocBiO: stochastic bilevel optimizer (Ji, Yang & Liang, "Bilevel Optimization: Convergence
// Analysis and Enhanced Design", ICML 2021, Algorithm 2 with the hypergradient of Alg. 3).
//
// Outer iteration k:
//   1. K warm-started inner SGD steps  y <- y - alpha grad_y g(x, y; S_t)  (the paper's D
//      steps, lines 3-5);
//   2. the hypergradient estimate of Alg. 3 (neumann_hypergradient.hpp):
//          v = eta_N sum_{i=0}^{Q} prod_{j=1}^{i} (I - eta_N Hyy g(x, y; B_j)) grad_y f(x, y; D_F),
//          h = grad_x f(x, y; D_F) - Hxy g(x, y; D_G) v,
//      with independent minibatches B_1..B_Q (Hessian-vector products only);
//   3. x <- x - beta h  (line 7).
// Every g oracle uses minibatches of batch_g components and every f oracle batch_f (0 = full
// sums); each call draws its own. With full batches, large K and Q (and no oracle noise), h is
// the exact hypergradient grad phi(x).
// Defaults: alpha = eta_N = 1/L_g, beta = 1/L_phi (else the problem's suggested step, else
// 1/(L_f (1 + kappa)^2)). The series has Q + 1 terms and Q products (the paper's
// sum_{q=-1}^{Q-1}), as in aid-ns.
//
// Oracle calls per outer iteration: K gradients of g, 1 gradient of f (both partials), and
// Q + 1 Hessian-vector products of g (Q Hyy, 1 Hxy).
#pragma once

#include "bilevel/algorithms/building_blocks/neumann_hypergradient.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct StocbioOptions {
  Index K = 10;
  Auto alpha;
  Auto beta;
  NeumannOptions ns;

  void declare(OptionList& o);
};

// One run of stocbio.
class StocbioRun : public MethodRun {
 public:
  StocbioRun(const StocbioOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
             RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("ggy", ggy_)("h", h_)("samplers", setup_);
    a("hypergradient", hypergrad_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The hypergradient estimate h of the last step (at the x before its update).
  const Vec& last_hypergradient() const { return h_; }

 private:
  Index K_;
  NeumannSetup setup_;  // alpha, beta, eta_N, the samplers
  Vec x_, y_, ggy_, h_;
  NeumannHypergradient hypergrad_;
};

class Stocbio : public Method<Stocbio, StocbioOptions, StocbioRun> {
 public:
  static constexpr const char* kName = "stocbio";
  static constexpr const char* kDescription =
      "stochastic bilevel optimizer: inner SGD + Neumann-series hypergradient with "
      "Hessian-vector products (Ji, Yang & Liang 2021)";
  using Method::Method;
  // The Neumann hypergradient: Q Hyy g and one Hxy g product (any Q).
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
