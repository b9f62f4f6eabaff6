#include "bilevel/algorithms/vrbo.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void VrboOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K, "inner steps per outer iteration (the paper's m + 1)", C::at_least(1))
      .add("q", q, "refresh the estimates from large batches every q outer iterations",
           C::at_least(1))
      .add("alpha", alpha, "y step", C::positive(), rules::inverse_L_g())
      .add("beta", beta, "x step", C::positive(), rules::outer_step())
      .add("batch_f_large", batch_f_large,
           "refresh minibatch size S1 for f (0 = full sum; batch_f, batch_g are the small S2)",
           C::non_negative())
      .add("batch_g_large", batch_g_large, "refresh minibatch size for g (0 = full sum)",
           C::non_negative());
  ns.declare(o);
}

VrboRun::VrboRun(const VrboOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context)
    : o_(r),
      setup_(p, *r.alpha, *r.beta, r.ns, context),
      sf_large_(p.num_samples(Fn::kF), r.batch_f_large),
      sg_large_(p.num_samples(Fn::kG), r.batch_g_large),
      x_(x0),
      y_(y0) {
  est_.configure(static_cast<Index>(*r.ns.Q), setup_.eta_N);
}

void VrboRun::step(Problem& p, Rng& rng, Index k) {
  if (k % o_.q == 0) {
    est_.refresh_v(p, sg_large_, rng, x_, y_);
    est_.refresh_u(p, sf_large_, sg_large_, rng, x_, y_);
    x_est_ = x_;
    y_est_ = y_;
  }
  x_ -= setup_.beta * est_.u();
  for (Index t = 0; t < o_.K; ++t) {
    est_.correct_v(p, setup_.sg, rng, x_est_, y_est_, x_, y_, 0.0);
    est_.correct_u(p, setup_.sf, setup_.sg, rng, x_est_, y_est_, x_, y_, 0.0);
    x_est_ = x_;
    y_est_ = y_;
    y_ -= setup_.alpha * est_.v();
  }
}

}  // namespace bilevel
