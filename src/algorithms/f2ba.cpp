#include "bilevel/algorithms/f2ba.hpp"

#include "bilevel/core/comm.hpp"

#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void F2baOptions::declare(OptionList& o, const double* target) {
  penalty.declare(o, target);
  o.add("eta", eta,
        "outer step on x; the proxy's smoothness approaches that of phi (Lemma 4.1c), and the "
        "problem's suggested step is used where L_phi is unknown (hyperclean: n_train, since "
        "each hypergradient entry is O(1/n))",
        Constraint::positive(), rules::outer_step());
}

F2baRun::F2baRun(const F2baOptions& r, Problem& p, const Vec& x0, const Vec& y0, Rng&,
                 RunContext& context, Comm* comm)
    : comm_(comm ? comm : (context.comm && context.comm->size() > 1 ? context.comm : nullptr)),
      it_(r.penalty, p, x0, y0, context, comm_),
      eta_(*r.eta) {}

void F2baRun::step(Problem& p, Rng& rng, Index) {
  // Distributed (Alg. 3): d is the ranks' average, and every rank takes the same step.
  const Vec& d = it_.direction(p, rng);
  it_.x() -= eta_ * d;  // Alg. 1, line 10
}

std::vector<ComplexityBound> F2ba::upper_bounds(std::string_view key, bool stochastic) const {
  return matching_bounds(
      "upper",
      {{"eps", false, 2, "O(kappa^4 eps^-2 log(kappa/eps))", "Chen, Ma & Zhang 2025, Theorem 4.1"},
       {"kappa", false, 4, "O(kappa^4 eps^-2 log(kappa/eps))",
        "Chen, Ma & Zhang 2025, Theorem 4.1"}},
      key, stochastic);
}

}  // namespace bilevel
