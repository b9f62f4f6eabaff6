#include "bilevel/linalg/cubic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

void check_m(double M, const char* who) {
  if (!(M > 0) || !std::isfinite(M))
    throw InvalidInput(std::string(who) + ": M must be a finite number > 0 (got " +
                       format_double(M) + ")");
}

// The positive root of (a + x)(b + x) = k for a, b >= 0, or 0 when k <= a b. Written without
// the cancellation of the textbook formula, so that tiny roots keep their relative precision.
double shifted_product_root(double a, double b, double k) {
  const double c = k - a * b;  // x^2 + (a + b) x - c = 0
  if (!(c > 0)) return 0;
  const double p = a + b;
  return 2 * c / (p + std::sqrt(p * p + 4 * c));
}

}  // namespace

double cubic_model_value(const Mat& H, const Vec& g, double M, const Vec& s) {
  const double n = s.norm();
  return g.dot(s) + 0.5 * s.dot(H * s) + M / 6 * n * n * n;
}

// --- exact dense solver ------------------------------------------------------------------

DenseCubicSolver::DenseCubicSolver(const Mat& H, double M) : M_(M) {
  const char* who = "cubic solver";
  check_m(M, who);
  if (H.rows() != H.cols())
    throw InvalidInput(std::string(who) + ": H must be square (got " + std::to_string(H.rows()) +
                       "x" + std::to_string(H.cols()) + ")");
  if (H.rows() == 0) throw InvalidInput(std::string(who) + ": H must not be empty");
  if (!H.allFinite()) throw InvalidInput(std::string(who) + ": H has non-finite entries");
  const double size = H.cwiseAbs().maxCoeff();
  const double asym = (H - H.transpose()).cwiseAbs().maxCoeff();
  if (asym > 1e-10 * size)
    throw InvalidInput(std::string(who) + ": H must be symmetric (max |H - H'| = " +
                       format_short(asym) + " with max |H| = " + format_short(size) + ")");
  // Averaging removes rounding-level asymmetry (H assembled from products); the solver reads
  // one triangle only, which would otherwise make the answer depend on which one.
  const Mat sym = 0.5 * (H + H.transpose());
  Eigen::SelfAdjointEigenSolver<Mat> es(sym);
  if (es.info() != Eigen::Success)
    throw InvalidInput(std::string(who) + ": the eigen-decomposition of H did not converge");
  lambda_ = es.eigenvalues();
  Q_ = es.eigenvectors();
}

