#include "bilevel/core/diagnostics.hpp"

#include <cmath>

#include "bilevel/linalg/cg.hpp"

namespace bilevel {

namespace {
const Batch kExact{};  // full sums, no oracle noise
}

Diagnostics::Diagnostics(const Problem& p, DiagnosticsOptions o) : p_(p), o_(o) {}

void Diagnostics::visit(StateArchive& a) {
  a("y_warm", y_warm_)("y_warm_pen", y_warm_pen_)("v_warm", v_warm_)("last_sigma", last_sigma_);
}

Vec Diagnostics::lower_solution(const Vec& x, double sigma) {
  Vec y;
  if (p_.closed_form_solution(x, sigma, &y)) return y;

  Vec& warm = sigma == 0.0 ? y_warm_ : y_warm_pen_;
  if (warm.size() != p_.dim_y()) warm = p_.initial_y();
  y = warm;

  auto objective = [&](const Vec& yy) {
    ++stats_.values;
    double v = p_.do_value(Fn::kG, x, yy, kExact);
    if (sigma != 0.0) v += sigma * p_.do_value(Fn::kF, x, yy, kExact);
    return v;
  };
  auto gradient = [&](const Vec& yy, Vec* gy) {
    ++stats_.gradients;
    p_.do_grad(Fn::kG, x, yy, kExact, nullptr, gy);
    if (sigma != 0.0) {
      Vec gf;
      p_.do_grad(Fn::kF, x, yy, kExact, nullptr, &gf);
      *gy += sigma * gf;
    }
  };
  auto hess_vec = [&](const Vec& v, Vec* out) {
    ++stats_.hvp;
    p_.product(Fn::kG, Block::kYY, x, y, v, kExact, out);
    if (sigma != 0.0) {
      Vec hf;
      p_.product(Fn::kF, Block::kYY, x, y, v, kExact, &hf);
      *out += sigma * hf;
    }
  };

  Vec gy, step;
  gradient(y, &gy);
  const double scale = std::max(1.0, gy.norm());
  double fy = objective(y);
  for (Index it = 0; it < o_.max_newton && gy.norm() > o_.tol * scale; ++it) {
    step = Vec::Zero(y.size());
    // Inexact Newton (Eisenstat-Walker forcing term sqrt(||g|| / scale)): loose solves far from
    // y*, tighter ones as the gradient shrinks, which keeps the convergence superlinear while
    // sparing most CG products of the early steps. The final accuracy is set by the loop's
    // test on ||g||, not by this tolerance.
    double forcing = std::min(1e-1, std::sqrt(gy.norm() / scale));
    // The last step: when this forcing would bring ||g|| within 100x of the stopping test,
    // solve just accurately enough to pass it (half the test's gradient). A step that falls
    // just short of the test costs a whole further Newton step, the most accurate and dearest
    // of all (measured on Fashion-MNIST: 140-220 products), and one that overshoots it by
    // orders of magnitude pays CG products for nothing.
    if (o_.aim_last_newton_step && forcing * gy.norm() < 1e2 * o_.tol * scale)
      forcing = 0.5 * o_.tol * scale / gy.norm();
    ++stats_.newton_steps;
    ++stats_.cg_solves;
    conjugate_gradient(hess_vec, -gy, &step, o_.max_cg, std::max(forcing, o_.tol * 1e2));
    // Near the solution the predicted decrease falls below what the value can resolve, and a
    // line search on the value would accept arbitrary tiny steps: take the full Newton step.
    if (-gy.dot(step) <= 1e-13 * std::max(1.0, std::abs(fy))) {
      y += step;
      fy = objective(y);
      gradient(y, &gy);
      continue;
    }
    // Backtracking on the value: full Newton steps near the solution, safe far from it.
    double t = 1.0;
    Vec trial = y + step;
    double ft = objective(trial);
    while (!(ft <= fy + 1e-4 * t * gy.dot(step)) && t > 1e-10) {
      t *= 0.5;
      trial = y + t * step;
      ft = objective(trial);
    }
    if (t <= 1e-10) {
      // The value can no longer resolve the decrease: take the full Newton step.
      trial = y + step;
      ft = objective(trial);
    }
    y = trial;
    fy = ft;
    gradient(y, &gy);
  }
  warm = y;
  return y;
}

double Diagnostics::phi(const Vec& x) {
  const Vec ys = lower_solution(x);
  return p_.do_value(Fn::kF, x, ys, kExact);
}

Vec Diagnostics::hypergradient(const Vec& x) {
  Vec g;
  if (p_.closed_form_hypergradient(x, &g)) return g;
  const Vec ys = lower_solution(x);
  Vec fx, fy;
  p_.do_grad(Fn::kF, x, ys, kExact, &fx, &fy);
  if (v_warm_.size() != p_.dim_y()) v_warm_ = Vec::Zero(p_.dim_y());
  auto apply = [&](const Vec& v, Vec* out) {
    ++stats_.hvp;
    p_.product(Fn::kG, Block::kYY, x, ys, v, kExact, out);
  };
  ++stats_.cg_solves;
  conjugate_gradient(apply, fy, &v_warm_, o_.max_cg, o_.tol);
  Vec hv;
  ++stats_.hvp;
  p_.product(Fn::kG, Block::kXY, x, ys, v_warm_, kExact, &hv);
  return fx - hv;
}

double Diagnostics::penalty_value(const Vec& x, double lam) {
  const Vec yl = penalty_solution(x, lam);
  const Vec ys = lower_solution(x);
  return p_.do_value(Fn::kF, x, yl, kExact) +
         lam * (p_.do_value(Fn::kG, x, yl, kExact) - p_.do_value(Fn::kG, x, ys, kExact));
}

Vec Diagnostics::penalty_gradient(const Vec& x, double lam) {
  const Vec yl = penalty_solution(x, lam);
  const Vec ys = lower_solution(x);
  Vec fx, gxl, gxs;
  p_.do_grad(Fn::kF, x, yl, kExact, &fx, nullptr);
  p_.do_grad(Fn::kG, x, yl, kExact, &gxl, nullptr);
  p_.do_grad(Fn::kG, x, ys, kExact, &gxs, nullptr);
  return fx + lam * (gxl - gxs);
}

}  // namespace bilevel
