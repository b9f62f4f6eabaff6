#include "bilevel/hard/hard_chain.hpp"

#include <algorithm>

#include "bilevel/core/error.hpp"
#include "bilevel/hard/probability_p.hpp"

namespace bilevel {

using hard::ZeroChain;

void ChainScaleOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("eps", eps,
        "accuracy made hard: ||grad phi|| > eps until the chain is walked; sets the chain length "
        "T = floor(delta L_f / (1824 eps^2))",
        C::positive())
      .add("L_f", L_f, "smoothness of the zero-chain F = phi", C::positive())
      .add("delta", delta, "optimality gap phi(0) - inf phi <= delta", C::positive())
      .rule([this](Violations& v) {
        if (eps > 0 && L_f > 0 && delta > 0 && hard::scaled_chain_length(L_f, delta, eps) < 1)
          v.check(false, "eps=" + format_double(eps) + " leaves an empty chain for delta=" +
                             format_double(delta) + ", L_f=" + format_double(L_f) +
                             ": need eps <= sqrt(delta L_f / 1824)");
      });
}

// --- common part ----------------------------------------------------------------------------

HardChainProblem::HardChainProblem(const ChainScaleOptions& scale, double sigma)
    : chain_(scale.L_f, scale.delta, scale.eps),
      p_(hard::keep_probability(chain_.grad_inf_bound(), sigma)) {}

std::vector<std::string> HardChainProblem::metric_names() const {
  return {"active_x", "active_y", "chain_progress"};
}

std::vector<double> HardChainProblem::metrics(const Vec& x, const Vec& y) const {
  return {static_cast<double>(hard::active_count(x)), static_cast<double>(hard::active_count(y)),
          static_cast<double>(chain_progress(x, y))};
}

bool HardChainProblem::closed_form_hypergradient(const Vec& x, Vec* g) const {
  chain_.gradient(x, g);
  return true;
}

bool HardChainProblem::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  *h = chain_.hessian(x);
  return true;
}

ProblemConstants HardChainProblem::chain_constants(double mu, double L_f, double mu_fy) const {
  ProblemConstants c;
  c.mu_g = mu;
  c.L_g = mu;
  c.L_f = L_f;
  c.mu_fy = mu_fy;
  c.L_phi = chain_.smoothness();
  return c;
}

void HardChainProblem::append_derived(OptionValues* kv) const {
  kv->push_back({"T", chain_.dim()});
  kv->push_back({"lam", chain_.lam()});
  kv->push_back({"G", chain_.grad_inf_bound()});
  kv->push_back({"p", p_});
  // Every link must be revealed by a call of the carrying oracle, each with probability p.
  kv->push_back({"chain_calls", static_cast<double>(chain_.dim()) / p_});
}

// --- hard-carmon, hard-arjevani -------------------------------------------------------------

void HardCarmonOptions::declare(OptionList& o) {
  scale.declare(o);
  o.add("mu", mu, "g = mu/2 ||y - x||^2: strong convexity and smoothness of g in y",
        Constraint::positive());
}

void HardArjevaniOptions::declare(OptionList& o) {
  carmon.declare(o);
  o.add("sigma", sigma,
        "variance bound of the probability-p oracle of grad_y f: p = G^2 / (G^2 + sigma^2), "
        "G = 23 eps (0 is the exact oracle)",
        Constraint::non_negative());
}

HardCarmon::HardCarmon(const HardCarmonOptions& o)
    : HardChainProblem(o.scale, 0.0), o_{o, 0.0}, stochastic_(false) {}

HardCarmon::HardCarmon(const HardArjevaniOptions& o)
    : HardChainProblem(o.carmon.scale, o.sigma), o_(o), stochastic_(true) {}

ProblemConstants HardCarmon::constants() const {
  return chain_constants(o_.carmon.mu, chain_.smoothness(), -chain_.smoothness());  // f = F(y)
}

OptionValues HardCarmon::option_values() const {
  if (stochastic_) return values_with_derived(o_);
  return values_with_derived(o_.carmon);
}

bool HardCarmon::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  if (sigma != 0.0) return false;  // sigma F(y) + mu/2 ||y - x||^2: no closed form
  *y = x;
  return true;
}

Index HardCarmon::chain_progress(const Vec& x, const Vec& y) const {
  return std::max(ZeroChain::progress(x), ZeroChain::progress(y));
}

double HardCarmon::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  if (fn == Fn::kF) return chain_.value(y);
  return 0.5 * o_.carmon.mu * (y - x).squaredNorm();
}

void HardCarmon::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                         Vec* gy) const {
  if (fn == Fn::kF) {
    if (gx) gx->setZero(x.size());
    if (gy) chain_.stochastic_gradient(y, b.noise_seed, p_, gy);
    return;
  }
  if (gx) *gx = -o_.carmon.mu * (y - x);
  if (gy) *gy = o_.carmon.mu * (y - x);
}

