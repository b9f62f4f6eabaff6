// Carmon et al.'s zero-chain scaled to a function class: given L (the smoothness wanted),
// Delta (the optimality gap allowed) and eps (the accuracy to make hard),
//     F(x) = (L lam^2 / 152) f_T(x / lam),  lam = 152 eps / L,  T = floor(Delta L / (1824 eps^2)),
// the scaling of Carmon et al. (2020, Theorem 1) and Arjevani et al. (2023, eq. (9)):
//   - F is L-smooth: Hess f_T has norm <= 152 (Carmon et al., Lemma 3);
//   - ||grad F(x)|| = (L lam / 152) ||grad f_T(x / lam)|| > eps while |x_T| < lam;
//   - F(0) - inf F <= (L lam^2 / 152) 12 T <= Delta;
//   - ||grad F||_inf <= 23 L lam / 152 = 23 eps (Arjevani et al., Lemma 2: ||grad f_T||_inf
//     <= 23), the bound G of the probability-p oracle's variance G^2 (1 - p) / p.
// The hard instances lift F into bilevel problems (hard-carmon, hard-arjevani,
// hard-separable, hard-kwon).
#pragma once

#include <cstdint>
#include <optional>

#include "bilevel/core/types.hpp"
#include "bilevel/hard/zero_chain.hpp"

namespace bilevel::hard {

class ScaledChain {
 public:
  // Throws InvalidInput when the parameters are not positive or give T < 1 (eps too large
  // for Delta and L), naming the largest eps that works.
  ScaledChain(double L, double delta, double eps);

  Index dim() const { return chain_.dim(); }  // T
  double lam() const { return lam_; }
  double smoothness() const { return L_; }
  // G: the sup-norm bound of the gradient.
  double grad_inf_bound() const { return 23 * L_ * lam_ / 152; }

  double value(const Vec& x) const;
  void gradient(const Vec& x, Vec* g) const;
  // The probability-p estimate of the gradient (Arjevani et al., Lemma 3): the coordinate
  // next_coordinate(x) is scaled by xi / p, xi ~ Bernoulli(p) drawn from the seed; exact
  // without a seed.
  void stochastic_gradient(const Vec& x, const std::optional<std::uint64_t>& seed, double p,
                           Vec* g) const;
  void hessian_product(const Vec& x, const Vec& u, Vec* out) const;
  Mat hessian(const Vec& x) const;

 private:
  ZeroChain chain_;
  double L_, lam_;
};

// T = floor(Delta L / (1824 eps^2)) of the scaling above (0 when eps is too large).
Index scaled_chain_length(double L, double delta, double eps);

}  // namespace bilevel::hard
