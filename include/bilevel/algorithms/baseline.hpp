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
  Index K = 10;              // inner steps per outer iteration (>= 1)
  Auto alpha;                // step on g; auto = 1/L_g
  std::string inner = "gd";  // gd | agd

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

class Baseline : public Method<BaselineOptions> {
 public:
  using Method::Method;

  std::string name() const override { return "baseline"; }
  std::string description() const override {
    return "x fixed at its initial point, GD or AGD on g(x0, .) only (no-cleaning / "
           "fixed-regularization baseline)";
  }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return x_; }
  const Vec& current_y() const override { return y_; }
  KeyValues resolved_options() override;

 private:
  double alpha_ = 0;
  double beta_ = 0;  // AGD momentum (0 for gd)
  Sampler sg_;
  Vec x_, y_, y_prev_, w_, ggy_;
};

}  // namespace bilevel
