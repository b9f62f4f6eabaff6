// MRBO: momentum-based recursive bilevel optimizer (Yang, Ji & Liang, "Provably Faster
// Algorithms for Bilevel Optimization", NeurIPS 2021, Algorithm 1).
//
// Single loop with STORM-type recursive momentum on both the y-gradient estimate v and the
// hypergradient estimate u (recursive_estimates.hpp; u is the Neumann-series estimate of
// stocBiO, Q Hyy products, evaluated at both points on the same samples). Iteration k:
//     eta_k = d / (m + k)^(1/3),  a_{k+1} = min(1, c1 eta_k^2),  b_{k+1} = min(1, c2 eta_k^2)
//     x_{k+1} = x_k - beta eta_k u_k,    y_{k+1} = y_k - alpha eta_k v_k
//     v_{k+1} = grad_y g(x_{k+1}, y_{k+1}; B) + (1 - b_{k+1}) (v_k - grad_y g(x_k, y_k; B))
//     u_{k+1} = h(x_{k+1}, y_{k+1}; B') + (1 - a_{k+1}) (u_k - h(x_k, y_k; B'))
// with v_0, u_0 plain minibatch estimates at (x_0, y_0). The paper's names: its lambda (y step
// factor) is alpha here, its gamma (x step factor) is beta, its momentum weights alpha_k and
// beta_k are a_k (for u) and b_k (for v); alpha and beta carry the same meaning in stocbio
// and vrbo. With the default d = m^(1/3), eta_0 = 1: alpha and beta are the first y and x
// steps, and the momentum weights start at min(1, c) and decay like (m / (m + k))^(2/3).
// The paper needs c1, c2 large enough and m >= max(2, d^3, (c1 d)^3, (c2 d)^3) so that the
// weights stay <= 1; here they are clipped to 1 instead.
//
// K > 1 (an extension, default K = 1 = the paper): each iteration makes K y updates with the
// same step, each followed by its momentum correction of v (the first one from (x_k, y_k),
// the others from the previous y at x_{k+1}); u is corrected once, from (x_k, y_k) to
// (x_{k+1}, y_{k+1}).
//
// Oracle calls per outer iteration: 2K gradients of g, 2 gradients of f, 2Q Hyy and 2 Hxy
// products of g; the first iteration also makes the initial estimates (1 gradient of g,
// 1 of f, Q Hyy and 1 Hxy).
#pragma once

#include "bilevel/algorithms/building_blocks/recursive_estimates.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct MrboOptions {
  Index K = 1;
  Auto alpha;
  Auto beta;
  double m = 10;
  Auto d;
  double c1 = 1.0;
  double c2 = 1.0;
  NeumannOptions ns;

  void declare(OptionList& o);
};

// One run of mrbo: the iterates, the schedule and the two recursive estimates.
class MrboRun : public MethodRun {
 public:
  MrboRun(const MrboOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("x_old", x_old_)("y_old", y_old_)("y_prev", y_prev_);
    a("samplers", setup_)("estimates", est_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The schedule: eta_k and the momentum weights a_{k+1}, b_{k+1}.
  double eta_at(Index k) const;
  double hypergradient_weight_at(Index k) const;
  double gradient_weight_at(Index k) const;
  // The estimates v ~ grad_y g and u ~ grad phi at the current (x, y).
  const Vec& gradient_estimate() const { return est_.v(); }
  const Vec& hypergradient_estimate() const { return est_.u(); }

 private:
  MrboOptions o_;
  NeumannSetup setup_;  // alpha, beta, eta_N, the samplers
  Vec x_, y_, x_old_, y_old_, y_prev_;
  RecursiveEstimates est_;
};

class Mrbo : public Method<Mrbo, MrboOptions, MrboRun> {
 public:
  static constexpr const char* kName = "mrbo";
  static constexpr const char* kDescription =
      "momentum-based recursive bilevel optimizer, STORM momentum on y and hypergradient "
      "estimates (Yang, Ji & Liang 2021)";
  using Method::Method;
  // Its hypergradient estimates are Neumann series: Hyy g and Hxy g products.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
};

}  // namespace bilevel
