#include "bilevel/hard/hard_ji.hpp"

#include <algorithm>
#include <cmath>

#include "bilevel/core/error.hpp"
#include "bilevel/hard/probability_p.hpp"
#include "bilevel/hard/zero_chain.hpp"

namespace bilevel {

void HardJiOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("eps", eps, "target accuracy: ||grad H|| >= eps until x_T moves", C::positive())
      .add("kappa", kappa,
           "condition number L_g / mu of the lower level (>= 5 so that n = floor(sqrt((kappa - "
           "1)/4)) >= 1)",
           C::at_least(5))
      .add("L_g", L_g, "smoothness of g", C::positive())
      .add("L_f", L_f, "smoothness of f", C::positive())
      .add("delta", delta, "Delta: bound on H(0) - inf H", C::positive());
}

void HardJiStochOptions::declare(OptionList& o) {
  ji.declare(o);
  o.add("sigma", sigma, "variance bound sigma^2 of the probability-p oracle on g",
        Constraint::positive());
}

HardJi::HardJi(const HardJiOptions& o) : HardJi(o, "hard-ji") {}

HardJi::HardJi(const HardJiOptions& o, const std::string& owner) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, owner));
  v.throw_if_any(owner);
  s_ = hard::JiSizes::derive(o_.eps, o_.kappa, o_.L_g, o_.L_f, o_.delta, owner);

  const auto n = static_cast<double>(s_.n);
  constants_.mu_g = s_.eig_min;  // = L_g / (4n^2 + 1) >= mu
  constants_.L_g = s_.eig_max;   // <= L_g
  constants_.L_f = o_.L_f;       // ||Hess_y f|| <= L_f by the choice of L; f ignores x
  constants_.mu_fy = -o_.L_f;
  // Hess H = (L_f n^2 / L) Hess f_T(n x / lam), and ||Hess f_T|| <= 152.
  constants_.L_phi = hard::kZeroChainHessianBound * o_.L_f * n * n / s_.L;
  // Hess H(x) = (L_f n^2 / L) Hess f_T(n x / lam): its Lipschitz constant gains n / lam.
  constants_.rho_phi = hard::kZeroChainHessianLipschitz * o_.L_f * n * n * n / (s_.L * s_.lam);
}

OptionValues HardJi::derived_values() const {
  return {{"n", s_.n},     {"T", s_.T},     {"lam", s_.lam},       {"C_l", s_.C_l},
          {"C_r", s_.C_r}, {"L", s_.L},     {"mu", s_.mu},         {"dim_y", dim_y()},
          // x_T stays 0 for the first T n + 1 oracle calls (docs/problems.md, chain order).
          {"chain_calls", s_.T * s_.n + 2}};
}

OptionValues HardJi::option_values() const {
  OptionValues kv = bilevel::option_values(o_, name());
  for (auto& d : derived_values()) kv.push_back(d);
  return kv;
}

std::vector<std::string> HardJi::metric_names() const {
  return {"active_x", "active_y", "chain_progress"};
}

std::vector<double> HardJi::metrics(const Vec& x, const Vec& y) const {
  return {static_cast<double>(hard::active_count(x)), static_cast<double>(hard::active_count(y)),
          static_cast<double>(chain_progress(x, y))};
}

Index HardJi::chain_progress(const Vec& x, const Vec& y) const {
  const Index n = s_.n;
  Index best = 0;
  for (Index i = s_.T; i >= 1; --i) {
    if (x(i - 1) == 0.0) continue;
    best = i * n + 2;  // x_i: one call after y_n^(i)
    break;
  }
  for (Index k = dim_y(); k > 0; --k) {
    if (y(k - 1) == 0.0) continue;
    const Index i = (k - 1) / n, j = (k - 1) % n;
    // y_j^(i) (i >= 1, j 0-based) is reached from y_1^(i) along the path: j + 1 calls after
    // y_n^(i-1) at position (i - 1) n + 1.
    best = std::max(best, i == 0 ? Index{1} : (i - 1) * n + j + 2);
    break;  // positions grow with the index in y
  }
  return best;
}

// ---- oracles -------------------------------------------------------------------------------

double HardJi::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  const Index n = s_.n;
  const double inv_n2 = 1.0 / static_cast<double>(n * n);
  double v = 0;
  if (fn == Fn::kG) {
    for (Index i = 0; i <= s_.T; ++i) {
      double quad = 0;
      for (Index j = 0; j < n; ++j) {
        const double yj = y(yi(i, j));
        quad += inv_n2 * yj * yj;
        if (j + 1 < n) {
          const double d = y(yi(i, j + 1)) - yj;
          quad += d * d;
        }
      }
      v += 0.5 * s_.a * quad - o_.L_g * x_at(x, i) * y(yi(i, n - 1));
    }
    return v;
  }
  for (Index i = 1; i <= s_.T; ++i)
    v += hard::link(s_.C_l * y(yi(i - 1, n - 1)) / s_.lam, s_.C_r * y(yi(i, 0)) / s_.lam, false)
             .value;
  return s_.lam * s_.lam * o_.L_f / s_.L * v;
}

void HardJi::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch&, Vec* gx, Vec* gy) const {
  const Index n = s_.n;
  if (fn == Fn::kG) {
    if (gy) yy_product(Fn::kG, y, y, gy);  // a (I/n^2 + A) y per block
    for (Index i = 0; i <= s_.T; ++i) {
      if (gy) (*gy)(yi(i, n - 1)) -= o_.L_g * x_at(x, i);
    }
    if (gx) {
      gx->resize(s_.T);
      for (Index i = 1; i <= s_.T; ++i) (*gx)(i - 1) = -o_.L_g * y(yi(i, n - 1));
    }
    return;
  }
  if (gx) gx->setZero(s_.T);
  if (!gy) return;
  gy->setZero(dim_y());
  const double scale = s_.lam * o_.L_f / s_.L;  // (lam^2 L_f / L) / lam
  for (Index i = 1; i <= s_.T; ++i) {
    const Index ia = yi(i - 1, n - 1), ib = yi(i, 0);
    const hard::Link t = hard::link(s_.C_l * y(ia) / s_.lam, s_.C_r * y(ib) / s_.lam, false);
    (*gy)(ia) += scale * s_.C_l * t.du;
    (*gy)(ib) += scale * s_.C_r * t.dw;
  }
}


