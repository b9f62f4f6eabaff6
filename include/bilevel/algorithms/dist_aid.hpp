// Distributed AID (dist-aid): aid-cg on m agents, each holding a shard of the data, where
// every oracle the method calls is averaged over the agents in one allreduce (the HIGD idea
// of Chen, Huang, Ma & Balasubramanian, ICML 2023: a second-order method that communicates
// only vectors, never a Hessian). Every CG step multiplies by the averaged Hessian: one
// allreduce of d_y numbers per product. The agents then hold the same iterates, and the run
// is aid-cg on the whole problem with the same CG steps.
//
// Communication per outer iteration (d_x, d_y the dimensions, P the CG products: N on the
// first iteration, N + 1 after, fewer when cg_tol is reached):
//   rounds  K (grad_y g per inner step) + 1 (grad f, both partials stacked) + P + 1 (Hxy g v)
//   numbers K d_y + (d_x + d_y) + P d_y + d_x
// Oracle calls per rank are aid-cg's (aid.hpp); every rank makes the same calls, so the total
// over ranks is m times the per-rank counts in the trace.
#pragma once

#include "bilevel/algorithms/aid.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/core/rank_mean_problem.hpp"

namespace bilevel {

class DistAidRun : public AidRun {
 public:
  DistAidRun(const AidCgOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
             RunContext& context)
      : AidRun(resolved, p, x0, y0, rng, context),
        comm_(context.comm ? context.comm : &world_comm()) {}
  void step(Problem& p, Rng& rng, Index k) override {
    RankMeanProblem whole(p, *comm_, RankMeanProblem::Counting::kMethod);
    AidRun::step(whole, rng, k);
  }
  const Comm* comm() const override { return comm_; }

 private:
  Comm* comm_;
};

class DistAid : public Method<DistAid, AidCgOptions, DistAidRun> {
 public:
  static constexpr const char* kName = "dist-aid";
  static constexpr const char* kDescription =
      "distributed AID: aid-cg with every oracle averaged over MPI ranks (distributed CG, "
      "vectors only)";
  using Method::Method;
  bool runs_distributed() const override { return true; }
  // aid-cg's products, averaged over the ranks.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override {
    return AidCg().upper_bounds(key, stochastic);
  }
};

}  // namespace bilevel
