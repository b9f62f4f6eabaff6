// STORM-type momentum estimators (Cutkosky-Orabona; used for bilevel problems by Khanduri et
// al. 2021), as in F3SA and single-loop prox-F2SA of Kwon et al.'s slides:
//     d_k = grad(p_k; xi_k) + (1 - eta_k) (d_{k-1} - grad(p_{k-1}; xi_k)),
// one partial gradient of f or g, at the current point p_k = (x_k, y_k) and at the previous
// point p_{k-1} with the SAME sample xi_k (batch indices and noise seed), so that the
// correction d_{k-1} - grad(p_{k-1}; xi_k) cancels most of the noise of grad(p_k; xi_k).
//
// Oracle calls per update: one gradient at p_k, plus one at p_{k-1} when there is a previous
// point and eta_k < 1 (with eta_k = 1 the estimator is the plain stochastic gradient and the
// correction, multiplied by 0, is skipped).
#pragma once

#include "bilevel/core/problem.hpp"
#include "bilevel/core/state_archive.hpp"

namespace bilevel {

// Which partial gradient an estimator tracks.
enum class Partial { kX, kY };

class StormEstimator {
 public:
  StormEstimator() = default;
  StormEstimator(Fn fn, Partial part) : fn_(fn), part_(part) {}

  // Forgets the previous point: the next update returns the plain stochastic gradient.
  void reset() { started_ = false; }
  // Updates the estimate at (x, y) with batch b and momentum weight eta in (0, 1].
  const Vec& update(Problem& p, const Batch& b, const Vec& x, const Vec& y, double eta);
  const Vec& value() const { return d_; }
  void visit(StateArchive& a) {
    a("started", started_)("d", d_)("prev_grad", prev_grad_)("x_prev", x_prev_)("y_prev", y_prev_);
  }

 private:
  void gradient(Problem& p, const Batch& b, const Vec& x, const Vec& y, Vec* out) const;

  Fn fn_ = Fn::kF;
  Partial part_ = Partial::kY;
  bool started_ = false;
  Vec d_, prev_grad_, x_prev_, y_prev_;
};

}  // namespace bilevel
