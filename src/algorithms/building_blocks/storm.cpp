#include "bilevel/algorithms/building_blocks/storm.hpp"

namespace bilevel {

void StormEstimator::gradient(Problem& p, const Batch& b, const Vec& x, const Vec& y,
                              Vec* out) const {
  if (part_ == Partial::kX) {
    p.grad(fn_, x, y, b, out, nullptr);
  } else {
    p.grad(fn_, x, y, b, nullptr, out);
  }
}

const Vec& StormEstimator::update(Problem& p, const Batch& b, const Vec& x, const Vec& y,
                                  double eta) {
  if (started_ && eta < 1) {
    // Both gradients before d_ changes: d_ <- g(p_k) + (1 - eta)(d_ - g(p_{k-1})).
    gradient(p, b, x_prev_, y_prev_, &prev_grad_);
    d_ -= prev_grad_;
    d_ *= 1 - eta;
    gradient(p, b, x, y, &prev_grad_);  // reused as scratch for the current gradient
    d_ += prev_grad_;
  } else {
    gradient(p, b, x, y, &d_);
  }
  started_ = true;
  x_prev_ = x;  // same size every iteration: no allocation after the first
  y_prev_ = y;
  return d_;
}

}  // namespace bilevel
