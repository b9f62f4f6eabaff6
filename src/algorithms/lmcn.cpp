#include "bilevel/algorithms/lmcn.hpp"

#include <limits>

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"
#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/minimax.hpp"

namespace bilevel {

void LmcnOptions::declare(OptionList& o) {
  o.add("m", m, "Hessian refresh period: the Hessian of P is recomputed every m iterations (>= 1)")
      .add("K", K, "inner Nesterov AGD steps on y per iteration (>= 1)")
      .add("alpha", alpha, "inner step; auto = 1/L_g (L_g: smoothness of -F in y)")
      .add("inner_tol", inner_tol,
           "end the inner loop before K steps once ||grad_y F|| <= inner_tol (>= 0; 0 = K steps)")
      .add("M", M,
           "cubic regularization (> 0); auto = m times the problem's rho_phi, else 1/x_step, "
           "else L_phi, else 1");
}

std::vector<std::string> LmcnOptions::validate() const {
  Violations v;
  v.at_least("m", m, 1);
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.non_negative("inner_tol", inner_tol);
  v.positive_or_auto("M", M);
  return v.list();
}

void Lmcn::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  if (!dynamic_cast<const MinimaxProblem*>(&p))
    throw InvalidOptions(name() + ": problem '" + p.name() +
                         "' is not a minimax problem (lmcn needs f = F, g = -F; see "
                         "`bilevel list problems`: minimax-synthetic, dro-logistic)");
  if (!p.has_dense_hessian())
    throw InvalidOptions(name() + ": problem '" + p.name() + "' has no dense Hessians");
  const ProblemConstants c = p.constants();
  alpha_ = o_.alpha ? *o_.alpha : 1.0 / require_constant(c.L_g, "L_g", name(), "alpha");
  beta_ = nesterov_momentum(1.0 / alpha_, require_constant(c.mu_g, "mu_g", name(), "K"));
  if (o_.M) {
    M_ = *o_.M;
  } else {
    M_ = static_cast<double>(o_.m) * default_cubic_regularization(c);
  }
  x_ = x0;
  y_ = y0;
  solver_.reset();
  refreshes_ = 0;
}

void Lmcn::step(Problem& p, Rng&, Index k) {
  const Batch full{};
  // y <- AGD on g(x, .): gradients at the extrapolated point w, momentum restarted.
  w_ = y_;
  for (Index i = 0; i < o_.K; ++i) {
    p.grad(Fn::kG, x_, w_, full, nullptr, &gy_);
    if (o_.inner_tol > 0 && gy_.norm() <= o_.inner_tol) {
      y_ = w_;
      break;
    }
    y_prev_ = y_;
    y_ = w_ - alpha_ * gy_;
    w_ = y_ + beta_ * (y_ - y_prev_);
  }
  p.grad(Fn::kG, x_, y_, full, &gx_, nullptr);
  if (k % o_.m == 0 || !solver_) {
    Mat gxx, gxy, gyy, s;
    p.hessian(Fn::kG, x_, y_, full, &gxx, &gxy, &gyy);
    if (!schur_complement(gxx, gxy, gyy, &s)) {
      warn("Hyy of -F was not positive definite at the inner point: the problem is not "
           "strongly concave there");
      x_.setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    solver_.emplace(-s, M_);  // Hess P = -S(g)
    ++refreshes_;
  }
  x_ += solver_->solve(-gx_).s;  // grad P = grad_x F = -grad_x g
}

KeyValues Lmcn::resolved_options() {
  LmcnOptions r = o_;
  r.alpha = alpha_;
  r.M = M_;
  return echo(r);
}

}  // namespace bilevel
