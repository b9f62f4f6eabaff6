#include "bilevel/algorithms/fsba.hpp"

#include <cmath>
#include <limits>

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"
#include "bilevel/algorithms/building_blocks/step_defaults.hpp"

namespace bilevel {

void FsbaOptions::declare(OptionList& o, const Index* m) {
  penalty.declare(o);
  o.add("M", M,
        "cubic regularization of the Newton steps. Without rho_phi (or with rho_phi = 0) the "
        "auto value is a curvature scale over a unit distance in x: 1/x_step (hyperclean: "
        "1/n_train, its mean losses make Hessian entries O(1/n)) or L_phi. The lazy variants' "
        "factor m is the lazy-Hessian scaling M ~ m L2 (Doikov et al.; the fsba paper's LFSBA "
        "bound O~(kappa^2 sqrt(m rho) eps^-1.5) carries the same sqrt(m)); the paper ablates M "
        "in {1, 5, 10}",
        Constraint::positive(), rules::cubic_regularization(m));
}

void LfsbaOptions::declare(OptionList& o) {
  fsba.declare(o, &m);
  o.add("m", m, "Hessian refresh period: the Hessian is recomputed every m iterations",
        Constraint::at_least(1));
}

CubicPenaltyIteration::CubicPenaltyIteration(const FsbaOptions& r, const Problem& p, const Vec& x0,
                                             const Vec& y0, RunContext& context)
    : it_(r.penalty, p, x0, y0, context), M_(*r.M) {}

bool CubicPenaltyIteration::dense_step(Problem& p, const Vec& d, bool refresh) {
  if (refresh || !solver_) {
    Mat H;
    if (!penalty_hessian(p, it_.x(), it_.y(), it_.z(), it_.lam(), &H)) return false;
    solver_.emplace(H, M_);
    ++refreshes_;
  }
  const CubicSolution sol = solver_->solve(d);
  it_.x() += sol.s;
  return true;
}

double CubicPenaltyIteration::hessian_min_eig() const {
  return solver_ ? solver_->eigenvalues()(0) : std::numeric_limits<double>::quiet_NaN();
}

DenseCubicRun::DenseCubicRun(const FsbaOptions& r, Index period, Problem& p, const Vec& x0,
                             const Vec& y0, RunContext& context)
    : it_(r, p, x0, y0, context), period_(period), context_(&context) {}

void DenseCubicRun::step(Problem& p, Rng& rng, Index k) {
  const Vec& d = it_.gradient(p, rng);
  if (!it_.dense_step(p, d, k % period_ == 0)) {
    // A Hessian that cannot be assembled ends the run as diverged.
    context_->warn(
        "the y-block Hessian of f + lam g (or of g) was not positive definite at the "
        "inner point: raise lam or K");
    it_.x().setConstant(std::numeric_limits<double>::quiet_NaN());
  }
}

std::vector<std::pair<std::string, double>> DenseCubicRun::counters() const {
  return {{"hessian_refreshes", static_cast<double>(it_.hessian_refreshes())},
          {"inner_steps", static_cast<double>(it_.inner_steps())}};
}

}  // namespace bilevel
