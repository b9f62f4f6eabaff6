// The lower-bound instances whose hyper-objective is a scaled zero-chain,
// phi(x) = F(x) = (L_f lam^2 / 152) f_T(x / lam) (hard/scaled_chain.hpp), lifted into bilevel
// problems in three ways (docs/problems.md, "Hard instances"):
//   hard-carmon     f = F(y),  g = mu/2 ||y - x||^2        (the chain runs through the lower level)
//   hard-arjevani   the same, with Arjevani's probability-p oracle for grad_y f
//   hard-separable  f = F(x),  g = mu/2 y^2                (the f2sa-p paper, section 4 / App. E;
//                   probability-p oracle for grad_x f when sigma > 0)
// hard-kwon (f = y, g = mu/2 (y - F(x))^2) is in hard_kwon.hpp. Each instance is built from
// (eps, L_f, delta): ||grad phi|| > eps while the chain's last coordinate x_T is below lam,
// phi(0) - inf phi <= delta, and phi is L_f-smooth, so a zero-respecting method needs at
// least T = floor(delta L_f / (1824 eps^2)) oracle calls (deterministic) or about T / p
// (probability p) before it can stop.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/complexity_bounds.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/hard/scaled_chain.hpp"

namespace bilevel {

// The scale shared by every chain instance.
struct ChainScaleOptions {
  double eps = 0.005;
  double L_f = 1.0;
  double delta = 1.0;

  void declare(OptionList& o);
};

// Common metrics and closed forms of the instances with phi = F(x).
class HardChainProblem : public Problem {
 public:
  Index num_samples(Fn) const override { return 1; }
  // Dense Hessians are T x T at most (tridiagonal Hess F), for the cubic methods.
  bool has_dense_hessian() const override { return true; }
  // active_x, active_y: non-zero coordinates of the iterate; chain_progress: the furthest
  // coordinate of the chain reached (the zero-chain argument: a zero-respecting method
  // advances it by at most one per oracle call of the function that carries the chain).
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  const hard::ScaledChain& chain() const { return chain_; }
  // Probability that the oracle reveals the next chain coordinate (1: deterministic).
  double keep_probability() const { return p_; }
  virtual Index chain_progress(const Vec& x, const Vec& y) const = 0;

 protected:
  HardChainProblem(const ChainScaleOptions& scale, double sigma);
  // The derived sizes, appended to a problem's option_values().
  void append_derived(OptionValues* kv) const;
  // A problem's option_values(): its options and the derived sizes.
  template <class Options>
  OptionValues values_with_derived(const Options& options) const {
    OptionValues kv = bilevel::option_values(options, name());
    append_derived(&kv);
    return kv;
  }
  // What every instance shares: g is mu-strongly convex and mu-smooth in y, phi = F is
  // L_phi = (the chain's L_f)-smooth; f's own smoothness and curvature floor in y differ.
  ProblemConstants chain_constants(double mu, double L_f, double mu_fy) const;

  hard::ScaledChain chain_;
  double p_;
};

struct HardCarmonOptions {
  ChainScaleOptions scale;
  double mu = 1.0;

  void declare(OptionList& o);
};

struct HardArjevaniOptions {
  HardCarmonOptions carmon;
  double sigma = 1.0;

  void declare(OptionList& o);
};

// hard-carmon and hard-arjevani: f(x, y) = F(y), g(x, y) = mu/2 ||y - x||^2, so y*(x) = x and
// phi = F. grad_y f carries the chain (y_i waits for y_{i-1}), grad_x g copies it into x.
class HardCarmon : public HardChainProblem {
 public:
  explicit HardCarmon(const HardCarmonOptions& o);
  explicit HardCarmon(const HardArjevaniOptions& o);

  static constexpr const char* kName = "hard-carmon";
  static constexpr const char* kDescription =
      "lower bound: Carmon et al.'s zero-chain F scaled to (eps, L_f, delta) in the lower "
      "level, f = F(y), g = mu/2 ||y - x||^2; phi = F, ||grad phi|| > eps until x_T moves";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  std::string name() const override { return stochastic_ ? "hard-arjevani" : kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardCarmon>(*this); }
  Index dim_x() const override { return chain_.dim(); }
  Index dim_y() const override { return chain_.dim(); }
  ProblemConstants constants() const override;
  OptionValues option_values() const override;
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  Index chain_progress(const Vec& x, const Vec& y) const override;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  HardArjevaniOptions o_;  // sigma = 0 for hard-carmon
  bool stochastic_;        // hard-arjevani
};

struct HardSeparableOptions {
  ChainScaleOptions scale;
  double mu = 1.0;
  double sigma = 1.0;

  void declare(OptionList& o);
};

// hard-arjevani: hard-carmon with the probability-p oracle (a name of its own for the registry).
class HardArjevani : public HardCarmon {
 public:
  static constexpr const char* kName = "hard-arjevani";
  static constexpr const char* kDescription =
      "hard-carmon with Arjevani et al.'s probability-p oracle for grad_y f (variance <= "
      "sigma^2): the chain advances with probability p per call";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  explicit HardArjevani(const HardArjevaniOptions& o) : HardCarmon(o) {}
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardArjevani>(*this); }
};

// hard-separable: f(x, y) = F(x), g(x, y) = mu/2 y^2 with y in R: y* = 0, phi = F, and every
// bilevel method is a single-level method on F with a probability-p oracle (the reduction of
// the f2sa-p paper's Theorem 4.1).
class HardSeparable : public HardChainProblem {
 public:
  explicit HardSeparable(const HardSeparableOptions& o);

  static constexpr const char* kName = "hard-separable";
  static constexpr const char* kDescription =
      "the f2sa-p paper's separable lower bound: f = F(x) with a probability-p oracle, g = "
      "mu/2 y^2";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardSeparable>(*this); }
  Index dim_x() const override { return chain_.dim(); }
  Index dim_y() const override { return 1; }
  ProblemConstants constants() const override;
  OptionValues option_values() const override;
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  Index chain_progress(const Vec& x, const Vec& y) const override;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  HardSeparableOptions o_;
};

}  // namespace bilevel
