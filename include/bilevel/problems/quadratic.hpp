// `quadratic`: f and g are finite sums of random quadratics in z = (x, y),
//     f = (1/n_f) sum_j [ 1/2 z' F_j z + c_j' z ],   g = (1/n_g) sum_i [ 1/2 z' G_i z + d_i' z ],
// as in the public bilevel benchmark's simulated problem. The mean Hessians are built with
// prescribed spectra: G_yy has eigenvalues log-spaced in [mu, L] (so g is exactly
// mu-strongly convex and L-smooth in y, kappa = L/mu), the joint Hessian of g is positive
// semidefinite, and the joint Hessian of f has eigenvalues evenly spaced in [mu_f, L_f]
// (mu_f > 0 makes phi strongly convex: a unique stationary point). The components differ
// from the mean by centred random perturbations of spectral norm <= hetero * mu (g) and
// hetero * L_f (f), so minibatch oracles are genuinely stochastic while every component of
// g stays strongly convex in y for hetero < 1. Optional additive Gaussian gradient noise of
// variance E||xi||^2 = sigma^2 models the papers' bounded-variance oracle.
//
// Closed forms: y*(x) = -G_yy^{-1}(G_yx x + d_y), and with J = dy*/dx = -G_yy^{-1} G_yx,
//     grad phi = F_xx x + F_xy y* + c_x + J'(F_yx x + F_yy y* + c_y),
//     Hess phi = F_xx + F_xy J + J' F_yx + J' F_yy J.
#pragma once

#include <memory>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

struct QuadraticOptions {
  Index dx = 20;
  Index dy = 20;
  Index n_f = 100;
  Index n_g = 100;
  double mu = 0.1;
  double L = 1.0;
  double mu_f = 0.1;
  double L_f = 1.0;
  double hetero = 0.5;
  double sigma = 0.0;
  std::uint64_t seed = 0;

  void declare(OptionList& o);
};

class Quadratic : public Problem {
 public:
  explicit Quadratic(const QuadraticOptions& o = {});
  // One rank's shard (shard.hpp): the same instance (every rank generates it from the seed),
  // of which this rank keeps only its block of the components of f and of g, weighted so that
  // the mean over ranks is the whole problem. The constants are the whole problem's; the
  // closed forms are not offered (they are the whole problem's, not this shard's: a
  // distributed run's diagnostics solve on the mean over ranks). The gradient noise is drawn
  // on each rank (the mean over m ranks has variance sigma^2 / m).
  Quadratic(const QuadraticOptions& o, const Shard& shard);

  static constexpr const char* kName = "quadratic";
  static constexpr const char* kDescription =
      "finite sums of random quadratics; g mu-strongly convex in y; closed-form y*, grad phi, "
      "Hess phi; optional gradient noise sigma";
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<Quadratic>(*this); }
  Index dim_x() const override { return o_.dx; }
  Index dim_y() const override { return o_.dy; }
  Index num_samples(Fn fn) const override {
    return static_cast<Index>(fn == Fn::kF ? dF_.size() : dG_.size());
  }
  ProblemConstants constants() const override { return constants_; }
  Shard shard() const override { return shard_; }
  OptionValues option_values() const override;
  bool has_dense_hessian() const override { return true; }

  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  // The mean joint Hessian and linear term of f or g of the whole problem (for tests and docs).
  // A shard's full-batch terms are local_hessian / local_linear.
  const Mat& hessian_matrix(Fn fn) const { return fn == Fn::kF ? F_ : G_; }
  const Vec& linear_term(Fn fn) const { return fn == Fn::kF ? cf_ : cg_; }

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  // Mean Hessian and linear term of the batch (the full mean when the batch is full).
  void batch_terms(Fn fn, const Batch& b, Mat* H, Vec* c) const;
  // Rows [first, first + count) of H z + c, z = [x; y], for the batch, without forming the
  // batch Hessian (an inner step that needs only grad_y computes only the y rows: half the
  // work).
  void batch_affine(Fn fn, const Batch& b, const Vec& x, const Vec& y, Index first, Index count,
                    Vec* out) const;
  Vec joint(const Vec& x, const Vec& y) const;
  Mat jacobian() const;  // J = dy*/dx
  // The full batch's terms: the whole problem's, or this shard's weighted block.
  const Mat& local_hessian(Fn fn) const {
    return shard_.whole() ? hessian_matrix(fn) : (fn == Fn::kF ? F_local_ : G_local_);
  }
  const Vec& local_linear(Fn fn) const {
    return shard_.whole() ? linear_term(fn) : (fn == Fn::kF ? cf_local_ : cg_local_);
  }
  // Shard::weight of f's or g's components (1 for the whole problem).
  double weight(Fn fn) const { return fn == Fn::kF ? w_f_ : w_g_; }

  QuadraticOptions o_;
  Mat F_, G_;                   // mean joint Hessians of f and g
  Vec cf_, cg_;                 // mean linear terms
  std::vector<Mat> dF_, dG_;    // per-component Hessian deviations (sum to zero)
  std::vector<Vec> dcf_, dcg_;  // per-component linear deviations (sum to zero)
  Eigen::LLT<Mat> gyy_llt_;
  ProblemConstants constants_;
  Shard shard_;
  double w_f_ = 1, w_g_ = 1;
  Mat F_local_, G_local_;
  Vec cf_local_, cg_local_;
};

}  // namespace bilevel
