// `minimax-synthetic`: a small nonconvex-strongly-concave minimax problem whose
// P(x) = max_y F(x, y) has a strict saddle and two known minimizers (for LMCN and the other
// second-order methods; posed as a bilevel problem with f = F, g = -F, see minimax.hpp).
//
// With dx <= dy, Q a fixed random dy x dx matrix with orthonormal columns (drawn with `seed`),
// coupling b, curvature mu and height h:
//     F(x, y) = h exp(-x_1^2 / 2) + b <y, Q x> - mu/2 ||y||^2.
// F is mu-strongly concave in y (Fyy = -mu I) and nonconvex in x (a Gaussian hill in x_1).
// With k = b^2 / mu:
//     y*(x)   = (b / mu) Q x,
//     P(x)    = h exp(-x_1^2 / 2) + k/2 ||x||^2,
//     grad P  = k x - h x_1 exp(-x_1^2 / 2) e_1,
//     Hess P  = k I + h (x_1^2 - 1) exp(-x_1^2 / 2) e_1 e_1'.
// The maximization over y is what makes P convex in x_2..x_dx. For h > k, P has exactly
// three stationary points:
//   - the strict saddle x = 0: P = h, Hess P = diag(k - h, k, ..., k) (for dx = 1 it is a
//     local maximum);
//   - the two global minimizers x = +-r e_1, r = sqrt(2 ln(h / k)): P = k (1 + ln(h / k)),
//     Hess P = diag(2 k ln(h / k), k, ..., k).
//
// Start: x0 = (0.1, 0.5, ..., 0.5), y0 = 0. x0 lies near the saddle on the side x_1 > 0, where
// P decreases monotonically in x_1 towards r (grad P_1 < 0 on 0 < x_1 < r), so descent methods
// and cubic-regularized Newton reach the minimizer +r e_1 (minimizer(+1)). Tests that need the
// saddle itself start at saddle_point().
//
// Constants (global, attained, exact): mu_g = L_g = mu; with d(t) = h (t^2 - 1) exp(-t^2/2),
// which ranges over [-h, 2 h e^{-3/2}], F's joint Hessian splits into 2 x 2 blocks
// [[d, b], [b, -mu]] (along Q's columns) and -mu (the rest of y), so
//     L_f = max over d in {-h, 2 h e^{-3/2}} of the largest |eigenvalue| of [[d, b], [b, -mu]],
//     L_phi = max(h - k, k + 2 h e^{-3/2}),
//     rho_phi = h max_t |t (3 - t^2)| exp(-t^2/2) = h t0 (3 - t0^2) exp(-t0^2/2), t0^2 = 3 - sqrt 6
// (about 1.3801 h: the Lipschitz constant of d, the only entry of Hess P that varies).
#pragma once

#include <cstdint>
#include <memory>

#include "bilevel/core/options.hpp"
#include "bilevel/problems/minimax.hpp"

namespace bilevel {

struct MinimaxSyntheticOptions {
  Index dx = 2;
  Index dy = 3;
  double mu = 1.0;
  double coupling = 1.0;
  double height = 4.0;
  std::uint64_t seed = 0;

  void declare(OptionList& o);
};

class MinimaxSynthetic : public MinimaxProblem {
 public:
  explicit MinimaxSynthetic(const MinimaxSyntheticOptions& o = {});

  static constexpr const char* kName = "minimax-synthetic";
  static constexpr const char* kDescription =
      "minimax min_x max_y F (f = F, g = -F), F strongly concave in y; P = max_y F has a "
      "strict saddle at 0 and minimizers +-r e_1; closed-form y*, grad P, Hess P";
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override {
    return std::make_unique<MinimaxSynthetic>(*this);
  }
  Index dim_x() const override { return o_.dx; }
  Index dim_y() const override { return o_.dy; }
  ProblemConstants constants() const override { return constants_; }
  OptionValues option_values() const override;
  Vec initial_x() const override;

  // The explicit formulas of the header (the base class would give the same from F).
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;
  // P(x) by its formula.
  double max_value(const Vec& x) const;

  // The strict saddle x = 0 of P.
  Vec saddle_point() const { return Vec::Zero(o_.dx); }
  // The minimizer sign * r e_1 (sign = +1 or -1), where P = k (1 + ln(h / k)).
  Vec minimizer(int sign) const;
  // k = b^2 / mu, the curvature the maximization over y adds to P.
  double k() const { return o_.coupling * o_.coupling / o_.mu; }

 protected:
  double F_value(const Vec& x, const Vec& y) const override;
  void F_grad(const Vec& x, const Vec& y, Vec* gx, Vec* gy) const override;
  void F_hyy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const override;
  void F_hxy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const override;
  void F_hyx(const Vec& x, const Vec& y, const Vec& u, Vec* out) const override;
  void F_hessian(const Vec& x, const Vec& y, Mat* hxx, Mat* hxy, Mat* hyy) const override;
  bool maximizer(const Vec& x, Vec* y) const override;

 private:
  MinimaxSyntheticOptions o_;
  Mat q_;  // dy x dx, orthonormal columns
  ProblemConstants constants_;
};

}  // namespace bilevel
