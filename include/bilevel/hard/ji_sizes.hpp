// The sizes and constants of Ji's bilevel zero-chain (the `hard-ji` problems), derived from
// the class parameters (L_f, L_g, mu, Delta, eps) as in the proof of the paper's Theorem 1,
// with its unnamed numerical constants pinned down (docs/problems.md, section "hard-ji"):
//   n   = floor(sqrt((L_g - mu) / (4 mu)))            (block length; >= 1 needs kappa >= 5)
//   M   = ((4n^2 + 1) / n^2) (I/n^2 + A)^{-1},  m = M e_n   (y*^(i) = m x_i, exact)
//   C~  = 1:  C_l = n / M_{n,n},  C_r = n / M_{1,n}          (eq. (10))
//   L   = 152 max(C_l, C_r)^2      (||Hess_y f|| <= L_f: Carmon's 152 bounds the Gershgorin
//                                   row sum sup|d_aa| + sup|d_bb| + 2 sup|d_ab| = 151.26 of
//                                   the unit-scaled pair Hessians)
//   lam = eps L / (L_f n)          (||grad H|| >= eps while |x_T| < lam/n, Lemma 3)
//   T   = floor(Delta L / (12 lam^2 L_f))   (H(0) - inf H <= Delta, Lemma 4)
// so that H(x) = (lam^2 L_f / L) f_T(n x / lam) exactly (f_T = hard::ZeroChain(T)).
#pragma once

#include <string>

#include "bilevel/core/types.hpp"

namespace bilevel::hard {

// Carmon et al.'s bound on the Hessian of the zero-chain f_T (and of one pair term).
inline constexpr double kZeroChainHessianBound = 152.0;
// A Lipschitz constant of Hess f_T (our bound, docs/problems.md): D^3 f_T[u] is tridiagonal,
// and with |u_i| <= ||u|| = 1 its row sums are at most sup|t_aaa| + sup|t_bbb| +
// 3 sup|t_aab| + 3 sup|t_abb| for t(a, b) = Psi(-a)Phi(-b) - Psi(a)Phi(b):
// 457.72 * 4.1327 + e^1.5 + 3 * 32.387 * 1.6487 + 3 * 4.4571 = 2069.7 <= 2100.
inline constexpr double kZeroChainHessianLipschitz = 2100.0;

struct JiSizes {
  Index n = 0;     // block length of y^(i)
  Index T = 0;     // chain length: dim x = T, dim y = n (T + 1)
  double mu = 0;   // L_g / kappa, the strong convexity the class asks for
  double lam = 0;  // the scale lambda
  double C_l = 0, C_r = 0;
  double L = 0;        // f's normalizing constant
  Vec m;               // M e_n: the last column of M (y*^(i) = m x_i)
  double a = 0;        // L_g n^2 / (4n^2 + 1): g's y-Hessian is a (I/n^2 + A) per block
  double eig_min = 0;  // exact extreme eigenvalues of g's y-Hessian
  double eig_max = 0;
  double x0 = 0;  // the constant x_0 = lam / n feeding the chain

  // Throws InvalidOptions ("<owner>: ...", naming the options) when n < 1, T < 1 or T > 1e8.
  static JiSizes derive(double eps, double kappa, double L_g, double L_f, double delta,
                        const std::string& owner);
};

// The last column of (I/n^2 + A)^{-1} (A the n x n path Laplacian, A = 0 for n = 1), by the
// Thomas algorithm.
Vec laplacian_inverse_last_column(Index n);

}  // namespace bilevel::hard