bool HardCarmon::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                        const Batch&, Vec* out) const {
  if (fn == Fn::kF) {  // f = F(y): only the yy block
    if (block == Block::kYY)
      chain_.hessian_product(y, v, out);
    else
      out->setZero(block == Block::kYX ? y.size() : x.size());
    return true;
  }
  // g = mu/2 ||y - x||^2: mu I on the diagonal blocks, -mu I on the others.
  const double mu = o_.carmon.mu;
  *out = (block == Block::kYY || block == Block::kXX ? mu : -mu) * v;
  return true;
}

bool HardCarmon::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch&, Mat* hxx,
                            Mat* hxy, Mat* hyy) const {
  const Index T = x.size();
  const double m = fn == Fn::kF ? 0.0 : o_.carmon.mu;
  if (hxx) *hxx = m * Mat::Identity(T, T);
  if (hxy) *hxy = -m * Mat::Identity(T, T);
  if (hyy) *hyy = fn == Fn::kF ? chain_.hessian(y) : Mat(m * Mat::Identity(T, T));
  return true;
}

// --- hard-separable ---------------------------------------------------------------------------

void HardSeparableOptions::declare(OptionList& o) {
  scale.declare(o);
  o.add("mu", mu, "g = mu/2 y^2", Constraint::positive())
      .add("sigma", sigma,
           "variance bound of the probability-p oracle of grad_x f: p = G^2 / (G^2 + "
           "sigma^2), G = 23 eps (0 is the exact oracle)",
           Constraint::non_negative());
}

HardSeparable::HardSeparable(const HardSeparableOptions& o)
    : HardChainProblem(o.scale, o.sigma), o_(o) {}

ProblemConstants HardSeparable::constants() const {
  return chain_constants(o_.mu, chain_.smoothness(), 0.0);  // f = F(x) does not depend on y
}

OptionValues HardSeparable::option_values() const { return values_with_derived(o_); }

bool HardSeparable::closed_form_solution(const Vec&, double, Vec* y) const {
  *y = Vec::Zero(1);  // argmin_y sigma F(x) + mu/2 y^2 = 0 for every sigma
  return true;
}

Index HardSeparable::chain_progress(const Vec& x, const Vec&) const {
  return ZeroChain::progress(x);
}

double HardSeparable::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  if (fn == Fn::kF) return chain_.value(x);
  return 0.5 * o_.mu * y.squaredNorm();
}

void HardSeparable::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                            Vec* gy) const {
  if (fn == Fn::kF) {
    if (gx) chain_.stochastic_gradient(x, b.noise_seed, p_, gx);
    if (gy) gy->setZero(1);
    return;
  }
  if (gx) gx->setZero(x.size());
  if (gy) *gy = o_.mu * y;
}

bool HardSeparable::do_hvp(Fn fn, Block block, const Vec& x, const Vec&, const Vec& v,
                           const Batch&, Vec* out) const {
  // f = F(x) has only the xx block, g = mu/2 y^2 only the yy block.
  switch (block) {
    case Block::kYY: *out = fn == Fn::kF ? Vec::Zero(1) : Vec(o_.mu * v); break;
    case Block::kXY: out->setZero(x.size()); break;
    case Block::kYX: out->setZero(1); break;
    case Block::kXX:
      if (fn == Fn::kF)
        chain_.hessian_product(x, v, out);
      else
        out->setZero(x.size());
      break;
  }
  return true;
}

bool HardSeparable::do_hessian(Fn fn, const Vec& x, const Vec&, const Batch&, Mat* hxx,
                               Mat* hxy, Mat* hyy) const {
  const Index T = x.size();
  if (hxx) *hxx = fn == Fn::kF ? chain_.hessian(x) : Mat(Mat::Zero(T, T));
  if (hxy) hxy->setZero(T, 1);
  if (hyy) *hyy = Mat::Constant(1, 1, fn == Fn::kF ? 0.0 : o_.mu);
  return true;
}

// Carmon et al. (2020) for smooth nonconvex functions, quoted in ji, after Theorem 1.
std::vector<ComplexityBound> HardCarmon::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds("lower",
                         {{"eps", false, 2, "Omega(eps^-2)",
                           "Carmon et al. 2020, quoted in Ji (bilevel lower bounds), after "
                           "Theorem 1"}},
                         key, stochastic);
}

// Arjevani et al. (2023), probability-p zero-chain: f2sa-p Table 1 (lower bound row).
std::vector<ComplexityBound> HardArjevani::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds("lower",
                         {{"eps", true, 4, "Omega(eps^-4)",
                           "Arjevani et al. 2023, quoted in Chen, Li, Chayti & Zhang (F2SA-p), "
                           "Table 1"}},
                         key, stochastic);
}

std::vector<ComplexityBound> HardSeparable::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds(
      "lower", {{"eps", true, 4, "Omega(eps^-4)", "Chen, Li, Chayti & Zhang (F2SA-p), Theorem 4.1"}},
      key, stochastic);
}

}  // namespace bilevel
