#include "bilevel/problems/saddle.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"

namespace bilevel {

namespace {
constexpr double kPi = std::numbers::pi;
}

void SaddleOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dx", dx, "dimension of x and of y; coordinate 1 holds the saddle", C::at_least(1))
      .add("mu", mu, "lower-level curvature a_1 of the saddle coordinate: mu_g", C::positive())
      .add("L", L, "largest lower-level curvature a_d: L_g (>= mu; must equal mu when dx = 1)")
      .add("coupling", coupling, "c in y*(x) = c x", C::positive())
      .add("depth", depth, "w in f = w cos(pi y_1) + ...: phi drops by 2w from saddle to minimum",
           C::positive())
      .add("curvature", curvature, "e: f's curvature (x_i + y_i)^2 e/2 in coordinates 2..dx",
           C::positive())
      .rule([this](Violations& v) {
        const std::string got = " (got L=" + format_double(L) + ", mu=" + format_double(mu) + ")";
        v.check(L >= mu, "L must be >= mu" + got);
        v.check(dx != 1 || L == mu,
                "with dx = 1 the only lower-level curvature is mu: set L = mu" + got);
      });
}

Saddle::Saddle(const SaddleOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "saddle"));
  v.throw_if_any("saddle");
  check_problem_memory("saddle: dx=" + std::to_string(o_.dx), o_.dx, o_.dx);

  const Index d = o_.dx;
  a_.resize(d);
  a_(0) = o_.mu;
  for (Index i = 1; i < d; ++i)
    a_(i) = o_.mu + (o_.L - o_.mu) * static_cast<double>(i) / static_cast<double>(d - 1);

  const double w = o_.depth, c = o_.coupling, e = o_.curvature;
  constants_.mu_g = o_.mu;
  constants_.L_g = a_.maxCoeff();
  // f's joint Hessian: -w pi^2 cos(pi y_1) in y_1, e [1 1; 1 1] (eigenvalues 0, 2e) per (x_i, y_i).
  constants_.L_f = d == 1 ? w * kPi * kPi : std::max(w * kPi * kPi, 2 * e);
  constants_.mu_fy = -w * kPi * kPi;  // -w pi^2 cos(pi y_1) in y_1, e >= 0 elsewhere
  const double saddle_curv = w * kPi * kPi * c * c;
  constants_.L_phi = d == 1 ? saddle_curv : std::max(saddle_curv, e * (1 + c) * (1 + c));
  constants_.rho_phi = hessian_lipschitz();
}

OptionValues Saddle::option_values() const { return bilevel::option_values(o_, name()); }

Vec Saddle::minimizer(Index k) const {
  Vec x = Vec::Zero(o_.dx);
  x(0) = static_cast<double>(2 * k + 1) / o_.coupling;
  return x;
}

double Saddle::hessian_lipschitz() const {
  const double c = o_.coupling;
  return o_.depth * kPi * kPi * kPi * c * c * c;
}

Saddle::Curvatures Saddle::curvatures(Fn fn, Index i, const Vec& y) const {
  if (fn == Fn::kG) {
    const double a = a_(i), c = o_.coupling;
    return {c * c * a, -c * a, a};
  }
  if (i == 0) return {0.0, 0.0, -o_.depth * kPi * kPi * std::cos(kPi * y(0))};
  const double e = o_.curvature;
  return {e, e, e};
}

double Saddle::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  const Index d = o_.dx;
  double v = 0;
  if (fn == Fn::kG) {
    for (Index i = 0; i < d; ++i) {
      const double r = y(i) - o_.coupling * x(i);
      v += 0.5 * a_(i) * r * r;
    }
    return v;
  }
  v = o_.depth * std::cos(kPi * y(0));
  for (Index i = 1; i < d; ++i) {
    const double s = x(i) + y(i);
    v += 0.5 * o_.curvature * s * s;
  }
  return v;
}

