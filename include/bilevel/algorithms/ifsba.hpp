// IFSBA: inexact FSBA without Hessians (fsba paper, Algorithm 3 / Appendix E).
//
// The same cubic-regularized Newton iteration on the penalty proxy L*_lam as FSBA (fsba.hpp),
// but the Hessian is never formed: the cubic subproblem
//     min_s <d_t, s> + 1/2 s' Hess L*_lam(x_t) s + M/6 ||s||^3
// is solved by gradient descent on the model (Carmon-Duchi, linalg/cubic.hpp), and each
// product Hess L*_lam u is assembled from Hessian-vector products of f and g, the two y-block
// solves (Hyy of f + lam g at y, Hyy g at z) done by conjugate gradients
// (PenaltyHessianProduct). Its dense-Hessian count is zero by construction: memory and
// time per product are those of a few gradients, for any dimension.
//
// Per outer iteration: F2BA's gradient calls (K + 1 of f, 2K + 2 of g, fewer with inner_tol)
// and, for each of the cubic solver's products (its power iteration for ||H||, Cauchy point
// and descent steps), hxx/hyx/hxy products of f and g at y and of g at z plus 2 (at y) and 1
// (at z) products per CG iteration. M is resolved as FSBA's (m = 1).
#pragma once

#include "bilevel/algorithms/fsba.hpp"

namespace bilevel {

struct IfsbaOptions {
  FsbaOptions fsba;
  Index cg_iters = 100;
  double cg_tol = 1e-10;
  Index cubic_iters = 200;
  double cubic_tol = 1e-6;
  Auto cubic_L;

  void declare(OptionList& o);
};

// One run of ifsba: the cubic iteration with products only.
class IfsbaRun : public MethodRun {
 public:
  IfsbaRun(const IfsbaOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
           RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override {
    a("iteration", it_)("last_cubic", last_cubic_)("last_cg", last_cg_);
  }
  const Vec& x() const override { return it_.x(); }
  const Vec& y() const override { return it_.z(); }

  const CubicPenaltyIteration& iteration() const { return it_; }
  // The cubic solver's report and the CG iterations of the last outer iteration.
  const CubicGdResult& last_cubic() const { return last_cubic_; }
  Index last_cg_iterations() const { return last_cg_; }

 private:
  IfsbaOptions o_;
  CubicPenaltyIteration it_;
  CubicGdResult last_cubic_;
  Index last_cg_ = 0;
};

class Ifsba : public Method<Ifsba, IfsbaOptions, IfsbaRun> {
 public:
  static constexpr const char* kName = "ifsba";
  static constexpr const char* kDescription =
      "inexact FSBA: cubic Newton on the penalty proxy from Hessian-vector products and CG "
      "only, no dense Hessians (fsba paper, Alg. 3)";
  using Method::Method;
  // Each product with the proxy's Hessian is made of hxx, hyx, hxy, hyy products of f and g.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
};

}  // namespace bilevel
