#include "bilevel/algorithms/itd.hpp"

#include <utility>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void ItdOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("eps", eps, "target ||grad phi|| the auto K is chosen for", C::positive())
      .add("K", K,
           "unrolled inner gradient steps on g per outer iteration: the hypergradient's bias "
           "shrinks like (1 - alpha mu_g)^K (Ji et al. 2021: K = O(kappa log(1/eps))), so K "
           "sets the attainable accuracy; at most 1000 by default, since the reverse pass "
           "stores the K + 1 iterates",
           C::integer_at_least(1), rules::kappa_log_count(&eps, 10, 1000))
      .add("alpha", alpha, "inner step on g", C::positive(), rules::inverse_L_g())
      .add("eta", eta, "outer step on x", C::positive(), rules::outer_step());
}

ItdRun::ItdRun(const ItdOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&, RunContext&)
    : K_(static_cast<Index>(*r.K)),
      alpha_(*r.alpha),
      eta_(*r.eta),
      sf_(p.num_samples(Fn::kF), 0),
      sg_(p.num_samples(Fn::kG), 0),
      x_(x0),
      // The reverse pass needs every iterate; sizing them once keeps the steps allocation-free.
      ys_(static_cast<std::size_t>(K_ + 1), Vec::Zero(p.dim_y())) {
  ys_[0] = y0;
}

void ItdRun::step(Problem& p, Rng& rng, Index) {
  const auto K = static_cast<std::size_t>(K_);
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

std::vector<ComplexityBound> Itd::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 2, "O~(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (ITD)"},
       {"kappa", false, 4, "O~(kappa^4 eps^-2)", "Chen, Ma & Zhang 2025, Table 1 (ITD)"}},
      key, stochastic);
}

}  // namespace bilevel
