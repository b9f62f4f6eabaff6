// `dro-logistic`: distributionally robust logistic regression with a nonconvex regularizer,
// the nonconvex-strongly-concave minimax experiment of the second-order minimax literature
// (Luo et al. 2022, after SREDA, Luo et al. 2020), posed as a bilevel problem with f = F,
// g = -F (minimax.hpp). On n training samples (a_i, b_i), b_i in {-1, +1}, with
// a~_i = [a_i; 1] (a bias term) and x = [w; bias] in R^(d+1):
//     F(x, y) = sum_i y_i l_i(x) - lam1/2 ||n y - 1||^2 + R(x),
//     l_i(x)  = log(1 + exp(-b_i <a~_i, x>))                  (logistic loss),
//     R(x)    = lam2 sum_{j <= d} alpha w_j^2 / (1 + alpha w_j^2)   (nonconvex; bias excluded).
//
// Deviation from the papers: there y ranges over the probability simplex. Here y is
// unconstrained (a chi-square-penalized reweighting of the samples), so that F is smooth and
// lam1 n^2-strongly concave on all of R^n and P has the unconstrained Schur-complement Hessian
// that LMCN uses. Everything is then closed-form: with l = (l_i(x)),
//     y*(x)   = 1/n + l(x) / (lam1 n^2),
//     P(x)    = mean_i l_i + ||l||^2 / (2 lam1 n^2) + R(x),
//     grad P  = sum_i y*_i grad l_i + grad R,      grad l_i = -s_i b_i a~_i,
//     Hess P  = sum_i [y*_i s_i (1 - s_i) + s_i^2 / (lam1 n^2)] a~_i a~_i' + Hess R,
// where s_i = sigmoid(-b_i <a~_i, x>). So P is the mean loss plus a mean-square penalty that
// weights the hard samples more (lam1 = 1/n: P = mean(l + l^2/2) + R).
//
// Defaults: lam2 = 1e-3 and alpha = 10 as in those experiments; lam1 = auto = 1/n. (Their
// lam1 = 1/n^2 relies on the simplex to keep y a distribution: unconstrained, it would make
// y*_i = 1/n + l_i, O(1) weights each; 1/n keeps y* = (1 + l_i)/n near the uniform weights.)
// Start: x0 = 0, y0 = the uniform weights 1/n.
//
// Constants, with n = n_train, lam_A = lambda_max(sum_i a~_i a~_i') (exact, from the small
// (d+1) x (d+1) Gram matrix), c_l = sup_z l(z) s(z)(1 - s(z)) = 0.26035 (l(z) = log(1 + e^-z),
// s(z) = 1/(1 + e^z); we use 0.261), and R's curvature in [-lam2 alpha/2, 2 lam2 alpha]:
//   mu_g = L_g = lam1 n^2                    (Fyy = -lam1 n^2 I exactly);
//   L_phi = (1/(4n) + (c_l + 1)/(lam1 n^2)) lam_A + 2 lam2 alpha
//           (each weight in Hess P is <= s(1-s)/n + (l s(1-s) + s^2)/(lam1 n^2)): global;
//   L_f   = max((1/(4n) + c_l/(lam1 n^2)) lam_A + 2 lam2 alpha, lam1 n^2) + sqrt(lam_A):
//           a bound of ||Hess F|| on the graph {(x, y*(x))} only. F's Hessian is unbounded
//           elsewhere (Fxx grows linearly with y, which is unconstrained), so no global L_f
//           exists; this is the smoothness that matters near the solution path;
//   rho_phi = (c1/n + c2/(lam1 n^2)) max_i ||a~_i|| lam_A + lam2 alpha^(3/2) c3, a bound of the
//           Lipschitz constant of Hess P: a sample's weight y*_i s_i(1 - s_i) + s_i^2/(lam1 n^2)
//           is a function of its margin z_i = b_i <a~_i, x> with slope <= c1/n + c2/(lam1 n^2)
//           (c1 = sup |(s(1-s))'| = 0.0962, c2 = sup |(l s(1-s) + s^2)'| = 0.3902), and
//           ||sum_i dw_i a~_i a~_i'|| <= max_i |dw_i| lam_A with |dw_i| <= slope ||a~_i|| ||dx||;
//           R's Hessian is diagonal with third derivative lam2 alpha^(3/2) h''' (h(t) =
//           t^2/(1 + t^2), c3 = sup |h'''| = 4.6685). It is the cubic methods' M (lmcn: m rho_phi;
//           step_defaults.hpp), in place of L_phi, a curvature bound without the units of M.
// Not a finite sum for the oracles (one component; batches are ignored); deterministic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/data/dataset.hpp"
#include "bilevel/problems/minimax.hpp"

