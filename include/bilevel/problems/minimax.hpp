// Minimax problems  min_x max_y F(x, y),  F nonconvex in x and strongly concave in y (the
// setting of LMCN, DESIGN.md section 4), posed as bilevel problems with
//     f = F,   g = -F.
// Then y*(x) = argmin_y g(x, .) = argmax_y F(x, .), phi(x) = F(x, y*(x)) = P(x) = max_y F(x, y),
// and the whole bilevel machinery applies unchanged: Diagnostics reports the exact P and
// ||grad P||, every bilevel method runs on them, and oracle calls are counted by level (a call
// on f counts as f, on g as g, though both evaluate F).
//
// Because grad_y F(x, y*(x)) = 0, the hypergradient is the partial gradient
//     grad P(x) = grad_x F(x, y*(x)),
// and its Hessian is the Schur complement of the strongly concave block,
//     Hess P(x) = [Fxx - Fxy Fyy^{-1} Fyx](x, y*(x)),
// which is what MinimaxProblem computes when a subclass gives y*(x) in closed form
// (subclasses with a cheaper explicit Hess P override closed_form_hessian_phi).
//
// The penalty solution argmin_y sigma f + g = argmin_y -(1 - sigma) F is y*(x) again for every
// sigma in [0, 1) (a positive multiple of -F); for sigma >= 1 it does not exist (sigma = 1: every
// y; sigma > 1: unbounded below), and closed_form_solution declines.
//
// Subclasses implement the oracles of F once (protected F_* virtuals); this class answers the
// f and g oracles from them, negating for g. Minimax problems here are deterministic and not
// finite sums: batches are ignored.
#pragma once

#include "bilevel/core/problem.hpp"

namespace bilevel {

class MinimaxProblem : public Problem {
 public:
  Index num_samples(Fn) const override { return 1; }
  bool has_dense_hessian() const override { return true; }
  bool is_minimax() const override { return true; }

  // y*(x) for sigma in [0, 1) when the subclass knows it (maximizer()).
  bool closed_form_solution(const Vec& x, double sigma, Vec* y) const override;
  // grad_x F(x, y*(x)).
  bool closed_form_hypergradient(const Vec& x, Vec* g) const override;
  // The Schur complement at y*(x) from the dense Hessian blocks of F.
  bool closed_form_hessian_phi(const Vec& x, Mat* h) const override;

  // F itself, uncounted (evaluation and tests).
  double objective(const Vec& x, const Vec& y) const { return F_value(x, y); }
  // Fxx - Fxy Fyy^{-1} Fyx at (x, y): the Hessian of P when y = y*(x).
  Mat schur_hessian(const Vec& x, const Vec& y) const;

 protected:
  // --- the oracles of F (uncounted; the public Problem oracles count) -----------------
  virtual double F_value(const Vec& x, const Vec& y) const = 0;
  // Either pointer may be null.
  virtual void F_grad(const Vec& x, const Vec& y, Vec* gx, Vec* gy) const = 0;
  // out = Fyy v;  out = Fxy v (in R^dx);  out = Fyx u (in R^dy).
  virtual void F_hyy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const = 0;
  virtual void F_hxy(const Vec& x, const Vec& y, const Vec& v, Vec* out) const = 0;
  virtual void F_hyx(const Vec& x, const Vec& y, const Vec& u, Vec* out) const = 0;
  // Dense blocks Fxx (dx x dx), Fxy (dx x dy), Fyy (dy x dy); any pointer may be null.
  virtual void F_hessian(const Vec& x, const Vec& y, Mat* hxx, Mat* hxy, Mat* hyy) const = 0;
  // y*(x) = argmax_y F(x, y) in closed form; false when there is none.
  virtual bool maximizer(const Vec& /*x*/, Vec* /*y*/) const { return false; }

  // --- Problem's oracles, answered from F ---------------------------------------------
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;
};

}  // namespace bilevel
