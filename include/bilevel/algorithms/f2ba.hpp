// F2BA: fully first-order bilevel approximation (f2ba paper, Algorithm 1).
//
// Gradient descent on the penalty proxy L*_lam(x) = min_y [f + lam g](x, y) - lam min_z g(x, z)
// with a fixed multiplier lam. Each outer iteration runs K warm-started inner steps
//     z <- z - alpha grad_y g(x, z),    y <- y - tau (grad_y f + lam grad_y g)(x, y),
// then steps x <- x - eta [grad_x f(x, y) + lam (grad_x g(x, y) - grad_x g(x, z))].
// Defaults (Prop. 4.2): alpha = 1/L_g, tau = 1/(L_f + lam L_g); eta = 1/L with L the
// smoothness of the proxy, which approaches that of phi (Lemma 4.1c). With inner=agd both
// sequences use Nesterov's accelerated gradient (restarted each outer iteration), the
// kappa^3.5 variant remarked after Algorithm 1.
//
// Oracle calls per outer iteration: K + 1 gradients of f and 2K + 2 gradients of g.
#pragma once

#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct F2baOptions {
  double lam = 100.0;       // penalty multiplier lambda (> 0)
  Index K = 10;             // inner steps per outer iteration (>= 1)
  Auto alpha;               // z step; auto = 1/L_g
  Auto tau;                 // y step; auto = 1/(L_f + lam L_g)
  Auto eta;                 // x step; auto = 1/L_phi (or 1/(L_f (1 + kappa)^2))
  std::string inner = "gd";  // gd | agd
  double inner_tol = 0;      // stop the inner loop early once both inner gradients are small

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

// The iterates of Algorithm 1 and one outer direction (lines 3-9), shared by F2BA and
// perturbed F2BA (Algorithm 2): the two differ only in how x moves once the direction is known.
class F2baIteration {
 public:
  // Resolves the auto steps of `o` from the problem's constants (error messages name
  // `algo`), starts from (x0, y0) with z0 = y0 (line 1) and appends to `warnings` the
  // settings that lie outside the theory.
  void init(Problem& p, const F2baOptions& o, const std::string& algo, const Vec& x0,
            const Vec& y0, std::vector<std::string>* warnings);
  // Lines 3-9: K warm-started inner steps at the current x, then the estimate of
  // grad L*_lam(x) at the new inner iterates. The reference is valid until the next call.
  const Vec& direction(Problem& p, Rng& rng);
  // Copies the resolved steps (alpha, tau, eta) into `o`.
  void resolve(F2baOptions* o) const;
  // Inner steps taken by the last direction() (K unless inner_tol stopped the loop early).
  Index inner_steps() const { return inner_steps_; }

  double eta() const { return eta_; }
  Vec& x() { return x_; }
  const Vec& x() const { return x_; }
  const Vec& y() const { return y_; }
  const Vec& z() const { return z_; }

 private:
  // True when the gradients just computed are within inner_tol (in g's units: the y
  // sequence's gradient of f + lam g is divided by lam).
  bool inner_converged(const Vec& grad_h_y) const;

  F2baOptions o_;
  double alpha_ = 0, tau_ = 0, eta_ = 0;
  double beta_z_ = 0, beta_y_ = 0;  // AGD momentum (0 for gd)
  Index inner_steps_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_, z_;
  Vec y_prev_, z_prev_, wy_, wz_, gfx_, ggx_, ggxz_, d_, ghy_;
  PenaltyGradients inner_;  // the inner step's gradients
};

class F2ba : public Method<F2baOptions> {
 public:
  using Method::Method;

  std::string name() const override { return "f2ba"; }
  std::string description() const override {
    return "fully first-order bilevel approximation, fixed penalty (f2ba paper, Alg. 1)";
  }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return it_.x(); }
  const Vec& current_y() const override { return it_.z(); }
  KeyValues resolved_options() override;

 private:
  F2baIteration it_;
};

}  // namespace bilevel
