#include "bilevel/hard/hard_kwon.hpp"

#include "bilevel/hard/probability_p.hpp"

namespace bilevel {

using hard::ZeroChain;

void HardKwonOptions::declare(OptionList& o) {
  scale.declare(o);
  o.add("mu", mu, "g = mu/2 (y - F(x))^2: strong convexity and smoothness of g in y",
        Constraint::positive())
      .add("sigma", sigma,
           "variance bound of the y*-aware oracle of grad_x g on |y - F(x)| <= eps (0 is the "
           "exact oracle)",
           Constraint::non_negative());
}

HardKwon::HardKwon(const HardKwonOptions& o) : HardChainProblem(o.scale, 0.0), o_(o) {
  // On the y*-aware neighbourhood |y - F(x)| <= eps, grad_x g's chain coordinate is bounded by
  // mu eps G.
  p_ = hard::keep_probability(o.mu * o.scale.eps * chain_.grad_inf_bound(), o.sigma);
}

ProblemConstants HardKwon::constants() const {
  return chain_constants(o_.mu, 0.0, 0.0);  // f = y is linear
}

OptionValues HardKwon::option_values() const { return values_with_derived(o_); }

bool HardKwon::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  *y = Vec::Constant(1, chain_.value(x) - sigma / o_.mu);
  return true;
}

Index HardKwon::chain_progress(const Vec& x, const Vec&) const { return ZeroChain::progress(x); }

double HardKwon::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  if (fn == Fn::kF) return y(0);
  const double r = y(0) - chain_.value(x);
  return 0.5 * o_.mu * r * r;
}

void HardKwon::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                       Vec* gy) const {
  if (fn == Fn::kF) {
    if (gx) gx->setZero(x.size());
    if (gy) *gy = Vec::Ones(1);
    return;
  }
  const double r = y(0) - chain_.value(x);
  if (gx) {
    chain_.stochastic_gradient(x, b.noise_seed, p_, gx);
    *gx *= -o_.mu * r;
  }
  if (gy) *gy = Vec::Constant(1, o_.mu * r);
}

bool HardKwon::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                      const Batch&, Vec* out) const {
  // f = y is linear: every block of f is zero.
  if (fn == Fn::kF) {
    out->setZero(block == Block::kYY || block == Block::kYX ? 1 : x.size());
    return true;
  }
  switch (block) {
    case Block::kYY:
      *out = Vec(o_.mu * v);
      return true;
    case Block::kXY:
      // d/dx [mu (y - F(x)) v] = -mu v grad F(x)
      chain_.gradient(x, out);
      *out *= -o_.mu * v(0);
      return true;
    case Block::kYX: {
      Vec g;
      chain_.gradient(x, &g);
      *out = Vec::Constant(1, -o_.mu * g.dot(v));
      return true;
    }
    case Block::kXX: {
      // d/dx <-mu (y - F) grad F, u> = mu grad F (grad F . u) - mu (y - F) Hess F u
      Vec g;
      chain_.gradient(x, &g);
      chain_.hessian_product(x, v, out);
      const double r = y(0) - chain_.value(x);
      *out = o_.mu * (g * g.dot(v) - r * *out);
      return true;
    }
  }
  return false;
}

bool HardKwon::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch&, Mat* hxx, Mat* hxy,
                          Mat* hyy) const {
  const Index T = x.size();
  if (fn == Fn::kF) {
    if (hxx) hxx->setZero(T, T);
    if (hxy) hxy->setZero(T, 1);
    if (hyy) hyy->setZero(1, 1);
    return true;
  }
  Vec g;
  chain_.gradient(x, &g);
  const double r = y(0) - chain_.value(x);
  if (hxx) *hxx = o_.mu * (g * g.transpose() - r * chain_.hessian(x));
  if (hxy) *hxy = -o_.mu * g;
  if (hyy) *hyy = Mat::Constant(1, 1, o_.mu);
  return true;
}

// Kwon et al. (2024), under the y*-aware stochastic oracle: the slides' "Lower Bounds" page,
// and ji's remark after Theorem 2.
std::vector<ComplexityBound> HardKwon::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds("lower",
                         {{"eps", true, 6, "Omega(eps^-6), y*-aware oracle",
                           "Kwon et al. F2SA slides 2025, Lower Bounds; Ji (bilevel lower "
                           "bounds), after Theorem 2"}},
                         key, stochastic);
}

}  // namespace bilevel
