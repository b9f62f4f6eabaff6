// F2SA-p: fully first-order stochastic approximation with a p-th order finite-difference
// hypergradient (f2sa-p paper, Algorithm 1 for even p and its odd-p analogue, Appendix D).
//
// With g_{j nu} = j nu f + g and l_{j nu}(x) = min_y g_{j nu}(x, y), the derivative in nu of
// d/dx l_nu(x) at nu = 0 is grad phi(x) (paper, eq. (8)). A p-th order finite difference over
// the stencil nodes j (finite_difference.hpp) estimates it with O(nu^p) bias (Lemmas 3.1, 3.2):
//
//   for each active node j (alpha_j != 0), warm-started from the previous outer iteration:
//       K steps  y^j <- y^j - eta_y (j nu F_y(x, y^j; xi_j) + G_y(x, y^j; zeta_j))    (lines 3-10)
//   Phi = sum_j alpha_j (j F_x(x, y^j; xi) + G_x(x, y^j; zeta) / nu)                   (line 13)
//   x  <- x - eta_x Phi / ||Phi||                                                    (line 14)
//
// Each node draws its own inner minibatches (line 6: i.i.d. per j); the estimator's minibatches
// (one of f, one of g, size S) are common to all nodes (line 11), so the noise of the G_x / nu
// terms cancels to the order of ||y^j - y^i|| instead of being amplified by 1/nu.
// p = 1 (nodes 0 and 1, alpha = (-1, 1)) is F2BA / F2SA with lam = 1/nu and a normalized step;
// p = 2 (nodes -1 and 1) is the central difference: still two lower-level sequences.
//
// Oracle calls per outer iteration, with n_p active nodes of which n_f are non-zero (the node
// j = 0 needs no f, its sequence runs on g alone): K n_f + n_f gradients of f and
// K n_p + n_p gradients of g. Odd p: n_p = p + 1, n_f = p; even p: n_p = n_f = p.
// With full batches each inner step evaluates all sequences' gradients in one data pass
// (Problem::grad_y_multi) but counts one call per sequence, as the pseudo-code does.
#pragma once

#include <vector>

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/linalg/finite_difference.hpp"

namespace bilevel {

struct F2saPOptions {
  Index p = 2;
  double eps = 1e-2;
  Auto nu;
  Auto eta_x;
  Auto eta_y;
  Auto K;
  Index S = 0;
  Index batch_y = 0;
  bool normalize = true;

  void declare(OptionList& o);
};

// Phi = sum_j alpha_j (j F_x(x, y^j; bf) + G_x(x, y^j; bg) / nu) over the stencil's active
// nodes, ys[i] being the lower-level point of active_nodes()[i] (line 13). Counts one gradient
// of g per node and one of f per non-zero node. `work` is scratch space.
void finite_difference_hypergradient(Problem& p, const FiniteDifferenceStencil& stencil, double nu,
                                     const Vec& x, const std::vector<Vec>& ys, const Batch& bf,
                                     const Batch& bg, Vec* out, Vec* work);

// One run of f2sa-p: one lower-level sequence per active node of the stencil.
class F2saPRun : public MethodRun {
 public:
  F2saPRun(const F2saPOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
           RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("ys", ys_)("y_est", y_est_)("phi", phi_)("work", work_);
    a("gf", gf_)("gg", gg_)("sf_y", sf_y_)("sg_y", sg_y_)("sf_x", sf_x_)("sg_x", sg_x_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_est_; }

  // The stencil in use, its active nodes (one lower-level sequence each) and nu.
  const FiniteDifferenceStencil& stencil() const { return stencil_; }
  const std::vector<int>& nodes() const { return nodes_; }
  double nu() const { return nu_; }
  // The latest estimator Phi.
  const Vec& estimate() const { return phi_; }

 private:
  void inner_steps(Problem& p, Rng& rng);

  F2saPOptions o_;
  FiniteDifferenceStencil stencil_;
  std::vector<int> nodes_;  // active nodes j, one sequence each
  double nu_, eta_x_, eta_y_;
  Index K_;
  std::size_t est_a_ = 0, est_b_ = 0;  // sequences averaged into the reported y estimate
  // One inner sampler per sequence and function: a drawn batch stays valid until its own
  // sampler's next draw, so every sequence's batch lives through the shared data pass.
  std::vector<Sampler> sf_y_, sg_y_;
  Sampler sf_x_, sg_x_;
  Vec x_, y_est_, phi_, work_;
  std::vector<Vec> ys_, gf_, gg_;  // per node: iterate, gradient of f, gradient of g
  // Views for grad_y_multi: all nodes for g, the non-zero nodes for f.
  std::vector<const Vec*> f_points_, g_points_;
  std::vector<Vec*> f_outs_, g_outs_;
  std::vector<Batch> f_batches_, g_batches_;
};

class F2saP : public Method<F2saP, F2saPOptions, F2saPRun> {
 public:
  static constexpr const char* kName = "f2sa-p";
  static constexpr const char* kDescription =
      "fully first-order, p-th order finite-difference hypergradient, normalized step (f2sa-p "
      "paper, Alg. 1)";
  using Method::Method;
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
