// SOBA: stochastic bilevel algorithm (Dagreou, Ablin, Vaiter & Moreau, "A framework for
// bilevel optimization that enables stochastic and global variance reduction methods",
// NeurIPS 2022, Algorithm 1 with the SGD directions of section 3).
//
// A single loop on (y, v, x) that follows three directions at once; v tracks the solution
// of the linear system of the implicit hypergradient. Sign convention (the paper's): v
// approximates  v*(x) = -[Hyy g(x, y*)]^{-1} grad_y f(x, y*),  so that
//     grad phi(x) = grad_x f(x, y*) + Hxy g(x, y*) v*
// (aid and stocbio use the opposite sign: their v is +[Hyy g]^{-1} grad_y f). Iteration k
// (counting from 0):
//     D_y = grad_y g(x, y; B_g),   D_v = Hyy g(x, y; B_g) v + grad_y f(x, y; B_f),
//     D_x = grad_x f(x, y; B_f) + Hxy g(x, y; B_g) v,
//     y <- y - rho_k D_y,   v <- v - rho_k D_v,   x <- x - gamma_k D_x,
// all three directions at the same (x, y, v), with one minibatch of g (B_g) and one of f
// (B_f) shared by them (the paper samples one index i of g and j of f per iteration), and
//     rho_k = rho0 / (k + 1)^a_rho,   gamma_k = gamma0 / (k + 1)^a_gamma
// (the paper's decreasing steps: a_rho = 2/5, a_gamma = 3/5; 0 and 0 give constant steps,
// with which the full-batch iteration converges to a stationary point of phi).
// v starts at 0. Defaults: rho0 = 1/L_g, gamma0 = 1/L_phi (else the problem's suggested
// step, else 1/(L_f (1 + kappa)^2)); the exponents are the paper's with minibatches and 0
// (constant steps) with full batches, where the oracles are exact and decreasing steps would
// only slow the convergence down (5e-3 instead of 4e-15 after 3000 iterations on the default
// quadratic).
//
// Oracle calls per outer iteration: 1 gradient of g, 1 gradient of f (both partials), 1 Hyy
// and 1 Hxy product of g.
#pragma once

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct SobaOptions {
  Auto rho0;
  Auto gamma0;
  Auto a_rho;    // 0 with full batches, else 2/5
  Auto a_gamma;  // 0 with full batches, else 3/5
  Index batch_f = 0;
  Index batch_g = 0;

  void declare(OptionList& o);

 private:
  // The rule of a_rho and a_gamma: 0 with full batches, else the paper's exponent.
  AutoRule exponent_rule(double paper) const;
};

// One run of soba: y, v and x in a single loop.
class SobaRun : public MethodRun {
 public:
  SobaRun(const SobaOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("v", v_)("ggy", ggy_)("gfx", gfx_)("gfy", gfy_);
    a("hyv", hyv_)("hxv", hxv_)("sf", sf_)("sg", sg_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

  // The steps at iteration k.
  double rho_at(Index k) const;
  double gamma_at(Index k) const;
  // The current v (approximates -[Hyy g]^{-1} grad_y f).
  const Vec& current_v() const { return v_; }

 private:
  SobaOptions o_;
  Sampler sf_, sg_;
  Vec x_, y_, v_, ggy_, gfx_, gfy_, hyv_, hxv_;
};

class Soba : public Method<Soba, SobaOptions, SobaRun> {
 public:
  static constexpr const char* kName = "soba";
  static constexpr const char* kDescription =
      "stochastic bilevel algorithm: single loop on y, the linear-system variable v and x "
      "(Dagreou et al. 2022)";
  using Method::Method;
  // The v update multiplies by Hyy g, the x direction by Hxy g, every step.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
};

}  // namespace bilevel
