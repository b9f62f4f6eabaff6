#include "bilevel/algorithms/aggitd.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/state_archive.hpp"

namespace bilevel {

void AggitdOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("K", K,
        "lower-level steps per outer iteration, each also one step of the hypergradient's "
        "recursion (one allreduce each)",
        C::at_least(1))
      .add("alpha", alpha, "step of y and of the recursion of v, < 2/L_g", C::positive(),
           rules::inverse_L_g())
      .add("eta", eta, "outer step on x", C::positive(), rules::outer_step());
}

AggitdRun::AggitdRun(const AggitdOptions& r, Problem&, const Vec& x0, const Vec& y0, Rng&,
                     RunContext& context)
    : K_(r.K),
      alpha_(*r.alpha),
      eta_(*r.eta),
      comm_(context.comm ? context.comm : &world_comm()),
      x_(x0),
      y_(y0) {}

void AggitdRun::step(Problem& p, Rng&, Index) {
  const Index dy = y_.size();
  const Batch full;
  // v warm-starts from the previous outer iteration, as aid-cg's adjoint does: restarted from
  // 0 (ITD's own backward pass), the truncation bias (1 - alpha mu_g)^K would stay and the
  // defaults would stall (||grad phi|| near 1.5 on the default quadratic with K = 10).
  if (v_.size() != dy) v_.setZero(dy);
  stacked_.resize(2 * dy);
  for (Index k = 0; k < K_; ++k) {
    p.grad(Fn::kG, x_, y_, full, nullptr, &ggy_);
    p.grad(Fn::kF, x_, y_, full, nullptr, &gfy_);
    p.hyy(Fn::kG, x_, y_, v_, full, &hv_);
    // The two local directions, averaged in one round.
    stacked_.head(dy) = ggy_;
    stacked_.tail(dy) = hv_ - gfy_;
    comm_->allreduce_mean(stacked_);
    y_ -= alpha_ * stacked_.head(dy);
    v_ -= alpha_ * stacked_.tail(dy);
  }
  p.grad(Fn::kF, x_, y_, full, &gfx_, nullptr);
  p.hxy(Fn::kG, x_, y_, v_, full, &hxv_);
  h_ = gfx_ - hxv_;
  mean_over_ranks_x(*comm_, p.shard(), h_);
  x_ -= eta_ * h_;
}

void AggitdRun::visit(StateArchive& a) {
  a("x", x_)("y", y_)("v", v_)("h", h_);
}

}  // namespace bilevel
