// The Hessian of the penalty proxy L*_lam(x) = min_y h(x, y) - lam min_z g(x, z), h = f + lam g
// (fsba paper; DESIGN.md section 4), assembled from second-order oracles of f and g only.
//
// With y = y*_lam(x) and z = y*(x), the envelope theorem gives
//     grad L*_lam = grad_x h(x, y) - lam grad_x g(x, z),
// and differentiating once more, with dy/dx = -(Hyy h)^-1 Hyx h and dz/dx = -(Hyy g)^-1 Hyx g,
//     Hess L*_lam = S(h; x, y) - lam S(g; x, z),   S(q) = Hxx q - Hxy q (Hyy q)^-1 Hyx q,
// the Schur complement of q's Hessian on its y-block. No third derivatives appear. At inexact
// inner solutions y ~ y*_lam(x), z ~ y*(x) the same formula is what FSBA uses.
//
// Two routes to the same operator:
//  - penalty_hessian forms it densely (three dense-Hessian calls: f and g at y, g at z);
//  - PenaltyHessianProduct applies it to a vector from Hessian-vector products, with the two
//    y-block solves done by conjugate gradients (ifsba; no dense Hessian is ever formed).
#pragma once

#include "bilevel/core/problem.hpp"
#include "bilevel/linalg/cg.hpp"

namespace bilevel {

// hxx - hxy hyy^-1 hxy' for a symmetric positive definite hyy (Cholesky). Returns false, with
// *out untouched, when hyy is not numerically positive definite.
bool schur_complement(const Mat& hxx, const Mat& hxy, const Mat& hyy, Mat* out);

// The dense Hessian of L*_lam at x from the inner points y ~ y*_lam(x) and z ~ y*(x): three
// dense-Hessian oracle calls (f at (x, y), g at (x, y), g at (x, z)), full batches. Returns
// false when Hyy h(x, y) or Hyy g(x, z) is not positive definite (lam too small for f + lam g
// to be strongly convex in y, or a diverged inner point).
bool penalty_hessian(Problem& p, const Vec& x, const Vec& y, const Vec& z, double lam, Mat* out);

struct SchurCgOptions {
  Index max_iters = 100;  // CG iterations per y-block solve
  double tol = 1e-10;     // relative residual of each y-block solve
};

// u -> Hess L*_lam u at fixed (x, y, z) (held by reference: they must outlive the object),
// from Hessian-vector products (full batches). One product costs 6 + 2 (CG iterations)
// products on f and g at y, and 3 + (CG iterations) on g at z: hxx, hyx and hxy of h (each two
// oracle calls: f and g) and of g, plus Hyy products inside CG. The CG solves are warm-started
// from the previous product's solutions; each product is computed on u/||u|| and scaled back,
// so that the warm start is on the scale of the solution whatever ||u|| is.
class PenaltyHessianProduct {
 public:
  PenaltyHessianProduct(Problem& p, const Vec& x, const Vec& y, const Vec& z, double lam,
                        SchurCgOptions o = {});
  void apply(const Vec& u, Vec* out);
  // CG products over all products so far (in the solves with Hyy h at y, and with Hyy g at
  // z), and whether every solve met its tolerance.
  Index cg_iterations() const { return cg_h_ + cg_g_; }
  Index penalty_cg_iterations() const { return cg_h_; }
  bool all_converged() const { return all_converged_; }

 private:
  // out = S(q) u for q = h (at y) or g (at z); `sol` holds the warm start of its CG solve.
  void schur_product(bool penalty, const Vec& point, const Vec& u, Vec* sol, Vec* out);

  Problem& p_;
  const Vec& x_;
  const Vec& y_;
  const Vec& z_;
  double lam_;
  SchurCgOptions o_;
  Vec unit_, sol_h_, sol_g_, t1_, t2_, rhs_, part_h_, part_g_;
  Index cg_h_ = 0, cg_g_ = 0;
  bool all_converged_ = true;
};

}  // namespace bilevel