CubicSolution DenseCubicSolver::solve(const Vec& g) const {
  const Index d = dim();
  if (g.size() != d)
    throw InvalidInput("cubic solver: g has dimension " + std::to_string(g.size()) +
                       " but H is " + std::to_string(d) + "x" + std::to_string(d));
  if (!g.allFinite()) throw InvalidInput("cubic solver: g has non-finite entries");

  const Vec c = Q_.transpose() * g;
  // The smallest admissible multiplier and the shifted eigenvalues e = lambda + sigma_low >= 0;
  // e(i) is exactly 0 for every eigenvalue equal to a negative lambda_min (x + (-x) == 0).
  const double sigma_low = std::max(0.0, -lambda_(0));
  const Vec e = lambda_.array() + sigma_low;
  const double c2 = c.squaredNorm();
  // Components of g along the bottom eigenspace below the eigenvectors' own rounding error
  // carry no information about the direction: they are treated as zero.
  const double noise2 = std::pow(double(d) * kEps, 2) * c2;

  CubicSolution out;
  Vec y(d);  // s in the eigenbasis
  auto finish = [&](double sigma) {
    out.sigma = sigma;
    out.s = Q_ * y;
    const double n = y.norm();
    out.model_value =
        c.dot(y) + 0.5 * y.dot(lambda_.cwiseProduct(y)) + M_ / 6 * n * n * n;
    return out;
  };

  if (sigma_low > 0) {
    double bottom2 = 0, perp2 = 0;
    for (Index i = 0; i < d; ++i) {
      if (e(i) == 0)
        bottom2 += c(i) * c(i);
      else
        perp2 += std::pow(c(i) / e(i), 2);
    }
    const double radius = 2 * sigma_low / M_;
    if (bottom2 <= noise2 && perp2 <= radius * radius) {
      // The hard case: no root above sigma_low. The minimum-norm solution of
      // (H + sigma_low I) s = -g is completed along the bottom eigenspace up to the radius.
      // The direction is -c restricted to that space when it is not exactly zero (the limit
      // of the nearby non-hard problems), else the first bottom eigenvector.
      Vec w = Vec::Zero(d);
      for (Index i = 0; i < d; ++i)
        if (e(i) == 0) w(i) = -c(i);
      if (w.squaredNorm() > 0)
        w.normalize();
      else
        w(0) = 1;
      const double tau = std::sqrt(std::max(0.0, radius * radius - perp2));
      for (Index i = 0; i < d; ++i) y(i) = e(i) == 0 ? tau * w(i) : -c(i) / e(i);
      out.hard_case = true;
      return finish(sigma_low);
    }
  } else if (c2 == 0) {
    // g = 0 with H positive semidefinite: m >= 0 = m(0).
    y.setZero();
    return finish(0);
  }

  // Root of h(delta) = 1/||s|| - M / (2 (sigma_low + delta)), increasing in delta.
  // Bracket: ||s(delta)|| >= |c_j| / (e_j + delta) for every j, and ||s(delta)|| <=
  // ||c|| / (e_min + delta); putting either into ||s|| = 2 (sigma_low + delta) / M bounds the
  // root from below and above.
  double lo = 0;
  for (Index i = 0; i < d; ++i)
    lo = std::max(lo, shifted_product_root(sigma_low, e(i), 0.5 * M_ * std::abs(c(i))));
  double hi = shifted_product_root(sigma_low, e(0), 0.5 * M_ * std::sqrt(c2));
  hi = std::max(hi, lo);
  // Newton from the lower bound: with h increasing and concave, Newton steps from the left
  // stay left of the root and converge monotonically; the bracket guards against rounding.
  double delta = lo > 0 ? lo : 0.5 * hi;
  const Index max_iter = 200;
  for (Index it = 0; it < max_iter; ++it) {
    ++out.iterations;
    double n2 = 0, dn = 0;  // ||s||^2 and -d/d(delta) of ||s||^2 / 2
    for (Index i = 0; i < d; ++i) {
      if (c(i) == 0) continue;
      const double den = e(i) + delta;
      const double t = c(i) / den;
      n2 += t * t;
      dn += t * t / den;
    }
    const double n = std::sqrt(n2);
    const double sigma = sigma_low + delta;
    const double h = 1 / n - 0.5 * M_ / sigma;
    if (h < 0)
      lo = delta;
    else if (h > 0)
      hi = delta;
    else
      break;
    const double dh = dn / (n2 * n) + 0.5 * M_ / (sigma * sigma);
    const double step = -h / dh;
    if (std::isfinite(step) && std::abs(step) <= 4 * kEps * delta) break;
    double next = delta + step;
    if (!std::isfinite(next) || next <= lo || next >= hi) next = 0.5 * (lo + hi);
    if (hi - lo <= 4 * kEps * hi) break;
    delta = next;
  }
  for (Index i = 0; i < d; ++i) y(i) = c(i) == 0 ? 0.0 : -c(i) / (e(i) + delta);
  return finish(sigma_low + delta);
}

// --- Hessian-vector-product solver -------------------------------------------------------

void CubicGdOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("tol", tol, "stop when ||grad m(s)|| <= tol * scale", C::positive())
      .add("max_iters", max_iters, "gradient steps, one Hessian-vector product each",
           C::at_least(1))
      .add("L", L, "an upper bound on ||H||; 0 = estimate by power iteration", C::non_negative())
      .add("power_iters", power_iters, "products spent on that estimate when L = 0",
           C::at_least(1))
      .add("step", step, "0 = 1 / (4 (L + M R / 2)), R a bound on ||s*||", C::non_negative())
      .add("perturbation", perturbation, "size of the random perturbation of g, times scale",
           C::non_negative())
      .rule([this](Violations& v) {
        v.check(std::isfinite(L) && std::isfinite(step) && std::isfinite(perturbation),
                "L, step and perturbation must be finite");
      });
}

