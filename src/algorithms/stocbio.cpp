#include "bilevel/algorithms/stocbio.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void StocbioOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "inner SGD steps on g per outer iteration (the paper's D)", C::at_least(1))
      .add("alpha", alpha, "inner step on g", C::positive(), rules::inverse_L_g())
      .add("beta", beta, "outer step on x", C::positive(), rules::outer_step());
  ns.declare(o);
}

StocbioRun::StocbioRun(const StocbioOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                       RunContext& context)
    : K_(r.K), setup_(p, *r.alpha, *r.beta, r.ns, context), x_(x0), y_(y0) {
  hypergrad_.configure(static_cast<Index>(*r.ns.Q), setup_.eta_N);
}

void StocbioRun::step(Problem& p, Rng& rng, Index) {
  for (Index t = 0; t < K_; ++t) {
    p.grad(Fn::kG, x_, y_, setup_.sg.draw(rng), nullptr, &ggy_);
    y_ -= setup_.alpha * ggy_;
  }
  hypergrad_.draw(setup_.sf, setup_.sg, rng);
  hypergrad_.estimate(p, x_, y_, &h_);
  x_ -= setup_.beta * h_;
}

// stocBiO (Ji et al. 2021) under the stochastic-Hessian assumption, as f2sa-p quotes it.
std::vector<ComplexityBound> Stocbio::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", true, 4, "O~(kappa^9 eps^-4)",
        "Ji et al. 2021, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Remark 3.4"},
       {"kappa", true, 9, "O~(kappa^9 eps^-4)",
        "Ji et al. 2021, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Remark 3.4"}},
      key, stochastic);
}

}  // namespace bilevel
