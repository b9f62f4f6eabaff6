// FSBA and LFSBA: cubic-regularized Newton on the penalty proxy (fsba paper, Algorithms 1-2).
//
// The proxy L*_lam(x) = min_y [f + lam g](x, y) - lam min_z g(x, z) of F2BA, minimized by
// cubic Newton steps instead of gradient steps:
//     s_t = argmin_s <d_t, s> + 1/2 s'H_t s + M/6 ||s||^3,     x_{t+1} = x_t + s_t,
// with d_t = grad_x f(x,y) + lam (grad_x g(x,y) - grad_x g(x,z)) at inner points y ~ y*_lam(x_t),
// z ~ y*(x_t) from K warm-started inner steps (Nesterov AGD by default, as in the paper; the
// inner loop is F2BA's), and H_t the Hessian of L*_lam assembled from dense Hessians of f and g
// (penalty_hessian.hpp: two Schur complements, no third derivatives).
//
// LFSBA (lazy Hessian) recomputes H only every m iterations, at the iterate of that moment,
// and keeps its eigen-factorization (DenseCubicSolver): between refreshes a step costs the
// gradients plus an O(d^2) solve instead of three dense Hessians and an O(d^3)
// factorization. FSBA is m = 1.
//
// Default M: m times default_cubic_regularization (step_defaults.hpp): the Hessian-Lipschitz
// constant rho of phi when the problem reports a positive one, else a curvature scale from
// 1/x_step or L_phi, else 1. For m > 1 the factor m is the lazy-Hessian scaling (Doikov et al.: M ~ m L2
// compensates the staleness of H; the fsba paper's LFSBA bound O~(kappa^2 sqrt(m rho) eps^-1.5)
// carries the same sqrt(m)).
//
// Oracle calls per iteration: those of F2BA (K + 1 gradients of f, 2K + 2 of g; fewer when
// inner_tol ends the inner loop early), plus 3 dense-Hessian calls (f and g at y, g at z) on
// refresh iterations (t = 0, m, 2m, ...). Deterministic (full batches).
#pragma once

#include <optional>

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/linalg/cubic.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct FsbaOptions {
  double lam = 100.0;         // penalty multiplier lambda (> 0)
  Index K = 20;               // inner steps per outer iteration (>= 1)
  Auto alpha;                 // z step; auto = 1/L_g
  Auto tau;                   // y step; auto = 1/(L_f + lam L_g)
  std::string inner = "agd";  // gd | agd
  double inner_tol = 0;       // end the inner loop early (see F2baOptions); 0 = K steps
  Auto M;                     // cubic regularization; auto = m default_cubic_regularization

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

struct LfsbaOptions : FsbaOptions {
  Index m = 10;  // Hessian refresh period (>= 1)

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

// The state shared by fsba, lfsba and ifsba: F2BA's inner sequences and proxy gradient, the
// resolved M, and the cubic steps' record.
class CubicPenaltyIteration {
 public:
  // Resolves the inner steps and M (refresh period m scales the auto M); z0 = y0.
  void init(Problem& p, const FsbaOptions& o, Index m, const std::string& algo, const Vec& x0,
            const Vec& y0, std::vector<std::string>* warnings);
  // K inner steps at the current x, then the proxy gradient there.
  const Vec& gradient(Problem& p, Rng& rng) { return it_.direction(p, rng); }
  // Dense step (fsba, lfsba): refreshes H and its factorization when `refresh` (or when there
  // is none yet), then x += argmin of the cubic model. Returns false (x untouched) when the
  // Hessian cannot be assembled: f + lam g not strongly convex in y at the inner point.
  bool dense_step(Problem& p, const Vec& d, bool refresh);
  // Writes the resolved options (alpha, tau, M) into *o.
  void resolve(FsbaOptions* o) const;

  double lam() const { return lam_; }
  double M() const { return M_; }
  Vec& x() { return it_.x(); }
  const Vec& x() const { return it_.x(); }
  const Vec& y() const { return it_.y(); }
  const Vec& z() const { return it_.z(); }
  Index hessian_refreshes() const { return refreshes_; }
  double last_step_norm() const { return last_step_norm_; }
  void set_last_step_norm(double n) { last_step_norm_ = n; }
  // The current (possibly lazy) Hessian's smallest eigenvalue (NaN before the first refresh).
  double hessian_min_eig() const;

 private:
  F2baIteration it_;
  double lam_ = 0, M_ = 0;
  std::optional<DenseCubicSolver> solver_;
  Index refreshes_ = 0;
  double last_step_norm_ = 0;
};

// fsba and lfsba: the same dense cubic iteration, the Hessian refreshed every refresh_period()
// iterations. Defined in fsba.cpp for the two option types.
template <class Options>
class DenseCubicPenalty : public Method<Options> {
 public:
  using Method<Options>::Method;
  const CubicPenaltyIteration& state() const { return it_; }

 protected:
  virtual Index refresh_period() const = 0;
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return it_.x(); }
  const Vec& current_y() const override { return it_.z(); }
  KeyValues resolved_options() override;

 private:
  CubicPenaltyIteration it_;
};

class Fsba : public DenseCubicPenalty<FsbaOptions> {
 public:
  using DenseCubicPenalty::DenseCubicPenalty;

  std::string name() const override { return "fsba"; }
  std::string description() const override {
    return "fully second-order bilevel approximation: cubic Newton on the penalty proxy with "
           "exact dense Hessians (fsba paper, Alg. 1)";
  }

 protected:
  Index refresh_period() const override { return 1; }
};

class Lfsba : public DenseCubicPenalty<LfsbaOptions> {
 public:
  using DenseCubicPenalty::DenseCubicPenalty;

  std::string name() const override { return "lfsba"; }
  std::string description() const override {
    return "lazy FSBA: the Hessian of the penalty proxy and its factorization refreshed every "
           "m iterations (fsba paper, Alg. 2)";
  }

 protected:
  Index refresh_period() const override { return o_.m; }
};

}  // namespace bilevel
