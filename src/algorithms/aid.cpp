#include "bilevel/algorithms/aid.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/linalg/cg.hpp"

namespace bilevel {

void AidCgOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "inner gradient steps on g per outer iteration", C::at_least(1))
      .add("alpha", alpha, "inner step on g", C::positive(), rules::inverse_L_g())
      .add("N", N, "CG updates of v per outer iteration, warm-started", C::at_least(1))
      .add("cg_tol", cg_tol, "CG stops early at relative residual cg_tol", C::positive())
      .add("eta", eta, "outer step on x", C::positive(), rules::outer_step());
}

void AidNsOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "inner gradient steps on g per outer iteration", C::at_least(1))
      .add("alpha", alpha, "inner step on g", C::positive(), rules::inverse_L_g())
      .add("Q", Q,
           "Hessian-vector products per iteration in the Neumann series, warm-started from the "
           "previous adjoint (one of them for its residual)",
           C::at_least(0))
      .add("alpha_ns", alpha_ns, "Neumann series step, < 2/L_g for convergence", C::positive(),
           rules::inverse_L_g())
      .add("eta", eta, "outer step on x", C::positive(), rules::outer_step());
}

AidRun::AidRun(Index K, double alpha, double eta, Problem& p, const Vec& x0, const Vec& y0)
    : K_(K),
      alpha_(alpha),
      eta_(eta),
      sf_(p.num_samples(Fn::kF), 0),
      sg_(p.num_samples(Fn::kG), 0),
      x_(x0),
      y_(y0),
      v_(Vec::Zero(p.dim_y())) {}  // a zero start: the first CG solve needs no residual product

AidRun::AidRun(const AidCgOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&, RunContext&)
    : AidRun(r.K, *r.alpha, *r.eta, p, x0, y0) {
  cg_ = true;
  N_ = r.N;
  cg_tol_ = r.cg_tol;
}

AidRun::AidRun(const AidNsOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&, RunContext&)
    : AidRun(r.K, *r.alpha, *r.eta, p, x0, y0) {
  cg_ = false;
  Q_ = r.Q;
  alpha_ns_ = *r.alpha_ns;
}

void AidRun::step(Problem& p, Rng& rng, Index) {
  for (Index k = 0; k < K_; ++k) {
    p.grad(Fn::kG, x_, y_, sg_.draw(rng), nullptr, &ggy_);
    y_ -= alpha_ * ggy_;
  }
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, &gfy_);
  solve_adjoint(p, rng);
  p.hxy(Fn::kG, x_, y_, v_, sg_.draw(rng), &hxv_);
  h_ = gfx_ - hxv_;
  x_ -= eta_ * h_;
}

void AidRun::solve_adjoint(Problem& p, Rng& rng) {
  // One batch for the whole solve: CG needs a fixed operator (and the series one operator).
  const Batch b = sg_.draw(rng);
  if (cg_) {
    auto apply = [&](const Vec& u, Vec* out) { p.hyy(Fn::kG, x_, y_, u, b, out); };
    // conjugate_gradient's limit counts products, and a nonzero warm start spends one on its
    // initial residual: allow it on top, so that N is always the number of updates of v (with
    // N = 1 a warm start would otherwise never move v).
    const Index products = N_ + (v_.isZero(0.0) ? 0 : 1);
    conjugate_gradient(apply, gfy_, &v_, products, cg_tol_);
  } else if (Q_ == 0 || v_.isZero(0.0)) {
    // Cold start (the first iteration, or Q = 0 where a warm start would need a product):
    // v = alpha_ns sum_{i=0}^{Q} (I - alpha_ns Hyy)^i b, all products on one batch.
    neumann_series(
        p, x_, y_, gfy_, Q_, alpha_ns_, [&b](Index) { return b; }, &work_, &v_);
  } else {
    // Warm start from the previous v, as aid-cg's: the series of Q - 1 products solves for the
    // correction from the residual b - Hyy v (one product), so the Q products per iteration
    // keep refining one adjoint and the truncation bias (1 - alpha_ns mu_g)^Q does not stay.
    p.hyy(Fn::kG, x_, y_, v_, b, &residual_);
    residual_ = gfy_ - residual_;
    neumann_series(
        p, x_, y_, residual_, Q_ - 1, alpha_ns_, [&b](Index) { return b; }, &work_, &dv_);
    v_ += dv_;
  }
}

std::vector<ComplexityBound> AidCg::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 2, "O(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (AID)"},
       {"kappa", false, 4, "O(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (AID)"}},
      key, stochastic);
}

std::vector<ComplexityBound> AidNs::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 2, "O(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (AID)"},
       {"kappa", false, 4, "O(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (AID)"}},
      key, stochastic);
}

}  // namespace bilevel
