#include "bilevel/algorithms/building_blocks/neumann_hypergradient.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void NeumannOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("eps", eps, "target ||grad phi|| the auto Q is chosen for", C::positive())
      .add("Q", Q,
           "Hessian-vector products in the Neumann series (Q + 1 terms: stocbio's sum over q = "
           "-1..Q-1); its bias shrinks like (1 - eta_N mu_g)^(Q+1) (stocBiO: Q = O(kappa "
           "log(1/eps)))",
           C::integer_at_least(0), rules::kappa_log_count(&eps, 10, 1000))
      .add("eta_N", eta_N, "Neumann series step, < 2/L_g for convergence", C::positive(),
           rules::inverse_L_g())
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)", C::non_negative())
      .add("batch_g", batch_g, "minibatch size for g, every g oracle (0 = full sum)",
           C::non_negative());
}

NeumannSetup::NeumannSetup(const Problem& p, double alpha_step, double beta_step,
                           const NeumannOptions& ns, RunContext& context)
    : alpha(alpha_step),
      beta(beta_step),
      eta_N(*ns.eta_N),
      sf(p.num_samples(Fn::kF), ns.batch_f),
      sg(p.num_samples(Fn::kG), ns.batch_g) {
  const ProblemConstants c = p.constants();
  if (c.L_g && eta_N * *c.L_g >= 2)
    context.warn("eta_N=" + format_double(eta_N) + " is not below 2/L_g = " +
                 format_short(2 / *c.L_g) + ": the Neumann series diverges");
}

void HeldBatch::draw(Sampler& s, Rng& rng) {
  const Batch b = s.draw(rng);
  indices_.assign(b.indices.begin(), b.indices.end());
  noise_seed_ = b.noise_seed;
}

Batch HeldBatch::batch() const {
  Batch b;
  b.indices = std::span<const Index>(indices_);
  b.noise_seed = noise_seed_;
  return b;
}

void neumann_series(Problem& p, const Vec& x, const Vec& y, const Vec& b, Index Q, double eta,
                    const std::function<Batch(Index)>& batch_of, NeumannWork* w, Vec* v) {
  w->term = b;
  *v = b;
  for (Index i = 1; i <= Q; ++i) {
    p.hyy(Fn::kG, x, y, w->term, batch_of(i), &w->hv);
    w->term -= eta * w->hv;
    *v += w->term;
  }
  *v *= eta;
}

void NeumannHypergradient::configure(Index Q, double eta) {
  Q_ = Q;
  eta_ = eta;
  bq_.resize(static_cast<std::size_t>(Q));
}

void NeumannHypergradient::draw(Sampler& sf, Sampler& sg, Rng& rng) {
  bf_.draw(sf, rng);
  for (HeldBatch& b : bq_) b.draw(sg, rng);
  bh_.draw(sg, rng);
}

void NeumannHypergradient::estimate(Problem& p, const Vec& x, const Vec& y, Vec* h) {
  p.grad(Fn::kF, x, y, bf_.batch(), &gfx_, &gfy_);
  neumann_series(
      p, x, y, gfy_, Q_, eta_,
      [this](Index j) { return bq_[static_cast<std::size_t>(j - 1)].batch(); }, &work_, &v_);
  p.hxy(Fn::kG, x, y, v_, bh_.batch(), &hxv_);
  *h = gfx_ - hxv_;
}

}  // namespace bilevel
