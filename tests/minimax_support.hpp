// Checks shared by the minimax problems' tests: the f = F, g = -F convention with counting by
// level, strong concavity of F in y, the closed-form y*, and the closed forms of P against
// Diagnostics' generic solvers.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/minimax.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel::testing {

inline double min_eigenvalue(const Mat& h) {
  return Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly).eigenvalues().minCoeff();
}
inline double max_abs_eigenvalue(const Mat& h) {
  return Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly)
      .eigenvalues()
      .cwiseAbs()
      .maxCoeff();
}

// Every g oracle is the negated f oracle, and each call counts once, on its own level.
inline void expect_g_is_minus_f_counted_by_level(Problem& p, const Vec& x, const Vec& y,
                                                 const Vec& v, const Vec& u) {
  p.reset_counts();
  const double fv = p.value(Fn::kF, x, y), gv = p.value(Fn::kG, x, y);
  EXPECT_NE(fv, 0.0);
  EXPECT_EQ(gv, -fv);
  Vec fx, fy, gx, gy;
  p.grad(Fn::kF, x, y, Batch{}, &fx, &fy);
  p.grad(Fn::kG, x, y, Batch{}, &gx, &gy);
  EXPECT_EQ(gx, (-fx).eval());
  EXPECT_EQ(gy, (-fy).eval());
  for (auto product : {&Problem::hyy, &Problem::hxy}) {
    Vec a, b;
    (p.*product)(Fn::kF, x, y, v, Batch{}, &a);
    (p.*product)(Fn::kG, x, y, v, Batch{}, &b);
    EXPECT_GT(a.norm(), 0.0);
    EXPECT_EQ(b, (-a).eval());
  }
  Vec a, b;
  p.hyx(Fn::kF, x, y, u, Batch{}, &a);
  p.hyx(Fn::kG, x, y, u, Batch{}, &b);
  EXPECT_EQ(b, (-a).eval());
  Mat fxx, fxy, fyy, gxx, gxy, gyy;
  p.hessian(Fn::kF, x, y, Batch{}, &fxx, &fxy, &fyy);
  p.hessian(Fn::kG, x, y, Batch{}, &gxx, &gxy, &gyy);
  EXPECT_EQ(gxx, (-fxx).eval());
  EXPECT_EQ(gxy, (-fxy).eval());
  EXPECT_EQ(gyy, (-fyy).eval());
  FunctionCounts one;
  one.value = 1;
  one.grad = 1;
  one.hvp = 3;
  one.hess = 1;
  one.samples = 6;  // every call touches the single component
  EXPECT_EQ(p.counts().f, one);
  EXPECT_EQ(p.counts().g, one);
}

// The eigenvalues of Fyy (the f-level yy block) lie in [-L_g, -mu_g].
inline void expect_strongly_concave(Problem& p, const Vec& x, const Vec& y) {
  const ProblemConstants k = p.constants();
  ASSERT_TRUE(k.mu_g && k.L_g);
  Mat fyy;
  p.hessian(Fn::kF, x, y, Batch{}, nullptr, nullptr, &fyy);
  const Vec eig = Eigen::SelfAdjointEigenSolver<Mat>(fyy, Eigen::EigenvaluesOnly).eigenvalues();
  EXPECT_LE(eig.maxCoeff(), -*k.mu_g * (1 - 1e-12));
  EXPECT_GE(eig.minCoeff(), -*k.L_g * (1 + 1e-12));
}

// y*(x) is a root of grad_y F, and every penalty solution with sigma in [0, 1) is y*(x); for
// sigma >= 1 (sigma f + g = (sigma - 1) F is not bounded below) there is none.
inline void expect_maximizer_is_stationary(MinimaxProblem& p, const Vec& x, double tol) {
  Vec ys, gy;
  ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
  p.grad(Fn::kF, x, ys, Batch{}, nullptr, &gy);
  EXPECT_LT(gy.norm(), tol);
  for (double sigma : {0.3, 0.99}) {
    Vec yl;
    ASSERT_TRUE(p.closed_form_solution(x, sigma, &yl));
    EXPECT_EQ(yl, ys);
  }
  Vec none;
  EXPECT_FALSE(p.closed_form_solution(x, 1.0, &none));
  EXPECT_FALSE(p.closed_form_solution(x, 2.0, &none));
  // A maximizer: F is lower at nearby points.
  const Vec step = 1e-3 * random_vector(p.dim_y(), 99);
  EXPECT_LT(p.objective(x, ys + step), p.objective(x, ys));
}

// The closed forms of a problem `exact` against the same problem without closed forms,
// `generic`, whose Diagnostics solve y* by Newton-CG, the implicit term by CG and Hess P by
// differences of that hypergradient: P, grad P against differences of the generic P and
// against the generic hypergradient, Hess P against differences of the generic hypergradient
// and against the base class's Schur complement.
inline void expect_closed_forms_match_generic(MinimaxProblem& exact, const Problem& generic,
                                              const Vec& x, double tol) {
  Diagnostics d(exact), g(generic);
  Vec grad;
  Mat hess;
  ASSERT_TRUE(exact.closed_form_hypergradient(x, &grad));
  ASSERT_TRUE(exact.closed_form_hessian_phi(x, &hess));
  Vec ys;
  ASSERT_TRUE(exact.closed_form_solution(x, 0.0, &ys));
  EXPECT_LT(rel_err(g.lower_solution(x), ys), tol);
  EXPECT_NEAR(g.phi(x), d.phi(x), tol * std::max(1.0, std::abs(d.phi(x))));
  EXPECT_LT(rel_err(grad, fd_gradient([&](const Vec& xx) { return g.phi(xx); }, x, 1e-4)),
            1e3 * tol);
  EXPECT_LT(rel_err(grad, g.hypergradient(x)), tol);
  const Mat fd = fd_jacobian([&](const Vec& xx) { return g.hypergradient(xx); }, x, 1e-4);
  EXPECT_LT((hess - fd).norm() / std::max(1.0, hess.norm()), 1e3 * tol);
  EXPECT_LT((hess - g.hessian_phi(x)).norm() / std::max(1.0, hess.norm()), 1e3 * tol);
  EXPECT_LT((hess - exact.schur_hessian(x, ys)).norm() / std::max(1.0, hess.norm()), tol);
}

// The InvalidOptions message for problem `name` with options kv, or "".
inline std::string problem_error(const std::string& name, const KeyValues& kv) {
  try {
    make_problem(name, kv);
  } catch (const InvalidOptions& e) {
    return e.what();
  }
  return "";
}

}  // namespace bilevel::testing
