// F3SA: F2SA with STORM-type momentum (Kwon, Kwon, Wright, Nowak; slides "Fully First-Order
// Methods for Bilevel Optimization", part II, "F3SA: Variant with Momentum", after the
// mechanism of Khanduri et al. 2021). A single loop: for k = 0, 1, ...
//     z_{k+1} = z_k - gamma_k ~h_gz^k
//     y_{k+1} = y_k - alpha_k (~h_fy^k + lam_k ~h_gy^k)
//     x_{k+1} = x_k - xi alpha_k (~h_fx^k + lam_k (~h_gxy^k - ~h_gxz^k))
//     lam_{k+1} = lam_k + delta_k
// where every ~h is a momentum estimator with the same weight eta_k, e.g.
//     ~h_gz^k = grad_y g(x_k, z_k; phi^k)
//               + (1 - eta_k) (~h_gz^{k-1} - grad_y g(x_{k-1}, z_{k-1}; phi^k)),
// the sample phi^k (minibatch and noise seed) being the same at both points (StormEstimator).
// The estimators sit at the points of F2SA's pseudo-code: ~h_gz at (x_k, z_k), ~h_fy and ~h_gy
// at (x_k, y_k), ~h_fx and ~h_gxy at (x_k, y_{k+1}), ~h_gxz at (x_k, z_{k+1}); their
// corrections at the same points one iteration earlier. At k = 0 they are plain stochastic
// gradients.
//
// Schedule (shared with f2sa, f2sa_schedule.hpp), r = (k + k0)/k0:
//     alpha_k = alpha0 r^-a,  gamma_k = gamma0 r^-c,  lam_k = lam0 r^(a-c),
//     eta_k = min(1, eta0 r^-e)
// with the slides' F3SA exponents (a, c) = (3/5, 2/5) when f and g are noisy, (1/2, 1/4) when
// only f is, (1/3, 0) for exact gradients, and e = 2c (slides: eta_k = k^-2c). The slides ask
// for increments delta_k = O(1/kappa) lam_k: here delta_k <= (a - c) lam_k / (k + k0), which is
// at most lam_k / kappa once k0 >= (a - c) kappa (a warning says when k0 is smaller). With
// eta_k = 1 for every k (e = 0, eta0 = 1; the exact regime's default) F3SA is F2SA with T = 1,
// iterate for iterate.
//
// Oracle calls per outer iteration: 2 gradients of f and 4 of g at the current points, plus,
// when k >= 1 and eta_k < 1, the same 2 + 4 at the previous points (same batches): 4 of f and
// 8 of g. Samples: one batch_f (resp. batch_g) batch per gradient call.
#pragma once

#include "bilevel/algorithms/building_blocks/f2sa_schedule.hpp"
#include "bilevel/algorithms/building_blocks/storm.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct F3saOptions {
  F2saScheduleOptions schedule;
  double xi = 1.0;
  double eta0 = 1.0;
  Auto eta_decay;
  Index batch_f = 0;
  Index batch_g = 0;

  void declare(OptionList& o);
};

// One run of f3sa: the iterates, the schedule and the six momentum estimators.
class F3saRun : public MethodRun {
 public:
  F3saRun(const F3saOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("z", z_)("sf", sf_)("sg", sg_)("gz", gz_)("fy", fy_)("gy", gy_);
    a("fx", fx_)("gxy", gxy_)("gxz", gxz_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return z_; }

  // The schedule: lam_k, alpha_k, gamma_k as in f2sa, and the momentum weight.
  const F2saSchedule& schedule() const { return sched_; }
  double eta_at(Index k) const;

 private:
  double xi_;
  F2saSchedule sched_;
  PowerSequence eta_;
  Sampler sf_, sg_;
  Vec x_, y_, z_;
  // ~h_gz, ~h_fy, ~h_gy, ~h_fx, ~h_gxy, ~h_gxz, in the order their batches are drawn.
  StormEstimator gz_{Fn::kG, Partial::kY}, fy_{Fn::kF, Partial::kY}, gy_{Fn::kG, Partial::kY},
      fx_{Fn::kF, Partial::kX}, gxy_{Fn::kG, Partial::kX}, gxz_{Fn::kG, Partial::kX};
};

class F3sa : public Method<F3sa, F3saOptions, F3saRun> {
 public:
  static constexpr const char* kName = "f3sa";
  static constexpr const char* kDescription =
      "F2SA with STORM momentum estimators, single loop (Kwon et al.)";
  using Method::Method;
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
