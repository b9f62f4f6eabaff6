#include "bilevel/linalg/cg.hpp"

#include <cmath>

namespace bilevel {

CgReport conjugate_gradient(const std::function<void(const Vec&, Vec*)>& apply, const Vec& b,
                            Vec* x, Index max_iter, double tol) {
  CgReport rep;
  if (x->size() != b.size()) *x = Vec::Zero(b.size());
  Vec r = b;
  Vec ap(b.size());
  if (!x->isZero(0.0)) {
    apply(*x, &ap);
    ++rep.iterations;
    r -= ap;
  }
  const double target = tol * std::max(b.norm(), 1e-300);
  double rr = r.squaredNorm();
  Vec p = r;
  while (std::sqrt(rr) > target && rep.iterations < max_iter) {
    apply(p, &ap);
    ++rep.iterations;
    const double pap = p.dot(ap);
    if (!(pap > 0)) break;  // not positive definite along p: stop with what we have
    const double a = rr / pap;
    *x += a * p;
    r -= a * ap;
    const double rr_new = r.squaredNorm();
    p = r + (rr_new / rr) * p;
    rr = rr_new;
  }
  rep.residual = std::sqrt(rr);
  rep.converged = rep.residual <= target;
  return rep;
}

}  // namespace bilevel
