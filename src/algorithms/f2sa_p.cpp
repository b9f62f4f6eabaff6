#include "bilevel/algorithms/f2sa_p.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void F2saPOptions::declare(OptionList& o) {
  o.add("p", p, "finite-difference order (1 <= p <= 16); p sequences for even p, p + 1 for odd")
      .add("eps", eps, "target stationarity (> 0): sets the auto nu, eta_x and K")
      .add("nu", nu,
           "finite-difference spacing (> 0); auto = min(mu_g/(2 max|j| L_f), "
           "(eps/(L_f kappa^(2p+1)))^(1/p)); mu_g/(2 max|j| L_g) when L_f = 0")
      .add("eta_x", eta_x, "outer step (length of the normalized step); auto = eps/L_phi")
      .add("eta_y", eta_y, "inner step; auto = 1/(L_g + max|j| nu L_f)")
      .add("K", K, "inner steps per outer iteration; auto = ceil(kappa log(L_f kappa/(nu eps)))")
      .add("S", S, "minibatch of the estimator Phi, for f and g (0 = full sums)")
      .add("batch_y", batch_y, "minibatch of each inner step, for f and g (0 = full sums)")
      .add("normalize", normalize, "normalized outer step x -= eta_x Phi/||Phi|| (Alg. 1)");
}

std::vector<std::string> F2saPOptions::validate() const {
  Violations v;
  v.check(p >= 1 && p <= kMaxFiniteDifferenceOrder,
          "p must be in [1, " + std::to_string(kMaxFiniteDifferenceOrder) + "] (got " +
              std::to_string(p) + ")");
  v.positive("eps", eps);
  v.positive_or_auto("nu", nu);
  v.positive_or_auto("eta_x", eta_x);
  v.positive_or_auto("eta_y", eta_y);
  v.check(!K || (*K >= 1 && *K == std::floor(*K)),
          "K must be an integer >= 1 or auto (got " + format_double(K.value_or(0)) + ")");
  v.at_least("S", S, 0);
  v.at_least("batch_y", batch_y, 0);
  return v.list();
}

void finite_difference_hypergradient(Problem& p, const FiniteDifferenceStencil& stencil,
                                     double nu, const Vec& x, const std::vector<Vec>& ys,
                                     const Batch& bf, const Batch& bg, Vec* out, Vec* work) {
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

KeyValues F2saP::resolved_options() {
  F2saPOptions r = o_;
  r.nu = nu_;
  r.eta_x = eta_x_;
  r.eta_y = eta_y_;
  r.K = static_cast<double>(K_);
  return echo(r);
}

void F2saP::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  const ProblemConstants c = p.constants();
  stencil_ = finite_difference_stencil(static_cast<int>(o_.p));
  nodes_ = stencil_.active_nodes();
  int jmax = 0;
  for (int j : nodes_) jmax = std::max(jmax, std::abs(j));

  auto kappa = [&](const std::string& option) {
    return require_constant(c.L_g, "L_g", name(), option) /
           require_constant(c.mu_g, "mu_g", name(), option);
  };
  if (o_.nu) {
    nu_ = *o_.nu;
  } else {
    // Theorem 3.1: nu ~ (eps / (L kappa^(2p+1)))^(1/p), with the higher-order smoothness
    // L-bar taken as L_f and the R/kappa term dropped (R = ||y0 - y*(x0)|| is unknown);
    // capped so that every j nu f + g stays mu_g/2-strongly convex.
    const double mu = require_constant(c.mu_g, "mu_g", name(), "nu");
    const double lf = require_constant(c.L_f, "L_f", name(), "nu");
    if (lf > 0) {
      const double theory =
          std::pow(o_.eps / (lf * std::pow(kappa("nu"), 2.0 * o_.p + 1)), 1.0 / o_.p);
      nu_ = std::min(mu / (2 * jmax * lf), theory);
    } else {
      // f linear (L_f = 0, e.g. hard-kwon's f = y): every j nu f + g is mu_g-strongly
      // convex and the smoothness bias term vanishes, so both bounds are void and any nu
      // works. Take the cap with g's smoothness in place of f's: mu_g / (2 max|j| L_g).
      nu_ = mu / (2 * jmax * require_constant(c.L_g, "L_g", name(), "nu"));
    }
  }
  // f may be nonconvex (Hessian down to -L_f), so j nu f + g is strongly convex in y for
  // every node only if max|j| nu L_f < mu_g; beyond that the inner SGD may diverge.
  if (c.mu_g && c.L_f && jmax * nu_ * *c.L_f >= *c.mu_g)
    throw InvalidOptions(name() + ": nu=" + format_double(nu_) + " is too large for p=" +
                         std::to_string(o_.p) + ": j nu f + g stays strongly convex for every " +
                         "node only if nu < mu_g/(max|j| L_f) = " +
                         format_short(*c.mu_g / (jmax * *c.L_f)));
  eta_y_ = o_.eta_y ? *o_.eta_y
                    : 1.0 / (require_constant(c.L_g, "L_g", name(), "eta_y") +
                             jmax * nu_ * require_constant(c.L_f, "L_f", name(), "eta_y"));
  // Normalized steps of length eps/L_phi (Theorem 3.1: eta_x ~ eps/(L_1 kappa^3), and
  // L_phi = O(L_1 kappa^3)); a plain step uses 1/L_phi.
  eta_x_ = o_.eta_x ? *o_.eta_x
                    : (o_.normalize ? o_.eps : 1.0) * default_outer_step(c, name(), "eta_x");
  if (o_.K) {
    K_ = static_cast<Index>(*o_.K);
  } else {
    const double k = kappa("K");
    const double lf = require_constant(c.L_f, "L_f", name(), "K");
    K_ = static_cast<Index>(std::ceil(k * std::log(std::max(M_E, lf * k / (nu_ * o_.eps)))));
  }

  const std::size_t n = nodes_.size();
  sf_y_.assign(n, Sampler(p.num_samples(Fn::kF), o_.batch_y));
  sg_y_.assign(n, Sampler(p.num_samples(Fn::kG), o_.batch_y));
  sf_x_ = Sampler(p.num_samples(Fn::kF), o_.S);
  sg_x_ = Sampler(p.num_samples(Fn::kG), o_.S);
  x_ = x0;
  ys_.assign(n, y0);  // line 1: every sequence starts at y0
  gf_.assign(n, Vec());
  gg_.assign(n, Vec());
  f_points_.clear();
  f_outs_.clear();
  g_points_.clear();
  g_outs_.clear();
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

void F2saP::inner_steps(Problem& p, Rng& rng) {
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

void F2saP::step(Problem& p, Rng& rng, Index) {
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

}  // namespace bilevel
