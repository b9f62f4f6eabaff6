#include "bilevel/algorithms/mrbo.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void MrboOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "y updates per iteration, each with its momentum correction (paper: 1)",
        C::at_least(1))
      .add("alpha", alpha, "y step factor (paper: lambda), y step = alpha eta_k", C::positive(),
           rules::inverse_L_g())
      .add("beta", beta, "x step factor (paper: gamma), x step = beta eta_k", C::positive(),
           rules::outer_step())
      .add("m", m, "schedule offset: eta_k = d/(m+k)^(1/3)", C::positive())
      .add("d", d, "schedule numerator", C::positive(),
           {"m^(1/3), so eta_0 = 1", [this](const AutoContext&) { return std::cbrt(m); }})
      .add("c1", c1, "hypergradient momentum weight a_{k+1} = min(1, c1 eta_k^2)", C::positive())
      .add("c2", c2, "y-gradient momentum weight b_{k+1} = min(1, c2 eta_k^2)", C::positive());
  ns.declare(o);
}

MrboRun::MrboRun(const MrboOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : o_(r), setup_(p, *r.alpha, *r.beta, r.ns, context), x_(x0), y_(y0) {
  est_.configure(static_cast<Index>(*r.ns.Q), setup_.eta_N);
}

double MrboRun::eta_at(Index k) const { return *o_.d / std::cbrt(o_.m + static_cast<double>(k)); }

double MrboRun::hypergradient_weight_at(Index k) const {
  const double eta = eta_at(k);
  return std::min(1.0, o_.c1 * eta * eta);
}

double MrboRun::gradient_weight_at(Index k) const {
  const double eta = eta_at(k);
  return std::min(1.0, o_.c2 * eta * eta);
}

void MrboRun::step(Problem& p, Rng& rng, Index k) {
  if (k == 0) {  // v_0, u_0: plain minibatch estimates
    est_.refresh_v(p, setup_.sg, rng, x_, y_);
    est_.refresh_u(p, setup_.sf, setup_.sg, rng, x_, y_);
  }
  const double eta = eta_at(k);
  const double wu = hypergradient_weight_at(k), wv = gradient_weight_at(k);
  x_old_ = x_;
  y_old_ = y_;
  x_ -= setup_.beta * eta * est_.u();
  y_ -= setup_.alpha * eta * est_.v();
  est_.correct_v(p, setup_.sg, rng, x_old_, y_old_, x_, y_, wv);
  for (Index t = 1; t < o_.K; ++t) {
    y_prev_ = y_;
    y_ -= setup_.alpha * eta * est_.v();
    est_.correct_v(p, setup_.sg, rng, x_, y_prev_, x_, y_, wv);
  }
  est_.correct_u(p, setup_.sf, setup_.sg, rng, x_old_, y_old_, x_, y_, wu);
}

}  // namespace bilevel
