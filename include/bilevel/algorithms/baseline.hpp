// Baseline: the upper level left alone. x stays at its initial point x0 and only the lower
// level is solved, by gradient descent (or Nesterov's AGD) on g(x0, .):
//     repeat K times:  y <- y - alpha grad_y g(x0, y).
// This is the reference a bilevel method has to beat: "no cleaning" (uniform sample weights)
// in data hyper-cleaning, "fixed regularization" in learn-to-regularize. K inner steps per
// outer iteration make its trace rows comparable with f2ba's, whose z sequence takes the same
// K steps on g. With inner=agd the momentum is kept across outer iterations: g(x0, .) never
// changes, so a restart would only slow the solver down.
// Default: alpha = 1/L_g.
//
// Oracle calls per outer iteration: K gradients of g, nothing else.
#pragma once

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct BaselineOptions {
  Index K = 10;
  Auto alpha;
  std::string inner = "gd";

  void declare(OptionList& o);
};

// One run of baseline: x stays, y descends on g(x0, .).
class BaselineRun : public MethodRun {
 public:
  BaselineRun(const BaselineOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
              RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("y_prev", y_prev_)("w", w_)("ggy", ggy_)("sg", sg_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }

 private:
  BaselineOptions o_;
  double alpha_;
  double beta_ = 0;  // AGD momentum (0 for gd)
  Sampler sg_;
  Vec x_, y_, y_prev_, w_, ggy_;
};

class Baseline : public Method<Baseline, BaselineOptions, BaselineRun> {
 public:
  static constexpr const char* kName = "baseline";
  static constexpr const char* kDescription =
      "x fixed at its initial point, GD or AGD on g(x0, .) only (no-cleaning / "
      "fixed-regularization baseline)";
  using Method::Method;
};

}  // namespace bilevel
