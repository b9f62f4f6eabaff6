// Distributed F2BA (f2ba paper, Alg. 3): F2BA on m agents, each holding a shard of the data
// (f = mean f_i, g = mean g_i). Every inner step averages the agents' two y-gradients in one
// allreduce of the stacked [grad_y g_i(x,z); grad_y (f_i + lam g_i)(x,y)] (a published
// implementation makes two), and the outer step averages the x-directions in one more: K + 1
// rounds and 2 K d_y + d_x numbers per outer iteration, no Hessian ever sent. Every agent then
// holds the mean iterates, and the run is F2BA on the whole problem (Prop. 6.1).
//
// The problem each rank runs on is its own shard (sharded problems weight their local means so
// that the mean over ranks is the whole problem's); the communicator is RunSettings::comm, by
// default world_comm() (serial unless started by mpirun). On one rank it is exactly f2ba, with
// the communication it would make reported in the trace (comm_rounds, comm_bytes).
#pragma once

#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

// F2BA's run on this rank's shard, with the run's communicator (RunContext::comm).
class DistF2baRun : public F2baRun {
 public:
  DistF2baRun(const F2baOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
              RunContext& context)
      : F2baRun(resolved, p, x0, y0, rng, context,
                context.comm ? context.comm : &world_comm()) {}
};

class DistF2ba : public Method<DistF2ba, F2baOptions, DistF2baRun> {
 public:
  static constexpr const char* kName = "dist-f2ba";
  static constexpr const char* kDescription =
      "distributed F2BA: averaged first-order directions over MPI ranks, one stacked allreduce "
      "per inner step (f2ba paper, Alg. 3)";
  using Method::Method;
  bool runs_distributed() const override { return true; }
  std::vector<ComplexityBound> upper_bounds(std::string_view key, bool stochastic) const override {
    return F2ba().upper_bounds(key, stochastic);  // Cor. 6.1: the same as F2BA's
  }
};

}  // namespace bilevel
