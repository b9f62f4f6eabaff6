#include "bilevel/algorithms/fsba.hpp"

#include <cmath>
#include <limits>

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"
#include "bilevel/algorithms/building_blocks/step_defaults.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void FsbaOptions::declare(OptionList& o) {
  o.add("lam", lam, "penalty multiplier lambda (> 0)")
      .add("K", K, "inner steps per outer iteration (>= 1)")
      .add("alpha", alpha, "step of the z sequence on g; auto = 1/L_g")
      .add("tau", tau, "step of the y sequence on f + lam g; auto = 1/(L_f + lam L_g)")
      .add("inner", inner, "inner solver: agd (Nesterov, restarted; the paper's) or gd",
           {"gd", "agd"})
      .add("inner_tol", inner_tol,
           "end the inner loop before K steps once ||grad_y g(x,z)|| and ||grad_y (f/lam + g)"
           "(x,y)|| are both <= inner_tol (>= 0; 0 = always K steps)")
      .add("M", M,
           "cubic regularization (> 0); auto = the problem's rho_phi, else 1/x_step, else L_phi, "
           "else 1; times m for the lazy variant");
}

std::vector<std::string> FsbaOptions::validate() const {
  Violations v;
  v.positive("lam", lam);
  v.at_least("K", K, 1);
  v.positive_or_auto("alpha", alpha);
  v.positive_or_auto("tau", tau);
  v.check(inner == "gd" || inner == "agd", "inner must be gd or agd (got " + inner + ")");
  v.non_negative("inner_tol", inner_tol);
  v.positive_or_auto("M", M);
  return v.list();
}

void LfsbaOptions::declare(OptionList& o) {
  FsbaOptions::declare(o);
  o.add("m", m, "Hessian refresh period: the Hessian is recomputed every m iterations (>= 1)");
}

std::vector<std::string> LfsbaOptions::validate() const {
  std::vector<std::string> v = FsbaOptions::validate();
  if (m < 1) v.push_back("m must be >= 1 (got " + std::to_string(m) + ")");
  return v;
}

void CubicPenaltyIteration::init(Problem& p, const FsbaOptions& o, Index m,
                                 const std::string& algo, const Vec& x0, const Vec& y0,
                                 std::vector<std::string>* warnings) {
  F2baOptions inner;
  inner.lam = o.lam;
  inner.K = o.K;
  inner.alpha = o.alpha;
  inner.tau = o.tau;
  inner.eta = 1.0;  // unused: x moves by cubic steps
  inner.inner = o.inner;
  inner.inner_tol = o.inner_tol;
  it_.init(p, inner, algo, x0, y0, warnings);
  lam_ = o.lam;
  if (o.M) {
    M_ = *o.M;
  } else {
    M_ = static_cast<double>(m) * default_cubic_regularization(p.constants());
  }
  solver_.reset();
  refreshes_ = 0;
  last_step_norm_ = 0;
}

void CubicPenaltyIteration::resolve(FsbaOptions* o) const {
  F2baOptions r;
  it_.resolve(&r);
  o->alpha = r.alpha;
  o->tau = r.tau;
  o->M = M_;
}

bool CubicPenaltyIteration::dense_step(Problem& p, const Vec& d, bool refresh) {
  if (refresh || !solver_) {
    Mat H;
    if (!penalty_hessian(p, it_.x(), it_.y(), it_.z(), lam_, &H)) return false;
    solver_.emplace(H, M_);
    ++refreshes_;
  }
  const CubicSolution sol = solver_->solve(d);
  it_.x() += sol.s;
  last_step_norm_ = sol.s.norm();
  return true;
}

double CubicPenaltyIteration::hessian_min_eig() const {
  return solver_ ? solver_->eigenvalues()(0) : std::numeric_limits<double>::quiet_NaN();
}

template <class Options>
void DenseCubicPenalty<Options>::init(Problem& p, const Vec& x0, const Vec& y0, Rng&) {
  if (!p.has_dense_hessian())
    throw InvalidOptions(this->name() + ": problem '" + p.name() +
                         "' has no dense Hessians at this size; use ifsba (Hessian-vector "
                         "products only)");
  std::vector<std::string> warnings;
  it_.init(p, this->o_, refresh_period(), this->name(), x0, y0, &warnings);
  for (auto& w : warnings) this->warn(std::move(w));
}

template <class Options>
void DenseCubicPenalty<Options>::step(Problem& p, Rng& rng, Index k) {
  const Vec& d = it_.gradient(p, rng);
  if (!it_.dense_step(p, d, k % refresh_period() == 0)) {
    // A Hessian that cannot be assembled ends the run as diverged.
    this->warn("the y-block Hessian of f + lam g (or of g) was not positive definite at the "
               "inner point: raise lam or K");
    it_.x().setConstant(std::numeric_limits<double>::quiet_NaN());
  }
}

template <class Options>
KeyValues DenseCubicPenalty<Options>::resolved_options() {
  Options r = this->o_;
  it_.resolve(&r);
  return this->echo(r);
}

template class DenseCubicPenalty<FsbaOptions>;
template class DenseCubicPenalty<LfsbaOptions>;

}  // namespace bilevel
