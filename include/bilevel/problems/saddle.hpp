// `saddle`: a small smooth bilevel problem whose hyper-objective has a strict saddle at the
// default start (DESIGN.md section 5), for the second-order methods (perturbed F2BA, and the
// cubic-regularized methods that use its dense Hessians).
//
// With d = dim x = dim y, coupling c, depth w, curvature e and lower-level curvatures a_i
// (a_1 = mu, a_2..a_d evenly spaced up to L):
//     g(x, y) = 1/2 sum_i a_i (y_i - c x_i)^2                 (mu-strongly convex, L-smooth in y)
//     f(x, y) = w cos(pi y_1) + e/2 sum_{i>=2} (x_i + y_i)^2  (nonconvex in y_1)
// so y*(x) = c x, dy*/dx = c I, and
//     phi(x)      = w cos(pi c x_1) + e (1 + c)^2 / 2 sum_{i>=2} x_i^2,
//     grad phi    = (-w pi c sin(pi c x_1), e (1 + c)^2 x_2, ..., e (1 + c)^2 x_d),
//     Hess phi    = diag(-w pi^2 c^2 cos(pi c x_1), e (1 + c)^2, ..., e (1 + c)^2).
// x = 0 (the default start, with y0 = y*(0) = 0) is a strict saddle: grad phi = 0 and the
// Hessian has the eigenvalue -w pi^2 c^2. The minimizers are x_1 = (2k + 1)/c, x_i = 0 (i >= 2),
// where phi = -w and the Hessian is diag(w pi^2 c^2, e (1 + c)^2, ...).
//
// The saddle direction x_1 acts on f only through y* (grad_y f(x, y*) != 0 off the stationary
// points), so the hypergradient's implicit term and the penalty gradient of the F2BA family are
// non-trivial there; coordinates i >= 2 make f depend on x directly. The problem is symmetric
// under x_1 -> -x_1, y_1 -> -y_1, so at x = 0 with y = z = 0 every method's iterates stay
// exactly at the saddle unless something breaks the symmetry (a perturbation).
//
// argmin_y sigma f + g (the penalty solution y*_lam for sigma = 1/lam) is closed-form in the
// coordinates i >= 2, t = (a_i c - sigma e) x_i / (a_i + sigma e); in coordinate 1 it is the
// unique root of a_1 (t - c x_1) = sigma w pi sin(pi t), strictly increasing in t when
// a_1 > sigma w pi^2 (i.e. lam > w pi^2 / mu), found by safeguarded Newton to machine precision.
// For smaller lam, sigma f + g is not convex in y_1 and closed_form_solution declines.
//
// Constants (global bounds): mu_g = mu, L_g = L (mu when d = 1), L_f = max(w pi^2, 2e)
// (w pi^2 when d = 1), L_phi = max(w pi^2 c^2, e (1 + c)^2) (w pi^2 c^2 when d = 1); the
// Hessian of phi is rho-Lipschitz with rho = w pi^3 c^3 (hessian_lipschitz(), reported as
// rho_phi).
// Not a finite sum (one component each); deterministic.
#pragma once

#include <memory>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

struct SaddleOptions {
  Index dx = 2;
  double mu = 1.0;
  double L = 4.0;
  double coupling = 1.0;
  double depth = 1.0;
  double curvature = 1.0;

  void declare(OptionList& o);
};

class Saddle : public Problem {
 public:
  explicit Saddle(const SaddleOptions& o = {});

  static constexpr const char* kName = "saddle";
  static constexpr const char* kDescription =
      "small nonconvex problem whose phi has a strict saddle at the start x0 = 0 and "
      "minimizers at x_1 = odd/c; closed-form y*, grad phi, Hess phi, dense Hessians";
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<Saddle>(*this); }
  Index dim_x() const override { return o_.dx; }
  Index dim_y() const override { return o_.dx; }
  Index num_samples(Fn) const override { return 1; }
  ProblemConstants constants() const override { return constants_; }
  OptionValues option_values() const override;
  bool has_dense_hessian() const override { return true; }
  // The saddle x = 0 and y*(0) = 0.
  Vec initial_x() const override { return Vec::Zero(o_.dx); }
  Vec initial_y() const override { return Vec::Zero(o_.dx); }

  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  // The minimizer x_1 = (2k + 1)/c, x_i = 0 (i >= 2), where phi = -w.
  Vec minimizer(Index k) const;
  // Lipschitz constant of Hess phi: w pi^3 c^3.
  double hessian_lipschitz() const;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  // Every Hessian block is diagonal: entry i of the xx, xy and yy blocks of fn at y.
  struct Curvatures {
    double xx, xy, yy;
  };
  Curvatures curvatures(Fn fn, Index i, const Vec& y) const;

  SaddleOptions o_;
  Vec a_;
  ProblemConstants constants_;
};

}  // namespace bilevel
