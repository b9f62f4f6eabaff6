#include "bilevel/algorithms/f2sa.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

namespace {
// The slides' exponent pairs for the three noise regimes.
const RegimeExponents kF2saExponents{
    {5.0 / 7, 4.0 / 7},
    {3.0 / 5, 2.0 / 5},
    {1.0 / 3, 0.0},
    "both (5/7, 4/7: f and g noisy), upper (3/5, 2/5: only f noisy), none (1/3, 0: exact)"};
}  // namespace

void F2saOptions::declare(OptionList& o) {
  using C = Constraint;
  schedule.declare(o, kF2saExponents);
  o.add("T", T, "inner steps per outer iteration (slides: T = O(kappa))", C::integer_at_least(1),
        {"ceil(L_g/mu_g)",
         [](const AutoContext& c) {
           // ceil(kappa), forgiving the rounding of a computed kappa (10.000000000000002 is 10).
           return static_cast<double>(static_cast<Index>(std::ceil(c.L_g() / c.mu_g() - 1e-9)));
         }})
      .add("xi", xi, "x step / y step ratio (slides: xi = 1)", C::positive())
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)", C::non_negative())
      .add("common_batch", common_batch,
           "the x step's two lower-level gradients share one minibatch and noise draw, so "
           "their difference (multiplied by lam_k) carries noise of order ||y - z||; the "
           "slides draw them independently");
}

F2saRun::F2saRun(const F2saOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : o_(r),
      sched_(make_f2sa_schedule(r.schedule, context.algo)),
      T_(static_cast<Index>(*r.T)),
      sf_(p.num_samples(Fn::kF), r.batch_f),
      sg_(p.num_samples(Fn::kG), r.batch_g),
      x_(x0),
      y_(y0),
      z_(y0) {}

void F2saRun::step(Problem& p, Rng& rng, Index k) {
  const double lam = lam_at(k), alpha = alpha_at(k), gamma = gamma_at(k);
  for (Index t = 0; t < T_; ++t) {
    penalty_inner_gradients(p, rng, sf_, sg_, x_, z_, y_, &inner_);
    z_ -= gamma * inner_.ggz;
    y_ -= alpha * (inner_.gfy + lam * inner_.ggy);
  }
  p.grad(Fn::kF, x_, y_, sf_.draw(rng), &gfx_, nullptr);
  if (o_.common_batch) {
    const Batch b = sg_.draw(rng);
    p.grad(Fn::kG, x_, y_, b, &ggx_, nullptr);
    p.grad(Fn::kG, x_, z_, b, &ggxz_, nullptr);
  } else {
    p.grad(Fn::kG, x_, y_, sg_.draw(rng), &ggx_, nullptr);
    p.grad(Fn::kG, x_, z_, sg_.draw(rng), &ggxz_, nullptr);
  }
  x_ -= o_.xi * alpha * (gfx_ + lam * (ggx_ - ggxz_));
}

// With the slides' step-size exponents (a, c) = (1/3, 0) exact, (5/7, 4/7) when f and g are
// noisy; f2sa-p's Table 1 also quotes the sharper eps^-6 of Kwon et al. 2024a.
std::vector<ComplexityBound> F2sa::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 3, "O~(eps^-3)",
        "Kwon et al. F2SA slides 2025, Complexity of F2SA (exact gradients)"},
       {"eps", true, 7, "O~(eps^-7), f and g noisy",
        "Kwon et al. F2SA slides 2025, Complexity of F2SA"},
       {"eps", true, 6, "O~(poly(kappa) eps^-6)",
        "Kwon et al. 2024a, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Table 1"}},
      key, stochastic);
}

}  // namespace bilevel
