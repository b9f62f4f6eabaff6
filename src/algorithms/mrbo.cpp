#include "bilevel/algorithms/mrbo.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void MrboOptions::declare(OptionList& o) {
  o.add("K", K, "y updates per iteration, each with its momentum correction (>= 1; paper: 1)")
      .add("alpha", alpha, "y step factor (paper: lambda), y step = alpha eta_k; auto = 1/L_g")
      .add("beta", beta,
           "x step factor (paper: gamma), x step = beta eta_k; auto = 1/L_phi, else the "
           "problem's suggested step, else 1/(L_f (1+kappa)^2)")
      .add("m", m, "schedule offset: eta_k = d/(m+k)^(1/3) (> 0)")
      .add("d", d, "schedule numerator (> 0); auto = m^(1/3), so eta_0 = 1")
      .add("c1", c1, "hypergradient momentum weight a_{k+1} = min(1, c1 eta_k^2) (> 0)")
      .add("c2", c2, "y-gradient momentum weight b_{k+1} = min(1, c2 eta_k^2) (> 0)");
  ns.declare(o);
}

std::vector<std::string> MrboOptions::validate() const {
  Violations v;
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.positive_or_auto("beta", beta);
  v.positive("m", m);
  v.positive_or_auto("d", d);
  v.positive("c1", c1);
  v.positive("c2", c2);
  ns.check(v);
  return v.list();
}

KeyValues Mrbo::resolved_options() {
  MrboOptions r = setup_.echoed(o_);
  r.d = d_;
  return echo(r);
}

double Mrbo::eta_at(Index k) const { return d_ / std::cbrt(o_.m + static_cast<double>(k)); }

double Mrbo::hypergradient_weight_at(Index k) const {
  const double eta = eta_at(k);
  return std::min(1.0, o_.c1 * eta * eta);
}

double Mrbo::gradient_weight_at(Index k) const {
  const double eta = eta_at(k);
  return std::min(1.0, o_.c2 * eta * eta);
}

void Mrbo::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  d_ = o_.d ? *o_.d : std::cbrt(o_.m);
  if (const std::string w = setup_.resolve(p, o_.alpha, o_.beta, o_.ns, name()); !w.empty())
    warn(w);
  est_.configure(o_.ns.Q, setup_.eta_N);
  x_ = x0;
  y_ = y0;
}

void Mrbo::step(Problem& p, Rng& rng, Index k) {
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
