// The two recursive estimators of mrbo and vrbo (Yang, Ji & Liang, NeurIPS 2021):
//     v ~ grad_y g(x, y)   and   u ~ grad phi(x) (the Neumann hypergradient h(x, y) of
//     neumann_hypergradient.hpp),
// refreshed from new samples, or corrected along a move (x0, y0) -> (x, y) by the
// STORM / SARAH recursion on one set of samples xi used at both points,
//     e <- e(x, y; xi) + (1 - w) (e - e(x0, y0; xi)),
// with w = 1 a fresh estimate, w = 0 the SARAH / SPIDER correction of vrbo, 0 < w < 1 the
// recursive momentum of mrbo. Sharing xi (minibatches, noise seeds and the Neumann batches)
// makes the difference small when the points are close: that is the variance reduction.
//
// Oracle calls: refresh_v 1 gradient of g; correct_v 2 gradients of g; refresh_u 1 gradient
// of f, Q Hyy and 1 Hxy products of g; correct_u twice that.
#pragma once

#include "bilevel/algorithms/building_blocks/neumann_hypergradient.hpp"

namespace bilevel {

class RecursiveEstimates {
 public:
  void configure(Index Q, double eta_N) { hypergrad_.configure(Q, eta_N); }

  void refresh_v(Problem& p, Sampler& sg, Rng& rng, const Vec& x, const Vec& y);
  void refresh_u(Problem& p, Sampler& sf, Sampler& sg, Rng& rng, const Vec& x, const Vec& y);
  void correct_v(Problem& p, Sampler& sg, Rng& rng, const Vec& x0, const Vec& y0, const Vec& x,
                 const Vec& y, double w);
  void correct_u(Problem& p, Sampler& sf, Sampler& sg, Rng& rng, const Vec& x0, const Vec& y0,
                 const Vec& x, const Vec& y, double w);

  const Vec& v() const { return v_; }
  const Vec& u() const { return u_; }
  void visit(StateArchive& a) {
    a("hypergradient", hypergrad_)("by", by_)("v", v_)("u", u_)("g_new", g_new_);
    a("g_old", g_old_)("h_new", h_new_)("h_old", h_old_);
  }

 private:
  NeumannHypergradient hypergrad_;
  HeldBatch by_;
  Vec v_, u_;
  Vec g_new_, g_old_, h_new_, h_old_;  // the two points' estimates (dy and dx)
};

}  // namespace bilevel
