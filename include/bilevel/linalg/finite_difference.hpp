// Finite-difference stencils of any order p for the derivative at 0 (f2sa-p paper, Lemma 3.1):
// coefficients alpha_j on the integer nodes j with
//     sum_j alpha_j j^k = [k == 1]   for k = 0, ..., p,
// so that (1/nu) sum_j alpha_j psi(j nu) = psi'(0) + O(nu^p) for psi with a Lipschitz p-th
// derivative. Nodes: j = -p/2, ..., p/2 for even p (alpha_0 = 0: central differences) and
// j = -(p-1)/2, ..., (p+1)/2 for odd p (p = 1: the forward difference). F2SA-p runs one
// lower-level sequence per node with a non-zero coefficient.
//
// The coefficients are the derivatives at 0 of the Lagrange basis polynomials on the nodes,
// computed exactly in integer arithmetic (one integer numerator over one integer denominator
// per node) and rounded once to double.
#pragma once

#include <vector>

namespace bilevel {

struct FiniteDifferenceStencil {
  int order = 0;
  std::vector<int> nodes;      // j, increasing
  std::vector<double> alpha;   // alpha_j, same order
  // The nodes whose coefficient is not zero (even p: all but j = 0).
  std::vector<int> active_nodes() const;
};

// Throws InvalidOptions unless 1 <= p <= kMaxFiniteDifferenceOrder.
FiniteDifferenceStencil finite_difference_stencil(int p);

// Beyond 16 the exact integer products would overflow 64 bits; such orders are of no
// practical use (the paper's experiments stop at p = 10).
inline constexpr int kMaxFiniteDifferenceOrder = 16;

}  // namespace bilevel
