#include "bilevel/problems/minimax.hpp"

namespace bilevel {

namespace {
// f = F, g = -F.
double sign_of(Fn fn) { return fn == Fn::kF ? 1.0 : -1.0; }

void negate_if_g(Fn fn, Vec* v) {
  if (fn == Fn::kG && v) *v = -*v;
}
void negate_if_g(Fn fn, Mat* m) {
  if (fn == Fn::kG && m) *m = -*m;
}
}  // namespace

bool MinimaxProblem::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  if (!(sigma >= 0.0 && sigma < 1.0)) return false;
  return maximizer(x, y);
}

bool MinimaxProblem::closed_form_hypergradient(const Vec& x, Vec* g) const {
  Vec ys;
  if (!maximizer(x, &ys)) return false;
  F_grad(x, ys, g, nullptr);
  return true;
}

bool MinimaxProblem::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  Vec ys;
  if (!has_dense_hessian() || !maximizer(x, &ys)) return false;
  *h = schur_hessian(x, ys);
  return true;
}

Mat MinimaxProblem::schur_hessian(const Vec& x, const Vec& y) const {
  Mat hxx, hxy, hyy;
  F_hessian(x, y, &hxx, &hxy, &hyy);
  // -Fyy is positive definite (strong concavity): Fxx - Fxy Fyy^{-1} Fyx = Fxx + Fxy (-Fyy)^{-1} Fyx.
  const Mat minus_hyy = -hyy;
  const Mat solved = minus_hyy.llt().solve(hxy.transpose());
  Mat h = hxx + hxy * solved;
  return 0.5 * (h + h.transpose());
}

double MinimaxProblem::do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const {
  return sign_of(fn) * F_value(x, y);
}

void MinimaxProblem::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch&, Vec* gx,
                             Vec* gy) const {
  F_grad(x, y, gx, gy);
  negate_if_g(fn, gx);
  negate_if_g(fn, gy);
}

bool MinimaxProblem::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                            const Batch&, Vec* out) const {
  switch (block) {
    case Block::kYY: F_hyy(x, y, v, out); break;
    case Block::kXY: F_hxy(x, y, v, out); break;
    case Block::kYX: F_hyx(x, y, v, out); break;
    case Block::kXX: {
      // The problems here are small: the dense xx block applied to u.
      Mat hxx;
      F_hessian(x, y, &hxx, nullptr, nullptr);
      *out = hxx * v;
      break;
    }
  }
  negate_if_g(fn, out);
  return true;
}

bool MinimaxProblem::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch&, Mat* hxx,
                                Mat* hxy, Mat* hyy) const {
  if (!has_dense_hessian()) return false;
  F_hessian(x, y, hxx, hxy, hyy);
  negate_if_g(fn, hxx);
  negate_if_g(fn, hxy);
  negate_if_g(fn, hyy);
  return true;
}

}  // namespace bilevel
