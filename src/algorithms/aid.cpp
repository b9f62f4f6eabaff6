#include "bilevel/algorithms/aid.hpp"

#include "bilevel/algorithms/step_defaults.hpp"
#include "bilevel/linalg/cg.hpp"

namespace bilevel {

namespace {

std::string positive_or_auto(const char* name, const Auto& value) {
  return std::string(name) + " must be > 0 or auto (got " + format_double(value.value_or(0)) + ")";
}

}  // namespace

// --- shared outer loop -------------------------------------------------------------------

void Aid::init_common(Problem& p, const Vec& x0, const Vec& y0, Index K, const Auto& alpha,
                      const Auto& eta) {
  const ProblemConstants c = p.constants();
  K_ = K;
  alpha_ = alpha ? *alpha : 1.0 / require_constant(c.L_g, "L_g", name(), "alpha");
  eta_ = eta ? *eta : 1.0 / hyperobjective_smoothness(c, name(), "eta");
  sf_ = Sampler(p.num_samples(Fn::kF), 0);
  sg_ = Sampler(p.num_samples(Fn::kG), 0);
  x_ = x0;
  y_ = y0;
  v_ = Vec::Zero(p.dim_y());  // a zero start: the first CG solve needs no residual product
  h_.resize(0);
}

void Aid::step(Problem& p, Rng& rng, Index) {
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

// --- aid-cg --------------------------------------------------------------------------------

void AidCgOptions::declare(OptionList& o) {
  o.add("K", K, "inner gradient steps on g per outer iteration (>= 1)")
      .add("alpha", alpha, "inner step on g; auto = 1/L_g")
      .add("N", N, "CG updates of v per outer iteration, warm-started (>= 1)")
      .add("cg_tol", cg_tol, "CG stops early at relative residual cg_tol (> 0)")
      .add("eta", eta, "outer step on x; auto = 1/L_phi (1/(L_f (1+kappa)^2) if L_phi unknown)");
}

std::vector<std::string> AidCgOptions::validate() const {
  Violations v;
  v.check(K >= 1, "K must be >= 1 (got " + std::to_string(K) + ")");
  v.check(!alpha || *alpha > 0, positive_or_auto("alpha", alpha));
  v.check(N >= 1, "N must be >= 1 (got " + std::to_string(N) + ")");
  v.check(cg_tol > 0, "cg_tol must be > 0 (got " + format_double(cg_tol) + ")");
  v.check(!eta || *eta > 0, positive_or_auto("eta", eta));
  return v.list();
}

OptionList AidCg::options() {
  OptionList list(name());
  o_.declare(list);
  return list;
}

KeyValues AidCg::resolved_options() {
  AidCgOptions r = o_;
  r.alpha = alpha_;
  r.eta = eta_;
  OptionList list(name());
  r.declare(list);
  return list.values();
}

void AidCg::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  init_common(p, x0, y0, o_.K, o_.alpha, o_.eta);
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
      .add("eta", eta, "outer step on x; auto = 1/L_phi (1/(L_f (1+kappa)^2) if L_phi unknown)");
}

std::vector<std::string> AidNsOptions::validate() const {
  Violations v;
  v.check(K >= 1, "K must be >= 1 (got " + std::to_string(K) + ")");
  v.check(!alpha || *alpha > 0, positive_or_auto("alpha", alpha));
  v.check(Q >= 0, "Q must be >= 0 (got " + std::to_string(Q) + ")");
  v.check(!alpha_ns || *alpha_ns > 0, positive_or_auto("alpha_ns", alpha_ns));
  v.check(!eta || *eta > 0, positive_or_auto("eta", eta));
  return v.list();
}

OptionList AidNs::options() {
  OptionList list(name());
  o_.declare(list);
  return list;
}

KeyValues AidNs::resolved_options() {
  AidNsOptions r = o_;
  r.alpha = alpha_;
  r.alpha_ns = alpha_ns_;
  r.eta = eta_;
  OptionList list(name());
  r.declare(list);
  return list.values();
}

void AidNs::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  init_common(p, x0, y0, o_.K, o_.alpha, o_.eta);
  alpha_ns_ = o_.alpha_ns ? *o_.alpha_ns
                          : 1.0 / require_constant(p.constants().L_g, "L_g", name(), "alpha_ns");
}

void AidNs::solve_adjoint(Problem& p, Rng& rng) {
  // v = alpha_ns sum_{i=0}^{Q} (I - alpha_ns Hyy)^i b, one product per term after the first.
  const Batch b = sg_.draw(rng);
  term_ = gfy_;
  v_ = gfy_;
  for (Index i = 1; i <= o_.Q; ++i) {
    p.hyy(Fn::kG, x_, y_, term_, b, &hv_);
    term_ -= alpha_ns_ * hv_;
    v_ += term_;
  }
  v_ *= alpha_ns_;
}

}  // namespace bilevel
