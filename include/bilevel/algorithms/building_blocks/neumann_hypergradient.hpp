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
// 1 Hxy product of g.
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

 private:
  std::vector<Index> indices_;
  std::optional<std::uint64_t> noise_seed_;
};

// Workspace of neumann_series: the current term and its product.
struct NeumannWork {
  Vec term, hv;
};

// v = eta sum_{i=0}^{Q} prod_{j=1}^{i} (I - eta Hyy g(x, y; batch_of(j))) b: Q products of g.
void neumann_series(Problem& p, const Vec& x, const Vec& y, const Vec& b, Index Q, double eta,
                    const std::function<Batch(Index)>& batch_of, NeumannWork* w, Vec* v);

// The options of the methods built on this estimator (stocbio, mrbo, vrbo), declared once.
struct NeumannOptions {
  Index Q = 10;       // Hyy products per series (>= 0)
  Auto eta_N;         // series step; auto = 1/L_g
  Index batch_f = 0;  // minibatch of f components; 0 = full
  Index batch_g = 0;  // minibatch of g components (every g oracle); 0 = full

  void declare(OptionList& o);
  void check(Violations& v) const;
  // eta_N, or 1/L_g when auto (InvalidOptions naming eta_N if the problem lacks L_g).
  double resolved_eta(const ProblemConstants& c, const std::string& algo) const;
};

// What stocbio, mrbo and vrbo resolve alike in init: the y step alpha (auto = 1/L_g), the
// x step beta (auto = default_outer_step), eta_N (auto = 1/L_g), and the samplers of batch_f
// and batch_g.
struct NeumannSetup {
  double alpha = 0, beta = 0, eta_N = 0;
  Sampler sf, sg;

  // Throws InvalidOptions naming the option when an auto needs a constant the problem lacks.
  // Returns a warning for the run ("" if none): eta_N >= 2/L_g makes the series diverge.
  std::string resolve(const Problem& p, const Auto& alpha_opt, const Auto& beta_opt,
                      const NeumannOptions& ns, const std::string& algo);
  // A copy of the options with the resolved values, for the run summary.
  template <class Options>
  Options echoed(Options o) const {
    o.alpha = alpha;
    o.beta = beta;
    o.ns.eta_N = eta_N;
    return o;
  }
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

 private:
  Index Q_ = 0;
  double eta_ = 0;
  HeldBatch bf_, bh_;
  std::vector<HeldBatch> bq_;  // B_1..B_Q
  NeumannWork work_;
  Vec gfx_, gfy_, v_, hxv_;
};

}  // namespace bilevel