namespace {

// The product callback, with its size checked and its calls counted.
struct Products {
  const std::function<void(const Vec&, Vec*)>& hvp;
  Index count = 0;
  void operator()(const Vec& v, Vec* out) {
    hvp(v, out);
    ++count;
    if (out->size() != v.size())
      throw InvalidInput("cubic_gradient_descent: the Hessian-vector product returned a vector of "
                         "size " + std::to_string(out->size()) + " for an input of size " +
                         std::to_string(v.size()));
  }
};

// The gradient's rounding error relative to the size of its terms H s, b and M/2 ||s|| s. When
// g is small next to them (s long, as when H + sigma I is nearly singular), tol * ||g|| can be
// below what the computed gradient can show, and descent would spend max_iters at that level.
constexpr double kGradientRounding = 32 * kEps;

// Gradient descent on <b, s> + 1/2 s'Hs + M/6 ||s||^3 from *s (with *hs = H s) until the
// gradient norm is at most max(target, its rounding level) or *steps reaches max_steps.
// Returns the final gradient norm and in *reached whether it met that bound (the last
// iterate's product *hs is current).
double descend(Products& prod, const Vec& b, double M, double L, double eta, double target,
               Index max_steps, Vec* s, Vec* hs, Index* steps, bool* reached) {
  Vec grad(s->size());
  for (;;) {
    const double n = s->norm();
    grad = *hs + b + (0.5 * M * n) * *s;
    const double gn = grad.norm();
    const double floor = kGradientRounding * ((L + 0.5 * M * n) * n + b.norm());
    *reached = gn <= std::max(target, floor);
    if (*reached || *steps >= max_steps || !std::isfinite(gn)) return gn;
    *s -= eta * grad;
    prod(*s, hs);
    ++*steps;
  }
}

}  // namespace

CubicGdResult cubic_gradient_descent(const std::function<void(const Vec&, Vec*)>& hvp,
                                     const Vec& g, double M, Rng& rng,
                                     const CubicGdOptions& options) {
  {
    Violations v;
    for (auto& msg : options.validate()) v.check(false, msg);
    v.throw_if_any("cubic_gradient_descent");
  }
  check_m(M, "cubic_gradient_descent");
  if (g.size() == 0) throw InvalidInput("cubic_gradient_descent: g must not be empty");
  if (!g.allFinite()) throw InvalidInput("cubic_gradient_descent: g has non-finite entries");
  const Index d = g.size();
  Products prod{hvp};
  CubicGdResult out;

  // ||H|| by power iteration: a lower estimate, but the step below keeps a factor of 4 from
  // the stability limit, so an estimate within a factor 2 is still safe.
  double L = options.L;
  if (L == 0) {
    Vec v = gaussian_vector(d, rng).normalized();
    Vec hv(d);
    for (Index k = 0; k < options.power_iters; ++k) {
      prod(v, &hv);
      const double n = hv.norm();
      L = std::max(L, n);
      if (!(n > 0) || !std::isfinite(n)) break;
      v = hv / n;
    }
  }
  out.L = L;

  const double gnorm = g.norm();
  const double scale = gnorm > 0 ? gnorm : L * L / M;
  out.s = Vec::Zero(d);
  if (!(scale > 0)) {  // g = 0 and H = 0: m(s) = M/6 ||s||^3, minimized at 0
    out.hvps = prod.count;
    out.converged = true;
    return out;
  }
  const double target = options.tol * scale;

  Vec gp = g;
  if (options.perturbation > 0)
    gp += (options.perturbation * scale) * gaussian_vector(d, rng).normalized();
  const double gpnorm = gp.norm();

  // ||s*|| <= R: at the minimizer ||g|| = ||(H + sigma I) s|| >= (M ||s|| / 2 - L) ||s||.
  // Taken for the larger of the two gradients, so it holds for both models.
  const double gmax = std::max(gnorm, gpnorm);
  const double R = (L + std::sqrt(L * L + 2 * M * gmax)) / M;
  out.step = options.step > 0 ? options.step : 1 / (4 * (L + 0.5 * M * R));

  // The Cauchy point: the minimizer of the (perturbed) model along -gp, at radius r solving
  // -||gp|| + beta r + M/2 r^2 = 0 with beta = gp'H gp / ||gp||^2.
  Vec hs(d);
  if (gpnorm > 0) {
    Vec hg(d);
    prod(gp, &hg);
    const double beta = gp.dot(hg) / (gpnorm * gpnorm);
    const double disc = std::sqrt(beta * beta + 2 * M * gpnorm);
    const double r = beta >= 0 ? 2 * gpnorm / (beta + disc) : (disc - beta) / M;
    out.s = (-r / gpnorm) * gp;
    hs = (-r / gpnorm) * hg;  // H s from the same product
  } else {
    hs.setZero();
  }

  Index steps = 0;
  bool reached = false;
  double gn = descend(prod, gp, M, L, out.step, target, options.max_iters, &out.s, &hs, &steps,
                      &reached);
  if (options.perturbation > 0 && std::isfinite(gn))
    gn = descend(prod, g, M, L, out.step, target, options.max_iters, &out.s, &hs, &steps,
                 &reached);
  out.iterations = steps;
  out.hvps = prod.count;
  out.grad_norm = gn;
  out.converged = reached;
  const double n = out.s.norm();
  out.model_value = g.dot(out.s) + 0.5 * out.s.dot(hs) + M / 6 * n * n * n;
  return out;
}

}  // namespace bilevel
