// Conjugate gradients for symmetric positive definite systems given by a product callback.
#pragma once

#include <functional>

#include "bilevel/core/types.hpp"

namespace bilevel {

struct CgReport {
  Index iterations = 0;   // products performed
  double residual = 0;    // final ||b - A x||
  bool converged = false;
};

// Solves A x = b from the initial guess in *x (warm start). `apply(v, out)` sets out = A v.
// Stops when ||r|| <= tol * max(||b||, tiny) or after max_iter products. One product is
// spent on the initial residual unless *x is zero.
CgReport conjugate_gradient(const std::function<void(const Vec&, Vec*)>& apply, const Vec& b,
                            Vec* x, Index max_iter, double tol);

}  // namespace bilevel
