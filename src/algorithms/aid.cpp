#include "bilevel/algorithms/aid.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/linalg/cg.hpp"

namespace bilevel {

// --- shared outer loop -------------------------------------------------------------------

template <class Options>
void Aid<Options>::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  const Options& o = this->o_;
  alpha_ = o.alpha ? *o.alpha : 1.0 / require_constant(c.L_g, "L_g", this->name(), "alpha");
  eta_ = o.eta ? *o.eta : default_outer_step(c, this->name(), "eta");
  sf_ = Sampler(p.num_samples(Fn::kF), 0);
  sg_ = Sampler(p.num_samples(Fn::kG), 0);
  x_ = x0;
  y_ = y0;
  v_ = Vec::Zero(p.dim_y());  // a zero start: the first CG solve needs no residual product
  h_.resize(0);
}

template <class Options>
void Aid<Options>::step(Problem& p, Rng& rng, Index) {
  for (Index k = 0; k < this->o_.K; ++k) {
    p.grad(Fn::kG, x_, y_, sg_.draw(rng), nullptr, &ggy_);
    y_ -= alpha_ * ggy_;
  }
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, &gfy_);
  solve_adjoint(p, rng);
  p.hxy(Fn::kG, x_, y_, v_, sg_.draw(rng), &hxv_);
  h_ = gfx_ - hxv_;
  x_ -= eta_ * h_;
}

template class Aid<AidCgOptions>;
template class Aid<AidNsOptions>;

// --- aid-cg --------------------------------------------------------------------------------

void AidCgOptions::declare(OptionList& o) {
  o.add("K", K, "inner gradient steps on g per outer iteration (>= 1)")
      .add("alpha", alpha, "inner step on g; auto = 1/L_g")
      .add("N", N, "CG updates of v per outer iteration, warm-started (>= 1)")
      .add("cg_tol", cg_tol, "CG stops early at relative residual cg_tol (> 0)")
      .add("eta", eta,
           "outer step on x; auto = 1/L_phi, else the problem's suggested step "
           "(hyperclean: n), else 1/(L_f (1+kappa)^2)");
}

std::vector<std::string> AidCgOptions::validate() const {
  Violations v;
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.at_least("N", N, 1);
  v.positive("cg_tol", cg_tol);
  v.positive_or_auto("eta", eta);
  return v.list();
}

KeyValues AidCg::resolved_options() {
  AidCgOptions r = o_;
  r.alpha = alpha_;
  r.eta = eta_;
  return echo(r);
}

void AidCg::solve_adjoint(Problem& p, Rng& rng) {
  // One batch for the whole solve: CG needs a fixed operator.
  const Batch b = sg_.draw(rng);
  auto apply = [&](const Vec& u, Vec* out) { p.hyy(Fn::kG, x_, y_, u, b, out); };
  // conjugate_gradient's limit counts products, and a nonzero warm start spends one on its
  // initial residual: allow it on top, so that N is always the number of updates of v (with
  // N = 1 a warm start would otherwise never move v).
  const Index products = o_.N + (v_.isZero(0.0) ? 0 : 1);
  conjugate_gradient(apply, gfy_, &v_, products, o_.cg_tol);
}

// --- aid-ns --------------------------------------------------------------------------------

void AidNsOptions::declare(OptionList& o) {
  o.add("K", K, "inner gradient steps on g per outer iteration (>= 1)")
      .add("alpha", alpha, "inner step on g; auto = 1/L_g")
      .add("Q", Q, "Hessian-vector products in the Neumann series (>= 0)")
      .add("alpha_ns", alpha_ns, "Neumann series step, < 2/L_g for convergence; auto = 1/L_g")
      .add("eta", eta,
           "outer step on x; auto = 1/L_phi, else the problem's suggested step "
           "(hyperclean: n), else 1/(L_f (1+kappa)^2)");
}

std::vector<std::string> AidNsOptions::validate() const {
  Violations v;
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.at_least("Q", Q, 0);
  v.positive_or_auto("alpha_ns", alpha_ns);
  v.positive_or_auto("eta", eta);
  return v.list();
}

KeyValues AidNs::resolved_options() {
  AidNsOptions r = o_;
  r.alpha = alpha_;
  r.alpha_ns = alpha_ns_;
  r.eta = eta_;
  return echo(r);
}

void AidNs::init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) {
  Aid::init(p, x0, y0, rng);
  alpha_ns_ = o_.alpha_ns ? *o_.alpha_ns
                          : 1.0 / require_constant(p.constants().L_g, "L_g", name(), "alpha_ns");
}

void AidNs::solve_adjoint(Problem& p, Rng& rng) {
  // v = alpha_ns sum_{i=0}^{Q} (I - alpha_ns Hyy)^i b: all products on one batch.
  const Batch b = sg_.draw(rng);
  neumann_series(p, x_, y_, gfy_, o_.Q, alpha_ns_, [&b](Index) { return b; }, &work_, &v_);
}

}  // namespace bilevel
