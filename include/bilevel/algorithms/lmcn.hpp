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

#include "bilevel/core/method.hpp"
#include "bilevel/linalg/cubic.hpp"

namespace bilevel {

struct LmcnOptions {
  Index m = 10;
  Index K = 20;
  Auto alpha;
  double inner_tol = 0;
  Auto M;

  void declare(OptionList& o);
};

// One run of lmcn: y by AGD, x by lazy cubic Newton steps on P.
class LmcnRun : public MethodRun {
 public:
  LmcnRun(const LmcnOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
          RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("x", x_)("y", y_)("y_prev", y_prev_)("w", w_)("gx", gx_)("gy", gy_);
    a("solver", solver_)("refreshes", refreshes_);
  }
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }
  std::vector<std::pair<std::string, double>> counters() const override;

  double M() const { return o_.M.value_or(0); }
  Index hessian_refreshes() const { return refreshes_; }

 private:
  LmcnOptions o_;
  double alpha_, beta_;
  Vec x_, y_, y_prev_, w_, gx_, gy_;
  std::optional<DenseCubicSolver> solver_;
  Index refreshes_ = 0;
  RunContext* context_;  // for the warning of a failed refresh
};

class Lmcn : public Method<Lmcn, LmcnOptions, LmcnRun> {
 public:
  static constexpr const char* kName = "lmcn";
  static constexpr const char* kDescription =
      "lazy minimax cubic Newton on P(x) = max_y F(x, y), Hessian refreshed every m steps "
      "(minimax problems only; fsba paper, section 5)";
  using Method::Method;
  Requirements requirements() const override {
    Requirements r;
    r.minimax = true;
    r.dense_hessian = true;
    return r;
  }
};

}  // namespace bilevel
