#include "bilevel/algorithms/lmcn.hpp"

#include <limits>

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"
#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void LmcnOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("m", m, "Hessian refresh period: the Hessian of P is recomputed every m iterations",
        C::at_least(1))
      .add("K", K, "inner Nesterov AGD steps on y per iteration", C::at_least(1))
      .add("alpha", alpha, "inner step (L_g: smoothness of -F in y)", C::positive(),
           rules::inverse_L_g())
      .add("inner_tol", inner_tol,
           "end the inner loop before K steps once ||grad_y F|| <= inner_tol (0 = K steps)",
           C::non_negative())
      .add("M", M,
           "cubic regularization, as fsba's with lfsba's factor m; on dro-logistic, whose Hess P "
           "is O(1e-2), M=0.01 converges in about 20 iterations where M = 1 needs hundreds",
           C::positive(), rules::cubic_regularization(&m));
}

LmcnRun::LmcnRun(const LmcnOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : o_(r),
      alpha_(*r.alpha),
      beta_(nesterov_momentum(1.0 / alpha_,
                              require_constant(p.constants().mu_g, "mu_g", context.algo, "K"))),
      x_(x0),
      y_(y0),
      context_(&context) {}

void LmcnRun::step(Problem& p, Rng&, Index k) {
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
      context_->warn(
          "Hyy of -F was not positive definite at the inner point: the problem is "
          "not strongly concave there");
      x_.setConstant(std::numeric_limits<double>::quiet_NaN());
      return;
    }
    solver_.emplace(-s, *o_.M);  // Hess P = -S(g)
    ++refreshes_;
  }
  x_ += solver_->solve(-gx_).s;  // grad P = grad_x F = -grad_x g
}

std::vector<std::pair<std::string, double>> LmcnRun::counters() const {
  return {{"hessian_refreshes", static_cast<double>(refreshes_)}};
}

}  // namespace bilevel
