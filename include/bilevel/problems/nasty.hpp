// `nasty`: the slides' "Elementary (Nasty) Example" (Kwon et al., "Fully First-Order Methods
// for Bilevel Optimization", part III), coordinate-wise in dimension d (d = 1 is the slides'):
//     min_{x in [-1,1]^d}  ||x||^2 + ||y||^2   s.t.  y in argmin_{y in [-1,1]^d} <x, y>.
// The lower level is linear (not strongly convex) and constrained, so its solution set is
//     S(x) = { y : y_i = -sign(x_i) if x_i != 0,  y_i in [-1, 1] if x_i = 0 },
// a set-valued map that is not Lipschitz at x_i = 0. Taking the best y in S(x) (the optimistic
// choice, which is also the limit sigma -> 0+ of argmin_y sigma f + g, the slides' S(x, 0+)):
//     y*(x)_i = -sign(x_i) (0 if x_i = 0),    phi(x) = ||x||^2 + #{i : x_i != 0}
// (d = 1: phi = x^2 + 1 for x != 0, phi(0) = 0, as on the slides). The bilevel problem's
// solution set is the single point (x, y) = (0, 0) with phi = 0; phi is discontinuous there,
// and its only minimizer is not a stationary point of the smooth pieces.
//
// The penalty solutions have the closed form  argmin_{y in Y} sigma f + g = clip(-x / (2 sigma)),
// so Diagnostics evaluates phi exactly. The hypergradient is reported as NaN (unknown): phi is
// discontinuous at its minimizer, so ||grad phi|| is no measure of progress here; the metrics
// are: dist_solution = ||(x, y) - (0, 0)||, ll_gap = g(x, y) - min_{z in Y} g(x, z)
// = <x, y> + ||x||_1 (>= 0 for x, y in the boxes; 0 iff y in S(x)), and box_violation =
// max(0, ||x||_inf - 1, ||y||_inf - 1).
//
// Boxes X = Y = [-1, 1]^d are exposed through box_x()/box_y() for projection methods
// (prox-f2sa). Constants: L_f = 2 (f = ||x||^2 + ||y||^2), L_g = 1 (g = <x, y>: its joint Hessian
// has norm 1; grad_y g does not depend on y, so 1 bounds its Lipschitz constant in y too),
// mu_g unknown (g is linear in y). Optional additive Gaussian gradient noise as in `quadratic`:
// E||xi||^2 = sigma^2 over the joint gradient of a call with a noise seed.
#pragma once

#include <memory>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

struct NastyOptions {
  Index dim = 1;
  double sigma = 0.0;

  void declare(OptionList& o);
};

class Nasty : public Problem {
 public:
  explicit Nasty(const NastyOptions& o = {});

  static constexpr const char* kName = "nasty";
  static constexpr const char* kDescription =
      "the slides' nasty example: min x^2 + y^2 over [-1,1] s.t. y in argmin_[-1,1] x y "
      "(linear, constrained lower level; phi discontinuous at its minimizer (0, 0))";
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<Nasty>(*this); }
  Index dim_x() const override { return o_.dim; }
  Index dim_y() const override { return o_.dim; }
  Index num_samples(Fn) const override { return 1; }
  ProblemConstants constants() const override;
  // x0 = y0 = (1, ..., 1): a corner of the boxes, where y0 is the worst lower-level response.
  Vec initial_x() const override { return Vec::Ones(o_.dim); }
  Vec initial_y() const override { return Vec::Ones(o_.dim); }
  OptionValues option_values() const override;
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  std::optional<Box> box_x() const override { return box(); }
  std::optional<Box> box_y() const override { return box(); }

  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;

 private:
  Box box() const { return {Vec::Constant(o_.dim, -1.0), Vec::Constant(o_.dim, 1.0)}; }

  NastyOptions o_;
};

}  // namespace bilevel
