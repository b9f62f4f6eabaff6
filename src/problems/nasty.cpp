#include "bilevel/problems/nasty.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

void NastyOptions::declare(OptionList& o) {
  o.add("dim", dim, "dimension d of x and of y; d = 1 is the slides' example",
        Constraint::at_least(1))
      .add("sigma", sigma, "std of additive Gaussian gradient noise, E||xi||^2 = sigma^2",
           Constraint::non_negative());
}

Nasty::Nasty(const NastyOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "nasty"));
  v.throw_if_any("nasty");
  check_problem_memory("nasty: dim=" + std::to_string(o_.dim), o_.dim, o_.dim);
}

ProblemConstants Nasty::constants() const {
  ProblemConstants c;
  c.L_f = 2.0;
  c.L_g = 1.0;
  return c;
}

OptionValues Nasty::option_values() const { return bilevel::option_values(o_, name()); }

std::vector<std::string> Nasty::metric_names() const {
  return {"dist_solution", "ll_gap", "box_violation"};
}

std::vector<double> Nasty::metrics(const Vec& x, const Vec& y) const {
  const double dist = std::sqrt(x.squaredNorm() + y.squaredNorm());
  const double gap = x.dot(y) + x.lpNorm<1>();
  const double viol = std::max({0.0, x.lpNorm<Eigen::Infinity>() - 1.0,
                                y.lpNorm<Eigen::Infinity>() - 1.0});
  return {dist, gap, viol};
}

bool Nasty::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  y->resize(o_.dim);
  for (Index i = 0; i < o_.dim; ++i) {
    // sigma = 0: the linear lower level picks a corner; at x_i = 0 every y_i is optimal and
    // the optimistic (and sigma -> 0+) choice is 0.
    const double xi = x(i);
    (*y)(i) = sigma > 0 ? std::clamp(-xi / (2 * sigma), -1.0, 1.0)
                        : (xi > 0 ? -1.0 : xi < 0 ? 1.0 : 0.0);
  }
  return true;
}

bool Nasty::closed_form_hypergradient(const Vec& x, Vec* g) const {
  *g = Vec::Constant(x.size(), std::numeric_limits<double>::quiet_NaN());
  return true;
}

double Nasty::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  return fn == Fn::kF ? x.squaredNorm() + y.squaredNorm() : x.dot(y);
}

void Nasty::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                    Vec* gy) const {
  if (gx) *gx = fn == Fn::kF ? Vec(2 * x) : y;
  if (gy) *gy = fn == Fn::kF ? Vec(2 * y) : x;
  if (!b.noise_seed || o_.sigma == 0) return;
  // One draw for the joint gradient, x part first, so a partial request sees the same noise.
  Rng rng(*b.noise_seed);
  const double s = o_.sigma / std::sqrt(2.0 * static_cast<double>(o_.dim));
  for (Index i = 0; i < o_.dim; ++i) {
    const double xi = s * standard_normal(rng);
    if (gx) (*gx)(i) += xi;
  }
  if (gy)
    for (Index i = 0; i < o_.dim; ++i) (*gy)(i) += s * standard_normal(rng);
}

bool Nasty::do_hvp(Fn fn, Block block, const Vec&, const Vec&, const Vec& v, const Batch&,
                   Vec* out) const {
  // f = x^2 + y^2 (per coordinate): Hyy f = 2 I, no cross terms; g = x y: Hxy g = Hyx g = I.
  switch (block) {
    case Block::kYY:
      *out = fn == Fn::kF ? Vec(2 * v) : Vec(Vec::Zero(v.size()));
      return true;
    case Block::kXY:
    case Block::kYX:
      *out = fn == Fn::kF ? Vec(Vec::Zero(v.size())) : v;
      return true;
    case Block::kXX:
      break;  // derived by differences
  }
  return false;
}

}  // namespace bilevel