namespace bilevel {

struct DroLogisticOptions {
  std::string dataset = "australian";
  Index n_train = 0;
  Auto n_test;  // "auto" (unset) = a quarter of the samples; 0 = no test set
  std::uint64_t seed = 0;
  Auto lam1;
  double lam2 = 1e-3;
  double alpha = 10.0;

  void declare(OptionList& o);
};

class DroLogistic : public MinimaxProblem {
 public:
  explicit DroLogistic(const DroLogisticOptions& o);

  static constexpr const char* kName = "dro-logistic";
  static constexpr const char* kDescription =
      "minimax distributionally robust logistic regression (f = F, g = -F) with a nonconvex "
      "regularizer and unconstrained chi-square-penalized sample weights y; closed-form y*, "
      "grad P, Hess P";
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<DroLogistic>(*this); }
  Index dim_x() const override { return a_.cols(); }
  Index dim_y() const override { return a_.rows(); }
  ProblemConstants constants() const override { return constants_; }
  OptionValues option_values() const override;
  Vec initial_y() const override;
  // train_loss (mean logistic loss), train_acc, test_loss, test_acc of the classifier x.
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  // Dense blocks (Fyy is n x n) only up to kDenseLimit training samples.
  bool has_dense_hessian() const override { return dim_y() <= kDenseLimit; }
  static constexpr Index kDenseLimit = 5000;
  // The explicit Hess P of the header ((d+1) x (d+1), for any n).
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  // P(x) by its formula.
  double max_value(const Vec& x) const;
  // The resolved lam1.
  double lam1() const { return lam1_; }
  // The training features with the bias column, [A, 1], and the labels +-1.
  const Mat& features() const { return a_; }
  const Vec& labels() const { return b_; }
  // sup_z l(z) s(z) (1 - s(z)), rounded up (see the header).
  static constexpr double kLossCurvatureBound = 0.261;
  // Slopes in the margin z of the two parts of a sample's weight in Hess P (header):
  // sup |d/dz s(1-s)| = 1/(6 sqrt 3) = 0.0962 and sup |d/dz (l s(1-s) + s^2)| = 0.3902; and
  // sup |h'''| = 4.6685 for R's h(t) = t^2/(1 + t^2) (rounded up).
  static constexpr double kWeightSlopeUniform = 0.0963;
  static constexpr double kWeightSlopeLoss = 0.391;
  static constexpr double kRegularizerThirdDerivative = 4.67;

 protected:
  double F_value(const Vec& x, const Vec& y) const override;
  void F_grad(const Vec& x, const Vec& y, Vec* gx, Vec* gy) const override;
  void F_hyy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const override;
  void F_hxy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const override;
  void F_hyx(const Vec& x, const Vec& y, const Vec& u, Vec* out) const override;
  void F_hessian(const Vec& x, const Vec& y, Mat* hxx, Mat* hxy, Mat* hyy) const override;
  bool maximizer(const Vec& x, Vec* y) const override;

 private:
  // Losses l_i and s_i = sigmoid(-margin_i) of the training samples at x.
  void losses(const Vec& x, Vec* l, Vec* s) const;
  double regularizer(const Vec& x) const;
  // grad R and the diagonal of Hess R (zero at the bias).
  Vec regularizer_grad(const Vec& x) const;
  Vec regularizer_curvature(const Vec& x) const;
  double n() const { return static_cast<double>(a_.rows()); }
  // Fyy = -lam1 n^2 I.
  double concavity() const { return lam1_ * n() * n(); }

  DroLogisticOptions o_;
  Mat a_, a_test_;  // [features, 1], one row per sample
  Vec b_, b_test_;  // labels +-1
  double lam1_ = 0;
  ProblemConstants constants_;
};

}  // namespace bilevel
