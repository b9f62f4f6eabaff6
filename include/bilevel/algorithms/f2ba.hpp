// F2BA: fully first-order bilevel approximation (f2ba paper, Algorithm 1).
//
// Gradient descent on the penalty proxy L*_lam(x) = min_y [f + lam g](x, y) - lam min_z g(x, z)
// with a fixed multiplier lam. Each outer iteration runs K warm-started inner steps
//     z <- z - alpha grad_y g(x, z),    y <- y - tau (grad_y f + lam grad_y g)(x, y),
// then steps x <- x - eta [grad_x f(x, y) + lam (grad_x g(x, y) - grad_x g(x, z))]
// (building_blocks/penalty_iteration.hpp). Defaults (Prop. 4.2): alpha = 1/L_g,
// tau = 1/(L_f + lam L_g); eta = 1/L with L the smoothness of the proxy, which approaches that
// of phi (Lemma 4.1c). With inner=agd both sequences use Nesterov's accelerated gradient
// (restarted each outer iteration), the kappa^3.5 variant remarked after Algorithm 1.
//
// Oracle calls per outer iteration: K + 1 gradients of f and 2K + 2 gradients of g.
#pragma once

#include "bilevel/algorithms/building_blocks/penalty_iteration.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct F2baOptions {
  PenaltyInnerOptions penalty;
  Auto eta;

  // `target`: a target eps of the caller's for the auto lam (pf2ba's); nullptr declares the
  // inner loop's own `eps`.
  void declare(OptionList& o, const double* target = nullptr);
};

// One run of f2ba: the inner sequences and the outer step.
class F2baRun : public MethodRun {
 public:
  // With a communicator, distributed F2BA (dist_f2ba.hpp): the problem is this rank's shard.
  // Without one, the run's (RunContext::comm) when it has more than one rank.
  F2baRun(const F2baOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context, Comm* comm = nullptr);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("iteration", it_);
  }
  const Vec& x() const override { return it_.x(); }
  const Vec& y() const override { return it_.z(); }
  std::vector<std::pair<std::string, double>> counters() const override {
    return {{"inner_steps", static_cast<double>(it_.inner_steps())}};
  }
  const Comm* comm() const override { return comm_; }

 private:
  Comm* comm_;
  PenaltyIteration it_;
  double eta_;
};

class F2ba : public Method<F2ba, F2baOptions, F2baRun> {
 public:
  static constexpr const char* kName = "f2ba";
  static constexpr const char* kDescription =
      "fully first-order bilevel approximation, fixed penalty (f2ba paper, Alg. 1)";
  using Method::Method;
  // On several ranks f2ba is dist-f2ba (Alg. 3): the run's communicator averages its
  // directions.
  bool runs_distributed() const override { return true; }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
