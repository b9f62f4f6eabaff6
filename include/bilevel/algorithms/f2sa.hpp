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

// The schedule's fields a, c, lam0, lam_max, alpha0, gamma0, k0 come from the base.
struct F2saOptions : F2saScheduleOptions {
  std::string regime = "both";  // both | upper | none: which gradients are noisy
  Auto T;                       // inner steps; auto = ceil(kappa) (slides: T = O(kappa))
  double xi = 1.0;              // ratio of the x step to the y step
  Index batch_f = 0;            // minibatch of f components; 0 = full
  Index batch_g = 0;            // minibatch of g components; 0 = full
  bool common_batch = false;    // x step: one g batch for both h_gx(x, y) and h_gx(x, z)

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

class F2sa : public Method<F2saOptions> {
 public:
  using Method::Method;

  std::string name() const override { return "f2sa"; }
  std::string description() const override {
    return "fully first-order stochastic approximation, increasing penalty (Kwon et al.)";
  }

  // The schedule at outer iteration k (after init): multiplier and steps.
  double lam_at(Index k) const { return sched_.lam_at(k); }
  double alpha_at(Index k) const { return sched_.alpha_at(k); }
  double gamma_at(Index k) const { return sched_.gamma_at(k); }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return x_; }
  const Vec& current_y() const override { return z_; }
  KeyValues resolved_options() override;

 private:
  F2saSchedule sched_;
  Index T_ = 0;
  Sampler sf_, sg_;
  Vec x_, y_, z_, gfx_, ggx_, ggxz_;
  PenaltyGradients inner_;  // the inner step's gradients
};

}  // namespace bilevel
