#include "bilevel/algorithms/ifsba.hpp"

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"

namespace bilevel {

void IfsbaOptions::declare(OptionList& o) {
  using C = Constraint;
  fsba.declare(o);
  o.add("cg_iters", cg_iters, "CG iterations per y-block solve in a Hessian product",
        C::at_least(1))
      .add("cg_tol", cg_tol, "relative residual of those CG solves", C::positive())
      .add("cubic_iters", cubic_iters, "gradient steps on the cubic model per outer iteration",
           C::at_least(1))
      .add("cubic_tol", cubic_tol,
           "stop the cubic solver when ||grad model(s)|| <= cubic_tol ||grad L*_lam||",
           C::positive())
      // Left "auto" for the run: the cubic solver estimates the bound at every step.
      .add("cubic_L", cubic_L, "bound on ||Hess L*_lam|| for the cubic solver's step",
           C::positive(), {"power iteration (30 products) every outer iteration", nullptr});
}

IfsbaRun::IfsbaRun(const IfsbaOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                   RunContext& context)
    : o_(r), it_(r.fsba, p, x0, y0, context) {}

void IfsbaRun::step(Problem& p, Rng& rng, Index) {
  const Vec& d = it_.gradient(p, rng);
  PenaltyHessianProduct hess(p, it_.x(), it_.y(), it_.z(), it_.lam(),
                             SchurCgOptions{o_.cg_iters, o_.cg_tol});
  CubicGdOptions co;
  co.tol = o_.cubic_tol;
  co.max_iters = o_.cubic_iters;
  co.L = o_.cubic_L ? *o_.cubic_L : 0.0;
  last_cubic_ = cubic_gradient_descent([&](const Vec& u, Vec* out) { hess.apply(u, out); }, d,
                                       it_.M(), rng, co);
  last_cg_ = hess.cg_iterations();
  it_.x() += last_cubic_.s;
}

}  // namespace bilevel
