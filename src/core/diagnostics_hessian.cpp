// The second-order part of Diagnostics: Hess phi, its products and its smallest eigenvalue.
#include <Eigen/Eigenvalues>
#include <cmath>

#include "bilevel/core/diagnostics.hpp"

namespace bilevel {

Mat Diagnostics::hessian_phi(const Vec& x) {
  Mat h;
  if (p_.closed_form_hessian_phi(x, &h)) return h;
  const Index n = x.size();
  h.resize(n, n);
  Vec xp = x, xm = x;
  for (Index i = 0; i < n; ++i) {
    const double step = o_.fd_step * std::max(1.0, std::abs(x(i)));
    xp(i) = x(i) + step;
    xm(i) = x(i) - step;
    h.col(i) = (hypergradient(xp) - hypergradient(xm)) / (2 * step);
    xp(i) = xm(i) = x(i);
  }
  return 0.5 * (h + h.transpose());
}

Vec Diagnostics::hessian_phi_product(const Vec& x, const Vec& v) {
  Mat h;
  if (p_.closed_form_hessian_phi(x, &h)) return h * v;
  const double norm_v = v.norm();
  if (norm_v == 0) return Vec::Zero(x.size());
  // The points x +- h v lie fd_step max(1, ||x||) from x whatever the length of v, so the
  // product has the relative accuracy of a coordinate difference in hessian_phi.
  const double step = o_.fd_step * std::max(1.0, x.norm()) / norm_v;
  return (hypergradient(x + step * v) - hypergradient(x - step * v)) / (2 * step);
}

MinEigPhi Diagnostics::min_eig_phi(const Vec& x) {
  Mat closed;
  const bool has_closed = p_.closed_form_hessian_phi(x, &closed);
  MinEigMethod method = o_.min_eig_method;
  if (method == MinEigMethod::kAuto)
    method = has_closed || x.size() <= o_.dense_min_eig_limit ? MinEigMethod::kDense
                                                              : MinEigMethod::kLanczos;
  MinEigPhi out;
  out.method = method;

  if (method == MinEigMethod::kDense) {
    const Mat h = has_closed ? closed : hessian_phi(x);
    if (!h.allFinite()) {  // e.g. a problem whose hypergradient is unknown (NaN)
      out.converged = false;
      return out;
    }
    const Eigen::SelfAdjointEigenSolver<Mat> es(h);
    out.value = es.eigenvalues()(0);
    out.vector = es.eigenvectors().col(0);
    return out;
  }

  // The closed form is formed once here, not once per product.
  auto apply = [&](const Vec& v, Vec* hv) {
    *hv = has_closed ? Vec(closed * v) : hessian_phi_product(x, v);
  };
  LanczosOptions lo;
  lo.tol = o_.lanczos_tol;
  lo.max_iters = o_.lanczos_max_iters;
  const LanczosReport r = lanczos_min_eig(apply, x.size(), lo);
  out.value = r.value;
  out.vector = r.vector;
  out.products = r.iterations;
  out.converged = r.converged;
  return out;
}

}  // namespace bilevel
