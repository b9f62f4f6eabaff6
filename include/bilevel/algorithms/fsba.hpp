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
// 1/x_step or L_phi, else 1. For m > 1 the factor m is the lazy-Hessian scaling (Doikov et al.: M ~
// m L2 compensates the staleness of H; the fsba paper's LFSBA bound O~(kappa^2 sqrt(m rho)
// eps^-1.5) carries the same sqrt(m)).
//
// Oracle calls per iteration: those of F2BA (K + 1 gradients of f, 2K + 2 of g; fewer when
// inner_tol ends the inner loop early), plus 3 dense-Hessian calls (f and g at y, g at z) on
// refresh iterations (t = 0, m, 2m, ...). Deterministic (full batches).
#pragma once

#include <optional>

#include "bilevel/algorithms/building_blocks/penalty_iteration.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/linalg/cubic.hpp"

namespace bilevel {

// The paper's inner loop: 20 Nesterov steps (f2ba's defaults are 10 gradient steps).
inline PenaltyInnerOptions accelerated_inner_loop() {
  PenaltyInnerOptions o;
  o.K = 20;
  o.inner = "agd";
  return o;
}

struct FsbaOptions {
  PenaltyInnerOptions penalty = accelerated_inner_loop();
  Auto M;

  // `m` (the lazy variants' refresh period; nullptr = 1) scales the auto M.
  void declare(OptionList& o, const Index* m = nullptr);
};

struct LfsbaOptions {
  FsbaOptions fsba;
  Index m = 10;

  void declare(OptionList& o);
};

// The state shared by fsba, lfsba and ifsba: F2BA's inner sequences and proxy gradient, M, and
// the record of the cubic steps.
class CubicPenaltyIteration {
 public:
  CubicPenaltyIteration(const FsbaOptions& resolved, const Problem& p, const Vec& x0, const Vec& y0,
                        RunContext& context);
  // K inner steps at the current x, then the proxy gradient there.
  const Vec& gradient(Problem& p, Rng& rng) { return it_.direction(p, rng); }
  // Dense step (fsba, lfsba): refreshes H and its factorization when `refresh` (or when there
  // is none yet), then x += argmin of the cubic model. Returns false (x untouched) when the
  // Hessian cannot be assembled: f + lam g not strongly convex in y at the inner point.
  bool dense_step(Problem& p, const Vec& d, bool refresh);

  double lam() const { return it_.lam(); }
  double M() const { return M_; }
  Vec& x() { return it_.x(); }
  const Vec& x() const { return it_.x(); }
  const Vec& y() const { return it_.y(); }
  const Vec& z() const { return it_.z(); }
  Index hessian_refreshes() const { return refreshes_; }
  Index inner_steps() const { return it_.inner_steps(); }
  void visit(StateArchive& a) { a("penalty", it_)("solver", solver_)("refreshes", refreshes_); }
  // The current (possibly lazy) Hessian's smallest eigenvalue (NaN before the first refresh).
  double hessian_min_eig() const;

 private:
  PenaltyIteration it_;
  double M_;
  std::optional<DenseCubicSolver> solver_;
  Index refreshes_ = 0;
};

// One run of fsba or lfsba: the dense cubic iteration, the Hessian refreshed every `period`
// iterations.
class DenseCubicRun : public MethodRun {
 public:
  DenseCubicRun(const FsbaOptions& resolved, Index period, Problem& p, const Vec& x0, const Vec& y0,
                RunContext& context);
  DenseCubicRun(const FsbaOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                RunContext& context)
      : DenseCubicRun(resolved, 1, p, x0, y0, context) {}
  DenseCubicRun(const LfsbaOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                RunContext& context)
      : DenseCubicRun(resolved.fsba, resolved.m, p, x0, y0, context) {}
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("iteration", it_);
  }
  const Vec& x() const override { return it_.x(); }
  const Vec& y() const override { return it_.z(); }
  std::vector<std::pair<std::string, double>> counters() const override;

  const CubicPenaltyIteration& iteration() const { return it_; }

 private:
  CubicPenaltyIteration it_;
  Index period_;
  RunContext* context_;  // for the warning of a failed refresh
};

class Fsba : public Method<Fsba, FsbaOptions, DenseCubicRun> {
 public:
  static constexpr const char* kName = "fsba";
  static constexpr const char* kDescription =
      "fully second-order bilevel approximation: cubic Newton on the penalty proxy with exact "
      "dense Hessians (fsba paper, Alg. 1)";
  using Method::Method;
  Requirements requirements() const override {
    return {.dense_hessian = true, .alternative = "ifsba (Hessian-vector products only)"};
  }
};

class Lfsba : public Method<Lfsba, LfsbaOptions, DenseCubicRun> {
 public:
  static constexpr const char* kName = "lfsba";
  static constexpr const char* kDescription =
      "lazy FSBA: the Hessian of the penalty proxy and its factorization refreshed every m "
      "iterations (fsba paper, Alg. 2)";
  using Method::Method;
  Requirements requirements() const override {
    return {.dense_hessian = true, .alternative = "ifsba (Hessian-vector products only)"};
  }
};

}  // namespace bilevel
