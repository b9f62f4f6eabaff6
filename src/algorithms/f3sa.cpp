#include "bilevel/algorithms/f3sa.hpp"

#include <algorithm>
#include <cmath>

namespace bilevel {

namespace {
// The slides' F3SA exponent pairs (momentum allows larger steps than F2SA's).
const RegimeExponents kF3saExponents{
    {3.0 / 5, 2.0 / 5},
    {1.0 / 2, 1.0 / 4},
    {1.0 / 3, 0.0},
    "both (3/5, 2/5: f and g noisy), upper (1/2, 1/4: only f noisy), none (1/3, 0: exact)"};
}  // namespace

void F3saOptions::declare(OptionList& o) {
  using C = Constraint;
  schedule.declare(o, kF3saExponents);
  o.add("xi", xi, "x step / y step ratio", C::positive())
      .add("eta0", eta0, "momentum weight eta_0; eta_k = min(1, eta0 r^-eta_decay)",
           C::in_range(0, 1, true, false))
      .add("eta_decay", eta_decay, "decay exponent of eta_k (slides: eta_k = k^-2c)",
           C::non_negative(), {"2c", [this](const AutoContext&) { return 2 * *schedule.c; }})
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g (0 = full sum)", C::non_negative());
}

F3saRun::F3saRun(const F3saOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : xi_(r.xi),
      sched_(make_f2sa_schedule(r.schedule, context.algo)),
      eta_{r.eta0, *r.eta_decay, r.schedule.k0},
      sf_(p.num_samples(Fn::kF), r.batch_f),
      sg_(p.num_samples(Fn::kG), r.batch_g),
      x_(x0),
      y_(y0),
      z_(y0) {
  const ProblemConstants cst = p.constants();
  const double k0 = r.schedule.k0;
  if (cst.L_g && cst.mu_g && k0 < (sched_.a() - sched_.c()) * *cst.L_g / *cst.mu_g)
    context.warn(context.algo + ": k0 = " + format_short(k0) + " < (a - c) kappa = " +
                 format_short((sched_.a() - sched_.c()) * *cst.L_g / *cst.mu_g) +
                 ": the early increments delta_k exceed the slides' O(lam_k / kappa)");
}

double F3saRun::eta_at(Index k) const { return std::min(1.0, eta_.at(k)); }

void F3saRun::step(Problem& p, Rng& rng, Index k) {
  const double lam = sched_.lam_at(k), alpha = sched_.alpha_at(k), gamma = sched_.gamma_at(k),
               eta = eta_at(k);
  // Each batch is used at once (it views the sampler's buffer until the next draw), at the
  // current and the previous point. The draw order z (g), y (f), y (g), x (f, g, g) is
  // f2sa's with T = 1, so eta = 1 reproduces its iterates.
  const Vec& hgz = gz_.update(p, sg_.draw(rng), x_, z_, eta);
  const Vec& hfy = fy_.update(p, sf_.draw(rng), x_, y_, eta);
  const Vec& hgy = gy_.update(p, sg_.draw(rng), x_, y_, eta);
  z_ -= gamma * hgz;
  y_ -= alpha * (hfy + lam * hgy);
  const Vec& hfx = fx_.update(p, sf_.draw(rng), x_, y_, eta);
  const Vec& hgxy = gxy_.update(p, sg_.draw(rng), x_, y_, eta);
  const Vec& hgxz = gxz_.update(p, sg_.draw(rng), x_, z_, eta);
  x_ -= xi_ * alpha * (hfx + lam * (hgxy - hgxz));
}

std::vector<ComplexityBound> F3sa::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds("upper",
                         {{"eps", false, 3, "O~(eps^-3)",
                           "Kwon et al. F2SA slides 2025, Complexity of F3SA (exact gradients)"},
                          {"eps", true, 5, "O~(eps^-5), f and g noisy",
                           "Kwon et al. F2SA slides 2025, Complexity of F3SA"}},
                         key, stochastic);
}

}  // namespace bilevel
