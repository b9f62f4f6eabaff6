// The whole problem of a distributed run, seen from one rank: every oracle is this rank's
// shard's oracle averaged over the ranks (Shard: the mean of the shards is the whole
// problem). Each call is one allreduce, a call with both partial gradients or with several
// points (grad_y_multi) one allreduce of the stacked results.
//
// Two uses:
//   - a method that runs a serial algorithm on the whole problem by averaging every oracle
//     (dist-aid: AID whose CG multiplies by the averaged Hessian), with Counting::kMethod: the
//     allreduces are the method's communication, and the oracle calls are counted on the
//     rank's own problem, as in any run;
//   - the run's exact diagnostics (phi, ||grad phi|| of the whole problem), with
//     Counting::kUncounted on a clone of the rank's problem: neither the products nor the
//     allreduces are the method's.
// For a problem whose x is split with its samples (Shard::x_local: x is this rank's block),
// results in x-space are this rank's block of the whole problem's, with no communication.
// Every rank must make the same calls in the same order (all ranks of a run do: they hold
// the same iterates). Minibatch indices refer to this rank's samples.
#pragma once

#include "bilevel/core/comm.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

class RankMeanProblem : public Problem {
 public:
  enum class Counting { kMethod, kUncounted };

  // `local` and `comm` must outlive this view.
  RankMeanProblem(Problem& local, Comm& comm, Counting counting);

  std::string name() const override { return local_.name(); }
  Index dim_x() const override { return local_.dim_x(); }
  Index dim_y() const override { return local_.dim_y(); }
  Index num_samples(Fn fn) const override { return local_.num_samples(fn); }
  ProblemConstants constants() const override { return local_.constants(); }
  Vec initial_x() const override { return local_.initial_x(); }
  Vec initial_y() const override { return local_.initial_y(); }
  OptionValues option_values() const override { return local_.option_values(); }
  Shard shard() const override { return shard_; }
  std::optional<Box> box_x() const override { return local_.box_x(); }
  std::optional<Box> box_y() const override { return local_.box_y(); }
  bool is_minimax() const override { return local_.is_minimax(); }
  bool has_hessian_vector_products() const override { return local_.has_hessian_vector_products(); }

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  void do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                       std::span<const Batch> batches, std::span<Vec* const> outs) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;

 private:
  // The mean over ranks of `parts` (each resized already), in one collective.
  void mean(std::span<Vec* const> parts) const;
  // An x-space result of an x_local problem: this rank's block of the mean.
  void local_x_mean(Vec* v) const;

  Problem& local_;
  Comm& comm_;
  Counting counting_;
  Shard shard_;
  mutable Vec stacked_;
};

}  // namespace bilevel
