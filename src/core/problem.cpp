#include "bilevel/core/problem.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"

namespace bilevel {

std::unique_ptr<Problem> Problem::clone() const {
  throw InvalidInput("problem '" + name() + "' cannot be cloned: it does not implement clone()");
}

namespace {

// A non-finite oracle result ends the run (NonFiniteOracle): one pass over the result. On
// large results (text data: gradients of 2.6 million entries, 21 MB) that pass is memory-
// bound and was a tenth of a gradient's time on one thread, so it runs on all threads there.
bool all_finite(const Vec& v) {
  constexpr Index kChunks = 8, kParallel = Index{1} << 18;
  const Index n = v.size();
  if (n < kParallel) return v.allFinite();
  bool finite = true;
#pragma omp parallel for schedule(static) reduction(&& : finite)
  for (Index k = 0; k < kChunks; ++k) {
    const Index lo = n * k / kChunks, hi = n * (k + 1) / kChunks;
    finite = finite && v.segment(lo, hi - lo).allFinite();
  }
  return finite;
}

void require_finite(bool finite, const char* kind, Fn fn) {
  if (!finite) throw NonFiniteOracle(std::string(kind) + " " + to_string(fn));
}

const char* product_name(Block block) {
  switch (block) {
    case Block::kYY: return "Hyy";
    case Block::kXY: return "Hxy";
    case Block::kYX: return "Hyx";
    case Block::kXX: return "Hxx";
  }
  return "H";
}

}  // namespace

void Problem::count(Fn fn, Index FunctionCounts::*kind, const Batch& b, bool touches_samples) {
  FunctionCounts& c = counts_.of(fn);
  ++(c.*kind);
  if (touches_samples) c.samples += b.size(num_samples(fn));
}

double Problem::value(Fn fn, const Vec& x, const Vec& y, const Batch& b) {
  count(fn, &FunctionCounts::value, b);
  const double v = do_value(fn, x, y, b);
  require_finite(std::isfinite(v), "value", fn);
  return v;
}

void Problem::grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) {
  count(fn, &FunctionCounts::grad, b);
  do_grad(fn, x, y, b, gx, gy);
  if (gx) require_finite(all_finite(*gx), "grad_x", fn);
  if (gy) require_finite(all_finite(*gy), "grad_y", fn);
}

void Problem::grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                           std::span<const Batch> batches, std::span<Vec* const> outs) {
  if (batches.size() != ys.size() || outs.size() != ys.size())
    throw std::invalid_argument("grad_y_multi: ys, batches and outs differ in length");
  for (const Batch& b : batches) count(fn, &FunctionCounts::grad, b);
  do_grad_y_multi(fn, x, ys, batches, outs);
  for (const Vec* out : outs) require_finite(all_finite(*out), "grad_y", fn);
}

void Problem::do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                              std::span<const Batch> batches,
                              std::span<Vec* const> outs) const {
  for (std::size_t k = 0; k < ys.size(); ++k)
    do_grad(fn, x, *ys[k], batches[k], nullptr, outs[k]);
}

void Problem::hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                  const Batch& b, Vec* out) {
  // A backstop: check_requirements refuses such a problem before the run of a method that
  // declares its products. product() stays available to the diagnostics (central differences).
  if (!has_hessian_vector_products())
    throw InvalidInput("problem '" + name() + "' has no Hessian-vector products (" +
                       product_name(block) + " " + to_string(fn) +
                       " v); a method that needs them must declare it in its requirements");
  count(fn, &FunctionCounts::hvp, b);
  product(fn, block, x, y, v, b, out);
  if (!all_finite(*out))
    throw NonFiniteOracle(std::string(product_name(block)) + " " + to_string(fn) + " v");
}

void Problem::hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                      Mat* hyy) {
  if (!has_dense_hessian())
    throw InvalidInput("problem '" + name() + "' does not provide dense Hessian blocks");
  // Dense blocks grow with the square of the dimensions: refuse them before allocating.
  const Index dx = x.size(), dy = y.size();
  std::optional<Index> entries = Index{0};
  auto add_block = [&](const Mat* block, Index rows, Index cols) {
    if (block == nullptr || !entries) return;
    const std::optional<Index> e = checked_mul(rows, cols);
    entries = e ? checked_add(*entries, *e) : std::nullopt;
  };
  add_block(hxx, dx, dx);
  add_block(hxy, dx, dy);
  add_block(hyy, dy, dy);
  check_memory("problem '" + name() + "': dense Hessian blocks for dim_x = " + std::to_string(dx) +
                   ", dim_y = " + std::to_string(dy),
               entries ? bytes_for(*entries, sizeof(double)) : INT64_MAX);
  count(fn, &FunctionCounts::hess, b);
  do_hessian(fn, x, y, b, hxx, hxy, hyy);
  for (const Mat* h : {hxx, hxy, hyy})
    if (h) require_finite(h->allFinite(), "hessian", fn);
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

void Problem::product(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                      const Batch& b, Vec* out) const {
  if (do_hvp(fn, block, x, y, v, b, out)) return;
  // H_ab v = d/dt grad_a fn at (x, y) + t v in the space of v (symmetry of mixed partials):
  // perturb y for the blocks applied to a vector of R^dy, x for those applied to R^dx, and
  // take the gradient in the space of the result.
  const bool along_y = block == Block::kYY || block == Block::kXY;
  const bool result_in_y = block == Block::kYY || block == Block::kYX;
  const double h = fd_step(along_y ? y : x, v);
  if (h == 0.0) {
    *out = Vec::Zero(result_in_y ? dim_y() : dim_x());
    return;
  }
  Vec gp, gm;
  Vec* gx_p = result_in_y ? nullptr : &gp;
  Vec* gy_p = result_in_y ? &gp : nullptr;
  Vec* gx_m = result_in_y ? nullptr : &gm;
  Vec* gy_m = result_in_y ? &gm : nullptr;
  if (along_y) {
    do_grad(fn, x, y + h * v, b, gx_p, gy_p);
    do_grad(fn, x, y - h * v, b, gx_m, gy_m);
  } else {
    do_grad(fn, x + h * v, y, b, gx_p, gy_p);
    do_grad(fn, x - h * v, y, b, gx_m, gy_m);
  }
  *out = (gp - gm) / (2 * h);
}

}  // namespace bilevel
