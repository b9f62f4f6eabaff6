// Perturbed F2BA (f2ba paper, Algorithm 2): F2BA plus ball perturbations, which escape strict
// saddles and find (eps, sqrt(rho eps))-second-order stationary points of the penalty proxy
// L*_lam (Proposition 5.1), hence of phi for lam large enough (Theorem 5.1).
//
// Each outer iteration t runs Algorithm 1's lines 3-9 (K inner steps, then the estimate
// d_t of grad L*_lam(x_t)); then (lines 10-14)
//     if ||d_t|| <= 4/5 eps and t - t' > T_pert:   sample xi_t uniformly from the ball B(r),
//                                                   x_t <- x_t - eta xi_t,  t' <- t
//     x_{t+1} = x_t - eta d_t.
// So a perturbation iteration moves x by -eta (xi_t + d_t): the estimate d_t of line 9 is not
// recomputed at the perturbed point (that would cost a second inner loop; line 14 uses the
// d_t already computed). The pseudo-code leaves t' implicit: here t' is the iteration of the
// last perturbation, and the first one may happen at t = 0.
//
// xi_t is uniform in the ball (not on its sphere): a Gaussian direction normalized, radius
// r U^(1/d) with U uniform in [0, 1).
//
// Defaults (Proposition 5.1, eq. (7)) with L = 1/eta (the proposition sets eta = 1/L) and
// d = dim x:
//     iota   = the smallest integer >= 1 with
//              delta >= L sqrt(d) / sqrt(rho eps) iota^2 2^(8 - iota),
//     r      = eps / (400 iota^3),
//     T_pert = ceil(iota L / sqrt(rho eps)).
// rho, the Hessian-Lipschitz constant of L*_lam, is an option (no problem reports it): 1 gives
// Theorem 5.1's (eps, sqrt(eps)) target. The accuracy (8) the proposition asks of d_t is not
// enforced: K is fixed, as in f2ba.
//
// Oracle calls per outer iteration: those of F2BA, K + 1 gradients of f and 2K + 2 of g; a
// perturbation costs none.
#pragma once

#include "bilevel/algorithms/f2ba.hpp"

namespace bilevel {

// eps = 1e-6, the target of every deterministic method's defaults; it also sets the auto lam
// (f2ba.hpp: min(kappa^3/eps, 1e8)).
struct Pf2baOptions {
  F2baOptions f2ba;
  double eps = 1e-6;
  double rho = 1.0;
  double delta = 0.1;
  Auto iota;
  Auto r;
  Auto T_pert;

  void declare(OptionList& o);
};

// Fills *xi (its size is the dimension) with a draw uniform in the ball of radius r.
void sample_uniform_ball(double r, Rng& rng, Vec* xi);

// Prop. 5.1's auto iota: the smallest integer iota >= 1 with
// delta >= L sqrt(d) / sqrt(rho eps) iota^2 2^(8 - iota).
double perturbation_iota(double L, Index d, double rho, double eps, double delta);

// One run of pf2ba: f2ba's iteration and the record of the perturbations.
class Pf2baRun : public MethodRun {
 public:
  Pf2baRun(const Pf2baOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
           RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("iteration", it_)("perturbations", perturbations_);
    a("last_perturbation", last_perturbation_)("xi", xi_);
  }
  const Vec& x() const override { return it_.x(); }
  const Vec& y() const override { return it_.z(); }
  std::vector<std::pair<std::string, double>> counters() const override;

  // Perturbations so far, the iteration of the last one (-1 if none) and its xi.
  Index perturbations() const { return perturbations_; }
  Index last_perturbation_iter() const { return last_perturbation_; }
  const Vec& last_perturbation() const { return xi_; }

 private:
  PenaltyIteration it_;
  double eta_, eps_, r_;
  Index T_pert_;
  Index perturbations_ = 0;
  Index last_perturbation_ = -1;
  Vec xi_;
};

class Pf2ba : public Method<Pf2ba, Pf2baOptions, Pf2baRun> {
 public:
  static constexpr const char* kName = "pf2ba";
  static constexpr const char* kDescription =
      "perturbed F2BA: F2BA plus ball perturbations near stationary points, for second-order "
      "stationarity (f2ba paper, Alg. 2)";
  using Method::Method;
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override;
};

}  // namespace bilevel
