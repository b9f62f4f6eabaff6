// hard-kwon: the y*-aware instance of Kwon et al. (the slides' "Lower Bounds" page; recalled
// in the Ji paper, section 5.2):
//     f(x, y) = y,   g(x, y) = mu/2 (y - F(x))^2,   y in R,
// with F the scaled zero-chain of hard/scaled_chain.hpp. y*(x) = F(x), so phi = F and
// grad phi = grad F; the penalty solution is closed-form too, argmin_y sigma y + g = F(x) -
// sigma/mu. Every piece of x-information reaches a method through
//     grad_x g = -mu (y - F(x)) grad F(x),
// whose size is proportional to the lower-level error |y - F(x)|. The stochastic oracle
// replaces grad F there by Arjevani's probability-p estimate; its variance,
// mu^2 (y - F)^2 G^2 (1 - p)/p, stays <= sigma^2 on the y*-aware neighbourhood
// |y - F(x)| <= eps when p = keep_probability(mu eps G, sigma): p shrinks like eps^4, which
// is how the y*-aware lower bound reaches eps^-6 (T ~ eps^-2 links, each revealed with
// probability p ~ eps^4). grad_y g and f's gradients are exact.
// g is mu-strongly convex and mu-smooth in y; its x-derivatives grow with |y - F(x)| (not
// globally smooth in x, as the f2sa-p paper remarks), so L_g reports the y-smoothness only.
#pragma once

#include <memory>

#include "bilevel/hard/hard_chain.hpp"

namespace bilevel {

struct HardKwonOptions {
  ChainScaleOptions scale;
  double mu = 1.0;
  double sigma = 0.0;

  void declare(OptionList& o);
};

class HardKwon : public HardChainProblem {
 public:
  explicit HardKwon(const HardKwonOptions& o);

  static constexpr const char* kName = "hard-kwon";
  static constexpr const char* kDescription =
      "Kwon et al.'s y*-aware instance: f = y, g = mu/2 (y - F(x))^2, y* = F(x); optional "
      "probability-p noise in grad_x g";
  // The oracle complexity this instance forces (core/complexity_bounds.hpp).
  static std::vector<ComplexityBound> lower_bounds(std::string_view key, bool stochastic);
  std::string name() const override { return kName; }
  std::unique_ptr<Problem> clone() const override { return std::make_unique<HardKwon>(*this); }
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
  HardKwonOptions o_;
};

}  // namespace bilevel
