// F2SA: fully first-order stochastic approximation (Kwon, Kwon, Wright, Nowak; slides
// "Fully First-Order Methods for Bilevel Optimization", part II).
//
// For k = 0, 1, ...: T warm-started inner steps with stochastic gradients h,
//     z <- z - gamma_k h_gz(x, z),      y <- y - alpha_k (h_fy + lam_k h_gy)(x, y),
// then  x <- x - xi alpha_k [h_fx(x, y) + lam_k (h_gx(x, y) - h_gx(x, z))],
// with  alpha_k = alpha0 r^-a,  gamma_k = gamma0 r^-c,  lam_k = lam0 r^(a-c),  r = (k+k0)/k0,
// i.e. lam_{k+1} = lam_k + delta_k with the increments the slides' schedule implies
// (lam_k = O((k+k0)^(a-c))). The exponents (a, c) follow the noise regime of the slides:
// both f and g noisy (5/7, 4/7), only f noisy (3/5, 2/5), exact gradients (1/3, 0).
// Stochastic gradients come from minibatches of batch_f / batch_g components (0 = full
// sums) plus the problem's oracle noise, if any.
//
// With common_batch=true the two lower-level gradients of the x step share one minibatch and
// noise draw (common random numbers): their difference, multiplied by lam_k, then carries
// noise of order ||y - z|| instead of order 1. The slides draw them independently (default).
//
// Oracle calls per outer iteration: T + 1 gradients of f and 2T + 2 gradients of g; samples
// T + 1 batches of f and 2T + 2 batches of g.
#pragma once

#include "bilevel/algorithms/building_blocks/f2sa_schedule.hpp"
#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct F2saOptions {
  F2saScheduleOptions schedule;
  Auto T;
  double xi = 1.0;
  Index batch_f = 0;
  Index batch_g = 0;
  bool common_batch = false;

  void declare(OptionList& o);
};

// One run of f2sa: the iterates and the schedule.
class F2saRun : public MethodRun {
 public:
  F2saRun(const F2saOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("z", z_)("sf", sf_)("sg", sg_)("inner", inner_);
    a("gfx", gfx_)("ggx", ggx_)("ggxz", ggxz_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return z_; }

  // The schedule at outer iteration k: multiplier and steps.
  double lam_at(Index k) const { return sched_.lam_at(k); }
  double alpha_at(Index k) const { return sched_.alpha_at(k); }
  double gamma_at(Index k) const { return sched_.gamma_at(k); }

 private:
  F2saOptions o_;
  F2saSchedule sched_;
  Index T_;
  Sampler sf_, sg_;
  Vec x_, y_, z_, gfx_, ggx_, ggxz_;
  PenaltyGradients inner_;  // the inner step's gradients
};

class F2sa : public Method<F2sa, F2saOptions, F2saRun> {
 public:
  static constexpr const char* kName = "f2sa";
  static constexpr const char* kDescription =
      "fully first-order stochastic approximation, increasing penalty (Kwon et al.)";
  using Method::Method;
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
