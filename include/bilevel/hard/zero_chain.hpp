// Carmon et al.'s zero-chain (Lower bounds for finding stationary points I, Math. Prog. 2020),
// the building block of the lower-bound instances (DESIGN.md section 5; the Ji paper's
// Lemma 1 recalls it):
//     Psi(t) = 0 for t <= 1/2,  exp(1 - 1/(2t - 1)^2) for t > 1/2,
//     Phi(t) = sqrt(e) int_{-inf}^t exp(-s^2/2) ds,
//     f_T(x) = -Psi(1) Phi(x_1) + sum_{i=2}^T [Psi(-x_{i-1}) Phi(-x_i) - Psi(x_{i-1}) Phi(x_i)].
// Psi and all its derivatives vanish on t <= 1/2, so f_T is a zero-chain: if x_j = 0 for
// every j >= i, then the gradient is zero beyond coordinate i, and a method that only moves
// along gradients it has seen activates at most one new coordinate per oracle call. While
// |x_T| < 1 the gradient has norm > 1 (Carmon et al., Lemma 3), and f_T(0) - inf f_T <= 12 T.
#pragma once

#include "bilevel/core/types.hpp"

namespace bilevel::hard {

// Psi and Phi with their first two derivatives (k = 0, 1, 2).
double psi(double t, int k = 0);
double phi(double t, int k = 0);

// One link of the chain, t(u, w) = Psi(-u) Phi(-w) - Psi(u) Phi(w), with its first and (when
// `second`) second derivatives. A link whose u lies in [-1/2, 1/2] is exactly zero with all
// its derivatives: it returns at once without evaluating Phi, which makes the inactive tail
// of a long chain cheap.
struct Link {
  double value = 0, du = 0, dw = 0, duu = 0, dww = 0, duw = 0;
};
Link link(double u, double w, bool second);

class ZeroChain {
 public:
  explicit ZeroChain(Index T);  // T >= 1

  Index dim() const { return T_; }
  double value(const Vec& x) const;
  void gradient(const Vec& x, Vec* g) const;
  // out = Hess f_T(x) u (the Hessian is tridiagonal).
  void hessian_product(const Vec& x, const Vec& u, Vec* out) const;
  // Dense tridiagonal Hessian, for tests and small T.
  Mat hessian(const Vec& x) const;
  // The number of leading coordinates that are non-zero up to the last non-zero one: the
  // index (1-based) of the last non-zero coordinate, 0 for x = 0.
  static Index progress(const Vec& x);

 private:
  Index T_;
};

}  // namespace bilevel::hard
