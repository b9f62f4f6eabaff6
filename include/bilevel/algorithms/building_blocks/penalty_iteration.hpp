// The inner loop of the penalty methods (f2ba, pf2ba, fsba, lfsba, ifsba): the two
// warm-started sequences of the f2ba paper's Algorithm 1,
//     z <- z - alpha grad_y g(x, z),    y <- y - tau (grad_y f + lam grad_y g)(x, y),
// K steps at the current x (Nesterov's accelerated gradient with inner=agd, restarted each
// outer iteration), then the estimate of the proxy gradient
//     grad L*_lam(x) ~ grad_x f(x, y) + lam (grad_x g(x, y) - grad_x g(x, z)).
// The methods differ only in how x moves once that direction is known.
#pragma once

#include <string>

#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"
#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/options.hpp"

namespace bilevel {

// The options of the inner loop, a member of each penalty method's options (with its own
// defaults: fsba runs K = 20 agd steps, f2ba K = 10 gd steps).
// lam = auto follows the f2ba paper's Theorem 4.1, lam ~ kappa^3/eps (Lemma 4.1b: the proxy's
// gradient is within O(kappa^3/lam) of grad phi), for a target eps: the method's own `eps`
// option, or (pf2ba) the target that declare() is given.
struct PenaltyInnerOptions {
  double eps = 1e-6;
  Auto lam;
  Index K = 10;
  Auto alpha;
  Auto tau;
  std::string inner = "gd";
  double inner_tol = 0;

  // `target`: the method's own target eps, which the auto lam then uses (pf2ba); nullptr
  // declares this struct's `eps`.
  void declare(OptionList& o, const double* target = nullptr);
};

// The auto lam for a target eps: max(2 L_f/mu_g, min(kappa^3/eps, 1e8)) when the problem knows
// L_g and mu_g (kappa = L_g/mu_g; without L_f the first term is left out), else 100. The cap
// keeps lam (grad_x g(x,y) - grad_x g(x,z)), a difference of two O(1) gradients multiplied by
// lam, above double precision's rounding (1e8 x 1e-16 = 1e-8).
double auto_penalty(const ProblemConstants& c, double eps);

class PenaltyIteration {
 public:
  // Starts from (x0, y0) with z0 = y0 (line 1), from resolved options. Adds to `context` the
  // settings that lie outside the theory; throws InvalidOptions when inner=agd cannot run.
  // With a communicator, the problem is this rank's shard and the iteration is distributed
  // F2BA (f2ba paper, Alg. 3): each inner step's two y-gradients are averaged over the ranks
  // in one allreduce of [grad_y g(x,z); grad_y (f + lam g)(x,y)] (stacked: K rounds, not 2K),
  // and the x-direction in one more, so that every rank holds the mean iterates (Prop. 6.1).
  PenaltyIteration(const PenaltyInnerOptions& resolved, const Problem& p, const Vec& x0,
                   const Vec& y0, RunContext& context, Comm* comm = nullptr);
  // Lines 3-9: K warm-started inner steps at the current x, then the estimate of
  // grad L*_lam(x) at the new inner iterates. The reference is valid until the next call.
  const Vec& direction(Problem& p, Rng& rng);
  // Inner steps taken so far (K per direction() unless inner_tol stopped the loop early).
  Index inner_steps() const { return inner_steps_; }

  double lam() const { return lam_; }
  void visit(StateArchive& a) {
    a("x", x_)("y", y_)("z", z_)("y_prev", y_prev_)("z_prev", z_prev_)("wy", wy_)("wz", wz_);
    a("gfx", gfx_)("ggx", ggx_)("ggxz", ggxz_)("d", d_)("ghy", ghy_)("inner", inner_);
    a("sf", sf_)("sg", sg_)("inner_steps", inner_steps_);
  }
  Vec& x() { return x_; }
  const Vec& x() const { return x_; }
  const Vec& y() const { return y_; }
  const Vec& z() const { return z_; }

 private:
  // True when the gradients just computed are within inner_tol (in g's units: the y
  // sequence's gradient of f + lam g is divided by lam).
  bool inner_converged(const Vec& grad_h_y) const;
  // Distributed: inner_.ggz and ghy_ = their means over the ranks, in one allreduce.
  void average_inner();

  PenaltyInnerOptions o_;
  double lam_ = 0, alpha_ = 0, tau_ = 0;
  double beta_z_ = 0, beta_y_ = 0;  // AGD momentum (0 for gd)
  Index inner_steps_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_, z_;
  Vec y_prev_, z_prev_, wy_, wz_, gfx_, ggx_, ggxz_, d_, ghy_;
  PenaltyGradients inner_;  // the inner step's gradients
  Comm* comm_ = nullptr;    // distributed F2BA's communicator (null: one machine)
  Vec stacked_;             // [ggz; ghy] for the stacked allreduce
};

}  // namespace bilevel
