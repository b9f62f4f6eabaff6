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

#include <string>
#include <vector>

#include "bilevel/hard/scaled_chain.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

// The scale shared by every chain instance.
struct ChainScaleOptions {
  double eps = 0.005;  // accuracy the instance makes hard: ||grad phi|| > eps until x_T >= lam
  double L_f = 1.0;    // smoothness of the zero-chain F (phi is L_f-smooth)
  double delta = 1.0;  // phi(0) - inf phi <= delta

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
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
  void append_derived(KeyValues* kv) const;
  // A problem's option_values(): its options (declared by `options`) and the derived sizes.
  template <class Options>
  KeyValues values_with_derived(Options options) const {
    OptionList list(name());
    options.declare(list);
    KeyValues kv = list.values();
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
  double mu = 1.0;  // g = mu/2 ||y - x||^2: mu_g = L_g = mu

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

struct HardArjevaniOptions : HardCarmonOptions {
  double sigma = 1.0;  // variance bound of grad_y f's probability-p oracle

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

// hard-carmon and hard-arjevani: f(x, y) = F(y), g(x, y) = mu/2 ||y - x||^2, so y*(x) = x and
// phi = F. grad_y f carries the chain (y_i waits for y_{i-1}), grad_x g copies it into x.
class HardCarmon : public HardChainProblem {
 public:
  explicit HardCarmon(const HardCarmonOptions& o);
  explicit HardCarmon(const HardArjevaniOptions& o);

  std::string name() const override { return stochastic_ ? "hard-arjevani" : "hard-carmon"; }
  Index dim_x() const override { return chain_.dim(); }
  Index dim_y() const override { return chain_.dim(); }
  ProblemConstants constants() const override;
  KeyValues option_values() const override;
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  Index chain_progress(const Vec& x, const Vec& y) const override;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
               Vec* gy) const override;
  void do_hyy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  void do_hxy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  void do_hyx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
              Vec* out) const override;
  void do_hxx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  HardArjevaniOptions o_;  // sigma = 0 for hard-carmon
  bool stochastic_;        // hard-arjevani
};

struct HardSeparableOptions {
  ChainScaleOptions scale;
  double mu = 1.0;     // g = mu/2 y^2
  double sigma = 1.0;  // variance bound of grad_x f's probability-p oracle (0: exact)

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

// hard-separable: f(x, y) = F(x), g(x, y) = mu/2 y^2 with y in R: y* = 0, phi = F, and every
// bilevel method is a single-level method on F with a probability-p oracle (the reduction of
// the f2sa-p paper's Theorem 4.1).
class HardSeparable : public HardChainProblem {
 public:
  explicit HardSeparable(const HardSeparableOptions& o);

  std::string name() const override { return "hard-separable"; }
  Index dim_x() const override { return chain_.dim(); }
  Index dim_y() const override { return 1; }
  ProblemConstants constants() const override;
  KeyValues option_values() const override;
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  Index chain_progress(const Vec& x, const Vec& y) const override;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
               Vec* gy) const override;
  void do_hyy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  void do_hxy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  void do_hyx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
              Vec* out) const override;
  void do_hxx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  HardSeparableOptions o_;
};

}  // namespace bilevel
