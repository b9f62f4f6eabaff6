// LMCN: lazy minimax cubic-regularized Newton (fsba paper, section 5) for nonconvex-strongly-
// concave  min_x max_y F(x, y),  on P(x) = max_y F(x, y).
//
// Minimax problems are bilevel problems with f = F and g = -F (problems/minimax.hpp), so
// y*(x) = argmin_y g, P = phi, and with y = y*(x)
//     grad P = grad_x F = -grad_x g,
//     Hess P = Hxx F - Hxy F (Hyy F)^-1 Hyx F = -[Hxx g - Hxy g (Hyy g)^-1 Hyx g],
// the Schur complement of penalty_hessian.hpp, from one dense Hessian of g. Each iteration
//     y <- K warm-started Nesterov AGD steps on g(x, .)   (ascent on F, momentum restarted),
//     d = -grad_x g(x, y),
//     H = -S(g; x, y)  recomputed only when t is a multiple of m (lazy Hessian),
//     x <- x + argmin_s <d, s> + 1/2 s'Hs + M/6 ||s||^3   (DenseCubicSolver, factorized once
//                                                         per refresh).
// Default M as lfsba's: m times default_cubic_regularization (step_defaults.hpp).
//
// Oracle calls per iteration, all of g: K + 1 gradients (fewer with inner_tol) and, on
// refresh iterations, one dense Hessian. Deterministic (full batches).
#pragma once

#include <optional>

#include "bilevel/linalg/cubic.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct LmcnOptions {
  Index m = 10;          // Hessian refresh period (>= 1)
  Index K = 20;          // inner AGD steps per iteration (>= 1)
  Auto alpha;            // inner step; auto = 1/L_g
  double inner_tol = 0;  // end the inner loop once ||grad_y g|| <= inner_tol (>= 0; 0 = K steps)
  Auto M;                // cubic regularization; auto = m default_cubic_regularization

  void declare(OptionList& o);
  std::vector<std::string> validate() const;
};

class Lmcn : public Method<LmcnOptions> {
 public:
  using Method::Method;

  std::string name() const override { return "lmcn"; }
  std::string description() const override {
    return "lazy minimax cubic Newton on P(x) = max_y F(x, y), Hessian refreshed every m "
           "steps (minimax problems only; fsba paper, section 5)";
  }
  double M() const { return M_; }
  Index hessian_refreshes() const { return refreshes_; }

 protected:
  void init(Problem& p, const Vec& x0, const Vec& y0, Rng& rng) override;
  void step(Problem& p, Rng& rng, Index k) override;
  const Vec& current_x() const override { return x_; }
  const Vec& current_y() const override { return y_; }
  KeyValues resolved_options() override;

 private:
  double alpha_ = 0, beta_ = 0, M_ = 0;
  Vec x_, y_, y_prev_, w_, gx_, gy_;
  std::optional<DenseCubicSolver> solver_;
  Index refreshes_ = 0;
};

}  // namespace bilevel
