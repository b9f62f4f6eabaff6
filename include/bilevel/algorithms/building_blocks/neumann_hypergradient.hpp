// The stochastic Neumann-series hypergradient estimator of stocBiO (Ji, Yang & Liang, ICML
// 2021, Alg. 3), shared by stocbio, mrbo and vrbo, and the truncated Neumann series it is
// built on (also aid-ns's adjoint solve).
//
// With b = grad_y f(x, y; B_f), the series
//     v = eta sum_{i=0}^{Q} prod_{j=1}^{i} (I - eta H_j) b,    H_j = Hyy g(x, y; B_j),
// approximates [Hyy g]^{-1} b with Q Hessian-vector products (one per term after the first),
// and the estimate is
//     h = grad_x f(x, y; B_f) - Hxy g(x, y; B_h) v.
// Oracle calls of one estimate: 1 gradient of f (both partials), Q Hyy products of g and
// 1 Hxy product of g. The series is not warm-started (the estimator is stocBiO's), so its
// truncation bias (1 - eta mu_g)^(Q+1) stays: the default Q is chosen from kappa for a target
// eps (stocBiO's Q = O(kappa log(1/eps)); rules::kappa_log_count).
//
// The momentum and variance-reduced methods (mrbo, vrbo) need the same estimate at two
// points on the same samples (a STORM / SARAH difference), so the samples of one estimate
// are drawn once and held (Sampler's batches are views valid only until the next draw).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/batch.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

// A drawn batch kept for reuse: its indices are copied into an owned buffer (no allocation
// once the buffer has grown to the batch size) together with its noise seed.
class HeldBatch {
 public:
  void draw(Sampler& s, Rng& rng);
  Batch batch() const;
  void visit(StateArchive& a) { a("indices", indices_)("noise_seed", noise_seed_); }

 private:
  std::vector<Index> indices_;
  std::optional<std::uint64_t> noise_seed_;
};

// Workspace of neumann_series: the current term and its product.
struct NeumannWork {
  Vec term, hv;
  void visit(StateArchive& a) { a("term", term)("hv", hv); }
};

// v = eta sum_{i=0}^{Q} prod_{j=1}^{i} (I - eta Hyy g(x, y; batch_of(j))) b: Q products of g.
void neumann_series(Problem& p, const Vec& x, const Vec& y, const Vec& b, Index Q, double eta,
                    const std::function<Batch(Index)>& batch_of, NeumannWork* w, Vec* v);

// The options of the methods built on this estimator (stocbio, mrbo, vrbo), a member of
// theirs.
struct NeumannOptions {
  double eps = 1e-6;
  Auto Q;
  Auto eta_N;
  Index batch_f = 0;
  Index batch_g = 0;

  void declare(OptionList& o);
};

// What stocbio, mrbo and vrbo set up alike from their resolved options: the y step alpha, the
// x step beta, the series step eta_N and the samplers of batch_f and batch_g. Warns (in
// `context`) when eta_N >= 2/L_g: the series diverges.
struct NeumannSetup {
  NeumannSetup(const Problem& p, double alpha, double beta, const NeumannOptions& resolved,
               RunContext& context);
  double alpha, beta, eta_N;
  Sampler sf, sg;
  void visit(StateArchive& a) { a("sf", sf)("sg", sg); }
};

class NeumannHypergradient {
 public:
  // Q products per series with step eta (< 2/L_g for the series to converge).
  void configure(Index Q, double eta);
  // Draws the samples of one estimate: B_f from sf; B_1..B_Q and B_h from sg, independent.
  void draw(Sampler& sf, Sampler& sg, Rng& rng);
  // h = the estimate at (x, y) on the samples of the last draw. Can be called at several
  // points for one draw.
  void estimate(Problem& p, const Vec& x, const Vec& y, Vec* h);
  // The series v of the last estimate (approximately [Hyy g]^{-1} grad_y f).
  const Vec& adjoint() const { return v_; }
  void visit(StateArchive& a) {
    a("bf", bf_)("bh", bh_)("bq", bq_)("work", work_)("gfx", gfx_)("gfy", gfy_)("v", v_);
    a("hxv", hxv_);
  }

 private:
  Index Q_ = 0;
  double eta_ = 0;
  HeldBatch bf_, bh_;
  std::vector<HeldBatch> bq_;  // B_1..B_Q
  NeumannWork work_;
  Vec gfx_, gfy_, v_, hxv_;
};

}  // namespace bilevel
