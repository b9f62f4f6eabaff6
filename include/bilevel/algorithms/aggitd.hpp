// AggITD: aggregated iterative differentiation (Xiao & Ji, "Communication-efficient federated
// hypergradient computation via aggregated iterative differentiation", ICML 2023), on m agents
// each holding a shard of the data. The paper's idea: the hypergradient is estimated together
// with the lower-level iterations, in the same communication rounds, rather than by a
// separate distributed linear solve (AID's, which costs one round per product).
//
// As implemented here (from the paper's description; its pseudo-code is not at hand, see
// docs/algorithms.md): each outer iteration at x runs K steps that carry the lower-level
// iterate y and the iterative-differentiation vector v together,
//     y_{k+1} = y_k - alpha mean_i grad_y g_i(x, y_k),
//     v_{k+1} = v_k - alpha mean_i [Hyy g_i(x, y_k) v_k - grad_y f_i(x, y_k)],
// the agents' two local vectors averaged in ONE allreduce of 2 d_y numbers per step. v_K is
// the truncated series alpha sum_j (I - alpha Hyy g)^j grad_y f that ITD's backward pass
// builds, evaluated along the trajectory; it tends to [Hyy g]^{-1} grad_y f as K grows, so
//     h = mean_i [grad_x f_i(x, y_K) - Hxy g_i(x, y_K) v_K]      (one allreduce of d_x)
// tends to the exact hypergradient. Then x <- x - eta h. y and v are warm-started across outer
// iterations (v_0 = 0 on the first): v restarted from 0 every time, as ITD's own backward
// pass is, would keep the truncation bias (1 - alpha mu_g)^K, and with the defaults the run
// stalls (||grad phi|| near 1.5 on the default quadratic with K = 10).
//
// Per outer iteration: K + 1 rounds, 2 K d_y + d_x numbers; per rank K gradients of g (y
// part), K gradients of f (y part) + 1 (x part), K Hyy products and 1 Hxy product of g. Every
// rank makes the same calls: the total over ranks is m times the trace's counts.
#pragma once

#include "bilevel/core/batch.hpp"
#include "bilevel/core/method.hpp"

namespace bilevel {

struct AggitdOptions {
  Index K = 10;
  Auto alpha;
  Auto eta;

  void declare(OptionList& o);
};

class AggitdRun : public MethodRun {
 public:
  AggitdRun(const AggitdOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
            RunContext& context);
  void step(Problem& p, Rng& rng, Index k) override;
  void visit(StateArchive& a) override;
  const Vec& x() const override { return x_; }
  const Vec& y() const override { return y_; }
  const Comm* comm() const override { return comm_; }
  // The hypergradient estimate h of the last step (at the x before its update).
  const Vec& last_hypergradient() const { return h_; }

 private:
  Index K_;
  double alpha_, eta_;
  Comm* comm_;
  Vec x_, y_, v_, h_;
  Vec ggy_, gfy_, hv_, gfx_, hxv_, stacked_;
};

class Aggitd : public Method<Aggitd, AggitdOptions, AggitdRun> {
 public:
  static constexpr const char* kName = "aggitd";
  static constexpr const char* kDescription =
      "aggregated iterative differentiation: the hypergradient's ITD recursion averaged over "
      "MPI ranks in the lower level's rounds (Xiao & Ji 2023)";
  using Method::Method;
  // The ITD recursion multiplies by Hyy g and Hxy g.
  Requirements requirements() const override {
    Requirements r;
    r.hessian_vector_products = true;
    return r;
  }
  bool runs_distributed() const override { return true; }
};

}  // namespace bilevel
