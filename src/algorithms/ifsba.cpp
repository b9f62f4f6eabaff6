#include "bilevel/algorithms/ifsba.hpp"

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"

namespace bilevel {

void IfsbaOptions::declare(OptionList& o) {
  FsbaOptions::declare(o);
  o.add("cg_iters", cg_iters, "CG iterations per y-block solve in a Hessian product (>= 1)")
      .add("cg_tol", cg_tol, "relative residual of those CG solves (> 0)")
      .add("cubic_iters", cubic_iters,
           "gradient steps on the cubic model per outer iteration (>= 1)")
      .add("cubic_tol", cubic_tol,
           "stop the cubic solver when ||grad model(s)|| <= cubic_tol ||grad L*_lam|| (> 0)")
      .add("cubic_L", cubic_L,
           "bound on ||Hess L*_lam|| for the cubic solver's step; auto = power iteration "
           "(30 products) every outer iteration");
}

std::vector<std::string> IfsbaOptions::validate() const {
  std::vector<std::string> v = FsbaOptions::validate();
  Violations w;
  w.at_least("cg_iters", cg_iters, 1);
  w.positive("cg_tol", cg_tol);
  w.at_least("cubic_iters", cubic_iters, 1);
  w.positive("cubic_tol", cubic_tol);
  w.positive_or_auto("cubic_L", cubic_L);
  for (auto& m : w.list()) v.push_back(std::move(m));
  return v;
}

void Ifsba::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  std::vector<std::string> warnings;
  it_.init(p, o_, 1, name(), x0, y0, &warnings);
  for (auto& w : warnings) warn(std::move(w));
  last_cubic_ = {};
  last_cg_ = 0;
}

void Ifsba::step(Problem& p, Rng& rng, Index) {
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
  it_.set_last_step_norm(last_cubic_.s.norm());
}

KeyValues Ifsba::resolved_options() {
  IfsbaOptions r = o_;
  it_.resolve(&r);
  return echo(r);
}

}  // namespace bilevel
