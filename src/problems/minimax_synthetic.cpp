#include "bilevel/problems/minimax_synthetic.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

namespace {
// The hill h exp(-t^2/2) and its first two derivatives.
double hill(double h, double t) { return h * std::exp(-0.5 * t * t); }
double hill_d1(double h, double t) { return -t * hill(h, t); }
double hill_d2(double h, double t) { return (t * t - 1) * hill(h, t); }

// The largest |eigenvalue| of [[d, b], [b, -mu]].
double block_norm(double d, double b, double mu) {
  return 0.5 * std::abs(d - mu) + 0.5 * std::sqrt((d + mu) * (d + mu) + 4 * b * b);
}
}  // namespace

void MinimaxSyntheticOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dx", dx, "dimension of x; coordinate 1 holds the saddle of P", C::at_least(1))
      .add("dy", dy, "dimension of y (>= dx)")
      .add("mu", mu, "strong concavity of F in y: mu_g = L_g", C::positive())
      .add("coupling", coupling, "b in the coupling <y, b Q x>", C::positive())
      .add("height", height, "h of the hill h exp(-x_1^2/2) (> coupling^2 / mu: the saddle)")
      .add("seed", seed, "seed of the random orthonormal coupling matrix Q")
      .rule([this](Violations& v) {
        v.check(dy >= dx, "dy must be >= dx (got dy=" + std::to_string(dy) +
                              ", dx=" + std::to_string(dx) + ")");
        if (mu > 0) {
          const double k = coupling * coupling / mu;
          v.check(height > k, "height must be > coupling^2 / mu = " + format_short(k) +
                                  " for P to have a saddle at 0 (got " + format_double(height) +
                                  ")");
        }
      });
}

MinimaxSynthetic::MinimaxSynthetic(const MinimaxSyntheticOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "minimax-synthetic"));
  v.throw_if_any("minimax-synthetic");
  {
    // Q (dy x dx) and the dy x dx Gaussian it comes from, dense.
    const std::string what =
        "minimax-synthetic: dx=" + std::to_string(o_.dx) + ", dy=" + std::to_string(o_.dy);
    check_problem_memory(what, o_.dx, o_.dy,
                         bytes_for(size_mul(o_.dx, o_.dy, what), 3 * sizeof(double)));
  }

  Rng rng(o_.seed);
  const Mat g = gaussian_matrix(o_.dy, o_.dx, rng);
  q_ = g.householderQr().householderQ() * Mat::Identity(o_.dy, o_.dx);

  const double h = o_.height, b = o_.coupling, mu = o_.mu;
  const double d_max = 2 * h * std::exp(-1.5);  // max of (t^2 - 1) h exp(-t^2/2), at t^2 = 3
  constants_.mu_g = mu;
  constants_.L_g = mu;
  // |eig| of the 2 x 2 blocks is convex in d, so its maximum over [-h, d_max] is at an end.
  constants_.L_f = std::max(block_norm(-h, b, mu), block_norm(d_max, b, mu));
  constants_.L_phi = std::max(h - k(), k() + d_max);
  const double t0 = std::sqrt(3 - std::sqrt(6.0));
  constants_.rho_phi = h * t0 * (3 - t0 * t0) * std::exp(-0.5 * t0 * t0);
}

OptionValues MinimaxSynthetic::option_values() const { return bilevel::option_values(o_, name()); }

Vec MinimaxSynthetic::initial_x() const {
  Vec x = Vec::Constant(o_.dx, 0.5);
  x(0) = 0.1;
  return x;
}

Vec MinimaxSynthetic::minimizer(int sign) const {
  Vec x = Vec::Zero(o_.dx);
  x(0) = (sign < 0 ? -1.0 : 1.0) * std::sqrt(2 * std::log(o_.height / k()));
  return x;
}

double MinimaxSynthetic::max_value(const Vec& x) const {
  return hill(o_.height, x(0)) + 0.5 * k() * x.squaredNorm();
}

bool MinimaxSynthetic::closed_form_hypergradient(const Vec& x, Vec* g) const {
  *g = k() * x;
  (*g)(0) += hill_d1(o_.height, x(0));
  return true;
}

bool MinimaxSynthetic::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  *h = k() * Mat::Identity(o_.dx, o_.dx);
  (*h)(0, 0) += hill_d2(o_.height, x(0));
  return true;
}

double MinimaxSynthetic::F_value(const Vec& x, const Vec& y) const {
  return hill(o_.height, x(0)) + o_.coupling * y.dot(q_ * x) - 0.5 * o_.mu * y.squaredNorm();
}

void MinimaxSynthetic::F_grad(const Vec& x, const Vec& y, Vec* gx, Vec* gy) const {
  if (gx) {
    *gx = o_.coupling * (q_.transpose() * y);
    (*gx)(0) += hill_d1(o_.height, x(0));
  }
  if (gy) *gy = o_.coupling * (q_ * x) - o_.mu * y;
}

void MinimaxSynthetic::F_hyy(const Vec&, const Vec&, const Vec& v, Vec* out) const {
  *out = -o_.mu * v;
}

void MinimaxSynthetic::F_hxy(const Vec&, const Vec&, const Vec& v, Vec* out) const {
  *out = o_.coupling * (q_.transpose() * v);
}

void MinimaxSynthetic::F_hyx(const Vec&, const Vec&, const Vec& u, Vec* out) const {
  *out = o_.coupling * (q_ * u);
}

void MinimaxSynthetic::F_hessian(const Vec& x, const Vec&, Mat* hxx, Mat* hxy,
                                 Mat* hyy) const {
  if (hxx) {
    hxx->setZero(o_.dx, o_.dx);
    (*hxx)(0, 0) = hill_d2(o_.height, x(0));
  }
  if (hxy) *hxy = o_.coupling * q_.transpose();
  if (hyy) *hyy = -o_.mu * Mat::Identity(o_.dy, o_.dy);
}

bool MinimaxSynthetic::maximizer(const Vec& x, Vec* y) const {
  *y = (o_.coupling / o_.mu) * (q_ * x);
  return true;
}

}  // namespace bilevel