void Saddle::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch&, Vec* gx, Vec* gy) const {
  const Index d = o_.dx;
  if (gx) gx->resize(d);
  if (gy) gy->resize(d);
  for (Index i = 0; i < d; ++i) {
    double px, py;  // d/dx_i and d/dy_i
    if (fn == Fn::kG) {
      py = a_(i) * (y(i) - o_.coupling * x(i));
      px = -o_.coupling * py;
    } else if (i == 0) {
      px = 0;
      py = -o_.depth * kPi * std::sin(kPi * y(0));
    } else {
      px = py = o_.curvature * (x(i) + y(i));
    }
    if (gx) (*gx)(i) = px;
    if (gy) (*gy)(i) = py;
  }
}

bool Saddle::do_hvp(Fn fn, Block block, const Vec&, const Vec& y, const Vec& v, const Batch&,
                    Vec* out) const {
  // Every block is diagonal (so the xy block is its own transpose, the yx block).
  out->resize(o_.dx);
  for (Index i = 0; i < o_.dx; ++i) {
    const auto c = curvatures(fn, i, y);
    const double h = block == Block::kYY ? c.yy : block == Block::kXX ? c.xx : c.xy;
    (*out)(i) = h * v(i);
  }
  return true;
}

bool Saddle::do_hessian(Fn fn, const Vec&, const Vec& y, const Batch&, Mat* hxx, Mat* hxy,
                        Mat* hyy) const {
  const Index d = o_.dx;
  for (Mat* m : {hxx, hxy, hyy})
    if (m) m->setZero(d, d);
  for (Index i = 0; i < d; ++i) {
    const Curvatures k = curvatures(fn, i, y);
    if (hxx) (*hxx)(i, i) = k.xx;
    if (hxy) (*hxy)(i, i) = k.xy;
    if (hyy) (*hyy)(i, i) = k.yy;
  }
  return true;
}

bool Saddle::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  const Index d = o_.dx;
  const double c = o_.coupling, w = o_.depth, e = o_.curvature;
  y->resize(d);
  if (sigma == 0.0) {
    *y = c * x;
    return true;
  }
  // Coordinate 1: h(t) = a_1 (t - u) - sigma w pi sin(pi t) = 0 with u = c x_1. h' >= a_1 -
  // sigma w pi^2 > 0 makes the root unique, and |sigma w pi sin| <= sigma w pi brackets it.
  const double a1 = a_(0);
  if (a1 <= sigma * w * kPi * kPi) return false;
  const double u = c * x(0), s = sigma * w * kPi / a1;
  double lo = u - s, hi = u + s, t = u;
  for (int it = 0; it < 200; ++it) {
    const double h = a1 * (t - u) - sigma * w * kPi * std::sin(kPi * t);
    if (h == 0) break;
    (h > 0 ? hi : lo) = t;
    const double dh = a1 - sigma * w * kPi * kPi * std::cos(kPi * t);
    double next = t - h / dh;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);  // Newton left the bracket: bisect
    if (next == t || hi - lo <= 4 * std::numeric_limits<double>::epsilon() * std::abs(t)) {
      t = next;
      break;
    }
    t = next;
  }
  (*y)(0) = t;
  for (Index i = 1; i < d; ++i)
    (*y)(i) = (a_(i) * c - sigma * e) * x(i) / (a_(i) + sigma * e);
  return true;
}

bool Saddle::closed_form_hypergradient(const Vec& x, Vec* g) const {
  const double c = o_.coupling, k = o_.curvature * (1 + c) * (1 + c);
  *g = k * x;
  (*g)(0) = -o_.depth * kPi * c * std::sin(kPi * c * x(0));
  return true;
}

bool Saddle::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  const double c = o_.coupling, k = o_.curvature * (1 + c) * (1 + c);
  h->setZero(o_.dx, o_.dx);
  h->diagonal().setConstant(k);
  (*h)(0, 0) = -o_.depth * kPi * kPi * c * c * std::cos(kPi * c * x(0));
  return true;
}

}  // namespace bilevel
