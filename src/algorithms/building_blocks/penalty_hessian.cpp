#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"

#include <Eigen/Cholesky>

namespace bilevel {

bool schur_complement(const Mat& hxx, const Mat& hxy, const Mat& hyy, Mat* out) {
  const Eigen::LLT<Mat> llt(hyy);
  if (llt.info() != Eigen::Success) return false;
  // hxy hyy^-1 hxy' = W'W with W = L^-1 hxy' (hyy = L L'): symmetric by construction.
  const Mat w = llt.matrixL().solve(hxy.transpose());
  *out = hxx;
  out->noalias() -= w.transpose() * w;
  return out->allFinite();
}

bool penalty_hessian(Problem& p, const Vec& x, const Vec& y, const Vec& z, double lam, Mat* out) {
  Mat fxx, fxy, fyy, gxx, gxy, gyy;
  p.hessian(Fn::kF, x, y, Batch{}, &fxx, &fxy, &fyy);
  p.hessian(Fn::kG, x, y, Batch{}, &gxx, &gxy, &gyy);
  Mat s_h;
  if (!schur_complement(fxx + lam * gxx, fxy + lam * gxy, fyy + lam * gyy, &s_h)) return false;
  p.hessian(Fn::kG, x, z, Batch{}, &gxx, &gxy, &gyy);
  Mat s_g;
  if (!schur_complement(gxx, gxy, gyy, &s_g)) return false;
  // The difference cancels about log10(lam) digits, and the products' rounding differs between
  // entries (i, j) and (j, i): at lam = 1e8 the asymmetry reaches 1e-9 of ||H||, which the
  // cubic solver rightly refuses. H is symmetric: keep its symmetric part.
  *out = s_h - lam * s_g;
  *out = (0.5 * (*out + out->transpose())).eval();
  return true;
}

PenaltyHessianProduct::PenaltyHessianProduct(Problem& p, const Vec& x, const Vec& y, const Vec& z,
                                             double lam, SchurCgOptions o)
    : p_(p), x_(x), y_(y), z_(z), lam_(lam), o_(o) {
  sol_h_ = Vec::Zero(p.dim_y());
  sol_g_ = Vec::Zero(p.dim_y());
}

void PenaltyHessianProduct::schur_product(bool penalty, const Vec& point, const Vec& u, Vec* sol,
                                          Vec* out) {
  const Batch full{};
  // A q-product of the xx, yx, yy or xy block: for h = f + lam g two oracle calls.
  auto product = [&](auto block, const Vec& v, Vec* res) {
    (p_.*block)(Fn::kG, x_, point, v, full, res);
    if (!penalty) return;
    *res *= lam_;
    (p_.*block)(Fn::kF, x_, point, v, full, &t1_);
    *res += t1_;
  };
  product(&Problem::hyx, u, &rhs_);
  const CgReport r =
      conjugate_gradient([&](const Vec& v, Vec* res) { product(&Problem::hyy, v, res); }, rhs_, sol,
                         o_.max_iters, o_.tol);
  (penalty ? cg_h_ : cg_g_) += r.iterations;
  all_converged_ = all_converged_ && r.converged;
  product(&Problem::hxx, u, out);
  product(&Problem::hxy, *sol, &t2_);
  *out -= t2_;
}

void PenaltyHessianProduct::apply(const Vec& u, Vec* out) {
  // The product is linear: apply it to u/||u|| and scale back. The CG solves are warm-started
  // from the previous product's solutions, and their tolerance is relative to the right-hand
  // side: a tiny u (the cubic step near a stationary point, where ||d|| ~ 1e-30) after a unit
  // one would leave the warm start's O(1e-16) rounding error in a solution of size 1e-30,
  // a product wrong by many orders of magnitude (ifsba diverged so on `saddle` after
  // converging). On unit vectors every solve starts within a comparable scale.
  const double n = u.norm();
  if (n == 0) {
    *out = Vec::Zero(u.size());
    return;
  }
  unit_ = u / n;
  schur_product(true, y_, unit_, &sol_h_, &part_h_);
  schur_product(false, z_, unit_, &sol_g_, &part_g_);
  *out = n * (part_h_ - lam_ * part_g_);
}

}  // namespace bilevel
