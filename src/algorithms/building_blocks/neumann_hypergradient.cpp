#include "bilevel/algorithms/building_blocks/neumann_hypergradient.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void NeumannOptions::declare(OptionList& o) {
  o.add("Q", Q, "Hessian-vector products in the Neumann series (>= 0)")
      .add("eta_N", eta_N, "Neumann series step, < 2/L_g for convergence; auto = 1/L_g")
      .add("batch_f", batch_f, "minibatch size for f (0 = full sum)")
      .add("batch_g", batch_g, "minibatch size for g, every g oracle (0 = full sum)");
}

void NeumannOptions::check(Violations& v) const {
  v.at_least("Q", Q, 0);
  v.positive_or_auto("eta_N", eta_N);
  v.at_least("batch_f", batch_f, 0);
  v.at_least("batch_g", batch_g, 0);
}

double NeumannOptions::resolved_eta(const ProblemConstants& c, const std::string& algo) const {
  return eta_N ? *eta_N : 1.0 / require_constant(c.L_g, "L_g", algo, "eta_N");
}

std::string NeumannSetup::resolve(const Problem& p, const Auto& alpha_opt, const Auto& beta_opt,
                                  const NeumannOptions& ns, const std::string& algo) {
  const ProblemConstants c = p.constants();
  alpha = alpha_opt ? *alpha_opt : 1.0 / require_constant(c.L_g, "L_g", algo, "alpha");
  beta = beta_opt ? *beta_opt : default_outer_step(c, algo, "beta");
  eta_N = ns.resolved_eta(c, algo);
  sf = Sampler(p.num_samples(Fn::kF), ns.batch_f);
  sg = Sampler(p.num_samples(Fn::kG), ns.batch_g);
  if (!c.L_g || eta_N * *c.L_g < 2) return "";
  return "eta_N=" + format_double(eta_N) + " is not below 2/L_g = " + format_short(2 / *c.L_g) +
         ": the Neumann series diverges";
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
