#include "bilevel/algorithms/f2sa_p.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

namespace {

// max |j| over the active nodes of the order-p stencil.
int max_node(Index p) {
  int jmax = 0;
  for (int j : finite_difference_stencil(static_cast<int>(p)).active_nodes())
    jmax = std::max(jmax, std::abs(j));
  return jmax;
}

}  // namespace

void F2saPOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("p", p, "finite-difference order; p sequences for even p, p + 1 for odd",
        C::in_range(1, kMaxFiniteDifferenceOrder))
      .add("eps", eps, "target stationarity, used by the auto nu, eta_x and K", C::positive())
      .add("nu", nu,
           "finite-difference spacing: Theorem 3.1 with unit constants, L-bar taken as L_f and "
           "the R/kappa term dropped (R = ||y0 - y*(x0)|| is unknown)",
           C::positive(),
           {"min(mu_g/(2 max|j| L_f), (eps/(L_f kappa^(2p+1)))^(1/p)); mu_g/(2 max|j| L_g) "
            "when L_f = 0 (a linear f, e.g. hard-kwon)",
            [this](const AutoContext& c) {
              // Theorem 3.1: nu ~ (eps / (L kappa^(2p+1)))^(1/p), capped so that every
              // j nu f + g stays mu_g/2-strongly convex.
              const int jmax = max_node(p);
              const double mu = c.mu_g();
              const double lf = c.L_f();
              if (lf > 0) {
                const double kappa = c.L_g() / c.mu_g();
                const double theory = std::pow(eps / (lf * std::pow(kappa, 2.0 * p + 1)), 1.0 / p);
                return std::min(mu / (2 * jmax * lf), theory);
              }
              // f linear (L_f = 0): every j nu f + g is mu_g-strongly convex and the
              // smoothness bias term vanishes, so both bounds are void and any nu works. Take
              // the cap with g's smoothness in place of f's: mu_g / (2 max|j| L_g).
              return mu / (2 * jmax * c.L_g());
            }})
      .add("eta_x", eta_x,
           "length of the normalized outer step (Theorem 3.1: eps/(L_1 kappa^3), and L_phi = "
           "O(L_1 kappa^3)); 1/L_phi with normalize=false",
           C::positive(),
           {"eps/L_phi",
            [this](const AutoContext& c) {
              return (normalize ? eps : 1.0) * default_outer_step(c);
            }})
      .add("eta_y", eta_y,
           "inner step, the smoothness of the most curved j nu f + g. Theorem 3.1 shrinks it "
           "with the noise (nu^2 eps^2/(L_1 kappa sigma^2)); problems do not report sigma, so "
           "set it for noisy runs",
           C::positive(),
           {"1/(L_g + max|j| nu L_f)",
            [this](const AutoContext& c) { return 1.0 / (c.L_g() + max_node(p) * *nu * c.L_f()); }})
      .add("K", K, "inner steps per outer iteration (the deterministic part of Theorem 3.1's K)",
           C::integer_at_least(1),
           {"ceil(kappa ln(L_f kappa/(nu eps)))",
            [this](const AutoContext& c) {
              const double k = c.L_g() / c.mu_g();
              const double lf = c.L_f();
              return static_cast<double>(
                  static_cast<Index>(std::ceil(k * std::log(std::max(M_E, lf * k / (*nu * eps))))));
            }})
      .add("S", S, "minibatch of the estimator Phi, for f and g (0 = full sums)", C::non_negative())
      .add("batch_y", batch_y,
           "minibatch of each inner step, for f and g (0 = full sums; the paper: single samples)",
           C::non_negative())
      .add("normalize", normalize,
           "the normalized step of line 14, x -= eta_x Phi/||Phi||; false gives x <- x - eta_x "
           "Phi (Remark 3.1)");
}

void finite_difference_hypergradient(Problem& p, const FiniteDifferenceStencil& stencil, double nu,
                                     const Vec& x, const std::vector<Vec>& ys, const Batch& bf,
                                     const Batch& bg, Vec* out, Vec* work) {
  const auto active = static_cast<std::size_t>(
      std::count_if(stencil.alpha.begin(), stencil.alpha.end(), [](double a) { return a != 0; }));
  if (ys.size() != active)
    throw InvalidInput("finite_difference_hypergradient: " + std::to_string(ys.size()) +
                       " lower-level points for " + std::to_string(active) + " active nodes");
  out->setZero(x.size());
  std::size_t i = 0;  // index into ys: the active nodes, in stencil order
  for (std::size_t n = 0; n < stencil.nodes.size(); ++n) {
    const int j = stencil.nodes[n];
    const double alpha = stencil.alpha[n];
    if (alpha == 0.0) continue;
    if (j != 0) {
      p.grad(Fn::kF, x, ys[i], bf, work, nullptr);
      *out += (alpha * j) * *work;
    }
    p.grad(Fn::kG, x, ys[i], bg, work, nullptr);
    *out += (alpha / nu) * *work;
    ++i;
  }
}

