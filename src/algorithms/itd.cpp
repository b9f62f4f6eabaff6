#include "bilevel/algorithms/itd.hpp"

#include <utility>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void ItdOptions::declare(OptionList& o) {
  o.add("K", K, "unrolled inner gradient steps on g per outer iteration (>= 1)")
      .add("alpha", alpha, "inner step on g; auto = 1/L_g")
      .add("eta", eta,
           "outer step on x; auto = 1/L_phi, else the problem's suggested step "
           "(hyperclean: n), else 1/(L_f (1+kappa)^2)");
}

std::vector<std::string> ItdOptions::validate() const {
  Violations v;
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.positive_or_auto("eta", eta);
  return v.list();
}

KeyValues Itd::resolved_options() {
  ItdOptions r = o_;
  r.alpha = alpha_;
  r.eta = eta_;
  return echo(r);
}

void Itd::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  alpha_ = o_.alpha ? *o_.alpha : 1.0 / require_constant(c.L_g, "L_g", name(), "alpha");
  eta_ = o_.eta ? *o_.eta : default_outer_step(c, name(), "eta");
  sf_ = Sampler(p.num_samples(Fn::kF), 0);
  sg_ = Sampler(p.num_samples(Fn::kG), 0);
  x_ = x0;
  // The reverse pass needs every iterate; sizing them once keeps the steps allocation-free.
  ys_.assign(static_cast<std::size_t>(o_.K + 1), Vec::Zero(p.dim_y()));
  ys_[0] = y0;
  h_.resize(0);
}

void Itd::step(Problem& p, Rng& rng, Index) {
  const auto K = static_cast<std::size_t>(o_.K);
  for (std::size_t k = 0; k < K; ++k) {
    p.grad(Fn::kG, x_, ys_[k], sg_.draw(rng), nullptr, &ggy_);
    ys_[k + 1] = ys_[k] - alpha_ * ggy_;
  }
  // Reverse pass: v is the adjoint of y_{k+1}, h accumulates the x-derivative.
  p.grad(Fn::kF, x_, ys_[K], sf_.draw(rng), &h_, &v_);
  for (std::size_t k = K; k-- > 0;) {
    p.hxy(Fn::kG, x_, ys_[k], v_, sg_.draw(rng), &hxv_);
    h_ -= alpha_ * hxv_;
    if (k == 0) break;  // y_0 does not depend on x: its adjoint is never used
    p.hyy(Fn::kG, x_, ys_[k], v_, sg_.draw(rng), &hyv_);
    v_ -= alpha_ * hyv_;
  }
  x_ -= eta_ * h_;
  // y_K becomes the next warm start (a swap of buffers, no copy).
  std::swap(ys_[0], ys_[K]);
}

}  // namespace bilevel
