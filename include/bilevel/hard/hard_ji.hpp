// `hard-ji` and `hard-ji-stoch`: Ji's lower-bound instances for nonconvex-strongly-convex
// bilevel optimization (Ji, "Lower bounds ... NCSC bilevel", eq. (6) and (14)).
//
// x in R^T, y = [y^(0); ...; y^(T)] with y^(i) in R^n (sizes: hard/ji_sizes.hpp):
//   g = sum_{i=0}^T [ a/2 y^(i)' (I/n^2 + A) y^(i) - L_g x_i y^(i)_n ],  a = L_g n^2/(4n^2+1),
//   f = (lam^2 L_f / L) sum_{i=1}^T [ Psi(-C_l y_n^(i-1)/lam) Phi(-C_r y_1^(i)/lam)
//                                    - Psi(C_l y_n^(i-1)/lam) Phi(C_r y_1^(i)/lam) ],
// with the constant x_0 = lam/n. Then y*^(i) = m x_i (m = M e_n) and the hyper-objective is
// exactly H(x) = (lam^2 L_f / L) f_T(n x / lam), Carmon's zero-chain rescaled.
//
// The chain: g's block i is a path (A tridiagonal), f links y_n^(i-1) to y_1^(i), and g links
// y_n^(i) to x_i. From x = 0, y = 0, a zero-respecting method reaches coordinates in this
// order, one position per oracle call at most (chain_progress()):
//   y_n^(0) -> y_1^(1) -> y_2^(1) -> ... -> y_n^(1) -> {x_1, y_1^(2)} -> ... -> {x_T}
// so x_T stays 0 for the first T n + 1 calls, and ||grad H|| >= eps until then (Lemma 3).
//
// `hard-ji-stoch` is the same pair on the boxes X = {|x_i| <= r_x lam/n},
// Y = {|y_j| <= r_y lam} (r_x = 2, r_y = 20; y* lies inside, Lemma 6) with Theorem 2's
// probability-p oracle on g: the next chain coordinate's g-gradient entry is multiplied by
// xi/p (xi ~ Bernoulli(p) from the batch's noise seed), or, when that coordinate starts a
// block, the gradient entry of x_j (j = its block) is. f's oracles and all Hessian products
// are exact. p = G^2 / (G^2 + sigma^2) with G = 2 L_g r_y lam (Lemma 7(d)), so the oracle's
// variance is at most sigma^2 on X x Y.
#pragma once

#include <memory>

#include "bilevel/core/complexity_bounds.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/hard/ji_sizes.hpp"

namespace bilevel {

struct HardJiOptions {
  double eps = 0.02;
  double kappa = 100;
  double L_g = 1;
  double L_f = 1;
  double delta = 1;

  void declare(OptionList& o);
};

struct HardJiStochOptions {
  HardJiOptions ji;
  double sigma = 1;

  void declare(OptionList& o);
};

class HardJi : public Problem {
 public:
  explicit HardJi(const HardJiOptions& o = {});

  static constexpr const char* kName = "hard-ji";
  static constexpr const char* kDescription =
      "Ji's deterministic lower-bound chain: phi = rescaled Carmon zero-chain over x in R^T, "
      "g a path Laplacian per block y^(i) in R^n (n ~ sqrt(kappa)/2); Omega(kappa^1.5/eps^2)";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardJi>(*this); }
  Index dim_x() const override { return s_.T; }
  Index dim_y() const override { return s_.n * (s_.T + 1); }
  Index num_samples(Fn) const override { return 1; }
  ProblemConstants constants() const override { return constants_; }
  OptionValues option_values() const override;
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;

  // The largest T for which closed_form_hessian_phi returns the dense T x T Hessian, and the
  // largest dim y with dense Hessian blocks (for fsba; assembled from the analytic products).
  static constexpr Index kDenseHessianLimit = 2000;
  bool has_dense_hessian() const override { return dim_y() <= kDenseHessianLimit; }

  // sigma = 0 only: y*^(i) = m x_i. (sigma f + g is not quadratic; Diagnostics solves it.)
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  const hard::JiSizes& sizes() const { return s_; }
  // H(x) = (lam^2 L_f / L) f_T(n x / lam).
  double hyper_objective(const Vec& x) const;
  // The furthest chain position (order above; 1-based, 0 when x = 0 and y = 0) holding a
  // non-zero coordinate. Block 0 is the chain's start (x_0 feeds y_n^(0)): position 1.
  Index chain_progress(const Vec& x, const Vec& y) const;

 protected:
  // For hard-ji-stoch: errors name `owner`.
  HardJi(const HardJiOptions& o, const std::string& owner);

  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

  // x_i for i = 0..T (x_0 the constant).
  double x_at(const Vec& x, Index i) const { return i == 0 ? s_.x0 : x(i - 1); }
  // The index in y of y_j^(i) (j 0-based).
  Index yi(Index i, Index j) const { return i * s_.n + j; }
  OptionValues derived_values() const;
  // Hyy of f or g times v (the long block of do_hvp).
  void yy_product(Fn fn, const Vec& y, const Vec& v, Vec* out) const;

  HardJiOptions o_;
  hard::JiSizes s_;
  ProblemConstants constants_;
};

class HardJiStoch : public HardJi {
 public:
  explicit HardJiStoch(const HardJiStochOptions& o = {});

  static constexpr double kRx = 2.0;   // X's half-width in units of lam / n (> 1/C~ = 1)
  static constexpr double kRy = 20.0;  // Y's half-width in units of lam (>= 10 r_x)

  static constexpr const char* kName = "hard-ji-stoch";
  static constexpr const char* kDescription =
      "hard-ji on boxes X, Y with Theorem 2's probability-p oracle on g (variance <= "
      "sigma^2); metric grad_mapping; Omega(kappa^2.5 sigma^2/eps^4)";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardJiStoch>(*this); }
  OptionValues option_values() const override;
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  std::optional<Box> box_x() const override;
  std::optional<Box> box_y() const override;

  double keep_probability() const { return p_; }
  // G = 2 L_g r_y lam: the bound of Lemma 7(d) on g's gradient entries over X x Y.
  double gradient_bound() const { return 2 * o_.L_g * kRy * s_.lam; }
  // L_h ||P_X[x - grad H / L_h] - x||, L_h = L_phi: Theorem 2's stationarity measure.
  double gradient_mapping(const Vec& x) const;

 protected:
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;

 private:
  double sigma_;
  double p_;
};

}  // namespace bilevel