F2saPRun::F2saPRun(const F2saPOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                   RunContext& context)
    : o_(r),
      stencil_(finite_difference_stencil(static_cast<int>(r.p))),
      nodes_(stencil_.active_nodes()),
      nu_(*r.nu),
      eta_x_(*r.eta_x),
      eta_y_(*r.eta_y),
      K_(static_cast<Index>(*r.K)) {
  const ProblemConstants c = p.constants();
  const int jmax = max_node(r.p);
  // f may be nonconvex (Hessian down to -L_f), so j nu f + g is strongly convex in y for
  // every node only if max|j| nu L_f < mu_g; beyond that the inner SGD may diverge.
  if (c.mu_g && c.L_f && jmax * nu_ * *c.L_f >= *c.mu_g)
    throw InvalidOptions(
        context.algo + ": nu=" + format_double(nu_) + " is too large for p=" +
        std::to_string(o_.p) + ": j nu f + g stays strongly convex for every " +
        "node only if nu < mu_g/(max|j| L_f) = " + format_short(*c.mu_g / (jmax * *c.L_f)));

  const std::size_t n = nodes_.size();
  sf_y_.assign(n, Sampler(p.num_samples(Fn::kF), o_.batch_y));
  sg_y_.assign(n, Sampler(p.num_samples(Fn::kG), o_.batch_y));
  sf_x_ = Sampler(p.num_samples(Fn::kF), o_.S);
  sg_x_ = Sampler(p.num_samples(Fn::kG), o_.S);
  x_ = x0;
  ys_.assign(n, y0);  // line 1: every sequence starts at y0
  gf_.assign(n, Vec());
  gg_.assign(n, Vec());
  for (std::size_t i = 0; i < n; ++i) {
    if (nodes_[i] != 0) {
      f_points_.push_back(&ys_[i]);
      f_outs_.push_back(&gf_[i]);
    }
    g_points_.push_back(&ys_[i]);
    g_outs_.push_back(&gg_[i]);
  }
  f_batches_.resize(f_points_.size());
  g_batches_.resize(n);
  // The estimate of y*(x): the j = 0 sequence when it is active (odd p), else the midpoint of
  // the j = -1 and j = 1 sequences (O(nu^2) from y*). Every even stencil has both.
  const auto at = [&](int j) {
    return static_cast<std::size_t>(std::find(nodes_.begin(), nodes_.end(), j) - nodes_.begin());
  };
  est_a_ = est_b_ = at(0);
  if (est_a_ == n) {
    est_a_ = at(-1);
    est_b_ = at(1);
  }
  y_est_ = y0;
}

void F2saPRun::inner_steps(Problem& p, Rng& rng) {
  for (Index k = 0; k < K_; ++k) {
    // Independent batches per sequence (line 6), drawn in node order: f, then g.
    std::size_t fi = 0;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i] != 0) f_batches_[fi++] = sf_y_[i].draw(rng);
      g_batches_[i] = sg_y_[i].draw(rng);
    }
    if (!f_points_.empty()) p.grad_y_multi(Fn::kF, x_, f_points_, f_batches_, f_outs_);
    p.grad_y_multi(Fn::kG, x_, g_points_, g_batches_, g_outs_);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const double jnu = nodes_[i] * nu_;
      if (nodes_[i] != 0) ys_[i] -= eta_y_ * (jnu * gf_[i] + gg_[i]);
      else ys_[i] -= eta_y_ * gg_[i];
    }
  }
}

void F2saPRun::step(Problem& p, Rng& rng, Index) {
  inner_steps(p, rng);
  // Line 11: one minibatch of f and one of g, common to every node.
  const Batch bf = sf_x_.draw(rng);
  const Batch bg = sg_x_.draw(rng);
  finite_difference_hypergradient(p, stencil_, nu_, x_, ys_, bf, bg, &phi_, &work_);
  const double norm = phi_.norm();
  if (!o_.normalize) {
    x_ -= eta_x_ * phi_;
  } else if (norm > 0) {
    x_ -= (eta_x_ / norm) * phi_;
  }
  // The estimate of y*(x) reported to diagnostics (indices chosen in init).
  if (est_a_ == est_b_) y_est_ = ys_[est_a_];
  else y_est_ = 0.5 * (ys_[est_a_] + ys_[est_b_]);
}

// Theorem 3.1: O~(p kappa^(9+2/p) eps^(-4-2/p)), the exponents depending on the order p.
std::vector<ComplexityBound> F2saP::upper_bounds(std::string_view key, bool stochastic) const {
  const auto p = static_cast<double>(options().p);
  if (!(p >= 1)) return {};
  const char* formula = "O~(p kappa^(9+2/p) eps^(-4-2/p))";
  const char* source = "Chen, Li, Chayti & Zhang (F2SA-p), Theorem 3.1";
  return matching_bounds(
      "upper",
      {{"eps", true, 4 + 2 / p, formula, source}, {"kappa", true, 9 + 2 / p, formula, source}}, key,
      stochastic);
}

}  // namespace bilevel
