#include "bilevel/core/problem.hpp"

#include <cmath>
#include <stdexcept>

#include "bilevel/core/error.hpp"

namespace bilevel {

void Problem::count(Fn fn, Index FunctionCounts::*kind, const Batch& b, bool touches_samples) {
  FunctionCounts& c = counts_.of(fn);
  ++(c.*kind);
  if (touches_samples) c.samples += b.size(num_samples(fn));
}

double Problem::value(Fn fn, const Vec& x, const Vec& y, const Batch& b) {
  count(fn, &FunctionCounts::value, b);
  return do_value(fn, x, y, b);
}

void Problem::grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) {
  count(fn, &FunctionCounts::grad, b);
  do_grad(fn, x, y, b, gx, gy);
}

void Problem::grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                           std::span<const Batch> batches, std::span<Vec* const> outs) {
  if (batches.size() != ys.size() || outs.size() != ys.size())
    throw std::invalid_argument("grad_y_multi: ys, batches and outs differ in length");
  for (const Batch& b : batches) count(fn, &FunctionCounts::grad, b);
  do_grad_y_multi(fn, x, ys, batches, outs);
}

void Problem::do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                              std::span<const Batch> batches,
                              std::span<Vec* const> outs) const {
  for (std::size_t k = 0; k < ys.size(); ++k)
    do_grad(fn, x, *ys[k], batches[k], nullptr, outs[k]);
}

void Problem::hyy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b, Vec* out) {
  count(fn, &FunctionCounts::hvp, b);
  do_hyy(fn, x, y, v, b, out);
}

void Problem::hxy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b, Vec* out) {
  count(fn, &FunctionCounts::hvp, b);
  do_hxy(fn, x, y, v, b, out);
}

void Problem::hyx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b, Vec* out) {
  count(fn, &FunctionCounts::hvp, b);
  do_hyx(fn, x, y, u, b, out);
}

void Problem::hxx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b, Vec* out) {
  count(fn, &FunctionCounts::hvp, b);
  do_hxx(fn, x, y, u, b, out);
}

void Problem::hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                      Mat* hyy) {
  if (!has_dense_hessian())
    throw InvalidInput("problem '" + name() + "' does not provide dense Hessian blocks");
  count(fn, &FunctionCounts::hess, b);
  do_hessian(fn, x, y, b, hxx, hxy, hyy);
}

// Finite-difference defaults. A relative step of about cbrt(machine eps) balances the
// O(h^2) truncation error of central differences against rounding.
namespace {
double fd_step(const Vec& point, const Vec& dir) {
  const double n = dir.norm();
  if (n == 0.0) return 0.0;
  return 6e-6 * std::max(1.0, point.norm()) / n;
}
}  // namespace

void Problem::do_hyy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
                     Vec* out) const {
  const double h = fd_step(y, v);
  if (h == 0.0) {
    *out = Vec::Zero(dim_y());
    return;
  }
  Vec gp, gm;
  do_grad(fn, x, y + h * v, b, nullptr, &gp);
  do_grad(fn, x, y - h * v, b, nullptr, &gm);
  *out = (gp - gm) / (2 * h);
}

void Problem::do_hxy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
                     Vec* out) const {
  // d/dx <grad_y fn, v> = d/dt grad_x fn(x, y + t v) at t = 0 (symmetry of mixed partials).
  const double h = fd_step(y, v);
  if (h == 0.0) {
    *out = Vec::Zero(dim_x());
    return;
  }
  Vec gp, gm;
  do_grad(fn, x, y + h * v, b, &gp, nullptr);
  do_grad(fn, x, y - h * v, b, &gm, nullptr);
  *out = (gp - gm) / (2 * h);
}

void Problem::do_hyx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
                     Vec* out) const {
  const double h = fd_step(x, u);
  if (h == 0.0) {
    *out = Vec::Zero(dim_y());
    return;
  }
  Vec gp, gm;
  do_grad(fn, x + h * u, y, b, nullptr, &gp);
  do_grad(fn, x - h * u, y, b, nullptr, &gm);
  *out = (gp - gm) / (2 * h);
}

void Problem::do_hxx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
                     Vec* out) const {
  const double h = fd_step(x, u);
  if (h == 0.0) {
    *out = Vec::Zero(dim_x());
    return;
  }
  Vec gp, gm;
  do_grad(fn, x + h * u, y, b, &gp, nullptr);
  do_grad(fn, x - h * u, y, b, &gm, nullptr);
  *out = (gp - gm) / (2 * h);
}

}  // namespace bilevel
