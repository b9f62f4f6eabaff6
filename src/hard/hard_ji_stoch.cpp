// hard-ji-stoch: the boxes of eq. (13)-(14) and Theorem 2's probability-p oracle on g.
#include <cmath>

#include "bilevel/hard/probability_p.hpp"
#include "bilevel/hard/hard_ji.hpp"

namespace bilevel {

HardJiStoch::HardJiStoch(const HardJiStochOptions& o)
    : HardJi(o.ji, "hard-ji-stoch"),
      sigma_(o.sigma),
      p_(hard::keep_probability(gradient_bound(), o.sigma)) {}

OptionValues HardJiStoch::option_values() const {
  OptionValues kv = bilevel::option_values(HardJiStochOptions{o_, sigma_}, name());
  for (auto& d : derived_values()) kv.push_back(d);
  // The coin slows n - 1 of every n steps of the chain (eq. (16)): about (n - 1) T / p
  // calls in expectation, plus the T + 2 unslowed ones.
  const double T = static_cast<double>(s_.T), n = static_cast<double>(s_.n);
  for (auto& [k, v] : kv)
    if (k == "chain_calls") v = (n - 1) * T / p_ + T + 2;
  kv.push_back({"p", p_});
  kv.push_back({"r_x", kRx});
  kv.push_back({"r_y", kRy});
  return kv;
}

std::optional<Box> HardJiStoch::box_x() const {
  const double r = kRx * s_.lam / static_cast<double>(s_.n);
  return Box{Vec::Constant(dim_x(), -r), Vec::Constant(dim_x(), r)};
}

std::optional<Box> HardJiStoch::box_y() const {
  const double r = kRy * s_.lam;
  return Box{Vec::Constant(dim_y(), -r), Vec::Constant(dim_y(), r)};
}

std::vector<std::string> HardJiStoch::metric_names() const {
  auto names = HardJi::metric_names();
  names.emplace_back("grad_mapping");
  return names;
}

std::vector<double> HardJiStoch::metrics(const Vec& x, const Vec& y) const {
  auto values = HardJi::metrics(x, y);
  values.push_back(gradient_mapping(x));
  return values;
}

double HardJiStoch::gradient_mapping(const Vec& x) const {
  const double L_h = *constants_.L_phi;
  Vec g;
  closed_form_hypergradient(x, &g);
  Vec step = x - g / L_h;
  box_x()->project(&step);
  return L_h * (step - x).norm();
}

void HardJiStoch::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                          Vec* gy) const {
  HardJi::do_grad(fn, x, y, b, gx, gy);
  if (fn != Fn::kG || !b.noise_seed) return;
  // i*: the next coordinate of the chain in y, blocks 1..T (block 0 is fed by x_0 directly).
  const Index n = s_.n;
  const Index rel = hard::next_coordinate(y.tail(dim_y() - n));
  if (rel == dim_y() - n) return;  // every coordinate active: nothing left to hide
  const double scale = hard::bernoulli_scale(b.noise_seed, p_);
  const Index istar = n + rel;
  if (n >= 2 && istar % n == 0) {
    // i* = y_1^(j) starts block j: the paper perturbs d g / d x_j instead (its f-step
    // y_n^(j-1) -> y_1^(j) is not slowed; hence the (n - 1) T of eq. (16)).
    if (gx) (*gx)(istar / n - 1) *= scale;
  } else if (gy) {
    (*gy)(istar) *= scale;
  }
}

std::vector<ComplexityBound> HardJiStoch::lower_bounds(std::string_view key, bool stochastic) {
  return matching_bounds("lower",
                         {{"eps", true, 4, "Omega(kappa^(5/2) eps^-4)",
                           "Ji (bilevel lower bounds), Theorem 2"},
                          {"kappa", true, 2.5, "Omega(kappa^(5/2) eps^-4)",
                           "Ji (bilevel lower bounds), Theorem 2"}},
                         key, stochastic);
}

}  // namespace bilevel