void HardJi::yy_product(Fn fn, const Vec& y, const Vec& v, Vec* out) const {
  const Index n = s_.n;
  if (fn == Fn::kG) {
    const double inv_n2 = 1.0 / static_cast<double>(n * n);
    Vec r(dim_y());
    for (Index i = 0; i <= s_.T; ++i) {
      for (Index j = 0; j < n; ++j) {
        const Index k = yi(i, j);
        double w = inv_n2 * v(k);
        if (j > 0) w += v(k) - v(k - 1);
        if (j + 1 < n) w += v(k) - v(k + 1);
        r(k) = s_.a * w;
      }
    }
    *out = std::move(r);
    return;
  }
  // The Hessian of f in y is a sum of 2x2 blocks on the pairs (y_n^(i-1), y_1^(i)) with
  // entries (L_f / L) C C' d2 t.
  out->setZero(dim_y());
  const double scale = o_.L_f / s_.L;
  for (Index i = 1; i <= s_.T; ++i) {
    const Index ia = yi(i - 1, n - 1), ib = yi(i, 0);
    const hard::Link t = hard::link(s_.C_l * y(ia) / s_.lam, s_.C_r * y(ib) / s_.lam, true);
    const double haa = scale * s_.C_l * s_.C_l * t.duu, hbb = scale * s_.C_r * s_.C_r * t.dww,
                 hab = scale * s_.C_l * s_.C_r * t.duw;
    (*out)(ia) += haa * v(ia) + hab * v(ib);
    (*out)(ib) += hab * v(ia) + hbb * v(ib);
  }}

bool HardJi::do_hvp(Fn fn, Block block, const Vec&, const Vec& y, const Vec& v, const Batch&,
                    Vec* out) const {
  switch (block) {
    case Block::kYY:
      yy_product(fn, y, v, out);
      break;
    case Block::kXY:
      // d/dx_i <grad_y g, v> = -L_g v_n^(i); f does not depend on x.
      out->setZero(s_.T);
      if (fn == Fn::kF) break;
      for (Index i = 1; i <= s_.T; ++i) (*out)(i - 1) = -o_.L_g * v(yi(i, s_.n - 1));
      break;
    case Block::kYX:
      out->setZero(dim_y());
      if (fn == Fn::kF) break;
      for (Index i = 1; i <= s_.T; ++i) (*out)(yi(i, s_.n - 1)) = -o_.L_g * v(i - 1);
      break;
    case Block::kXX:
      out->setZero(s_.T);  // g is linear in x, f does not depend on x
      break;
  }
  return true;
}

bool HardJi::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                        Mat* hyy) const {
  if (!has_dense_hessian()) return false;
  if (hxx) hxx->setZero(dim_x(), dim_x());
  // Column j of each block is its product with e_j: one formula for products and matrices.
  Vec col;
  if (hxy) {
    hxy->resize(dim_x(), dim_y());
    for (Index j = 0; j < dim_y(); ++j) {
      do_hvp(fn, Block::kXY, x, y, Vec::Unit(dim_y(), j), b, &col);
      hxy->col(j) = col;
    }
  }
  if (hyy) {
    hyy->resize(dim_y(), dim_y());
    for (Index j = 0; j < dim_y(); ++j) {
      do_hvp(fn, Block::kYY, x, y, Vec::Unit(dim_y(), j), b, &col);
      hyy->col(j) = col;
    }
  }
  return true;
}

// ---- closed forms --------------------------------------------------------------------------

bool HardJi::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  if (sigma != 0.0) return false;
  y->resize(dim_y());
  for (Index i = 0; i <= s_.T; ++i) y->segment(yi(i, 0), s_.n) = s_.m * x_at(x, i);
  return true;
}

double HardJi::hyper_objective(const Vec& x) const {
  const Vec z = static_cast<double>(s_.n) / s_.lam * x;
  return s_.lam * s_.lam * o_.L_f / s_.L * hard::ZeroChain(s_.T).value(z);
}

bool HardJi::closed_form_hypergradient(const Vec& x, Vec* g) const {
  const auto n = static_cast<double>(s_.n);
  hard::ZeroChain(s_.T).gradient(n / s_.lam * x, g);
  *g *= s_.lam * o_.L_f * n / s_.L;
  return true;
}

bool HardJi::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  // Dense T x T: beyond the limit Diagnostics' Lanczos on differences of the exact
  // hypergradient is the better path (T can be tens of thousands).
  if (s_.T > kDenseHessianLimit) return false;
  const auto n = static_cast<double>(s_.n);
  *h = hard::ZeroChain(s_.T).hessian(n / s_.lam * x) * (o_.L_f * n * n / s_.L);
  return true;
}

std::vector<ComplexityBound> HardJi::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds("lower",
                         {{"eps", false, 2, "Omega(kappa^(3/2) eps^-2)",
                           "Ji (bilevel lower bounds), Theorem 1"},
                          {"kappa", false, 1.5, "Omega(kappa^(3/2) eps^-2)",
                           "Ji (bilevel lower bounds), Theorem 1"}},
                         key, stochastic);
}

}  // namespace bilevel
