// FSBA, LFSBA and IFSBA (fsba paper, Algs. 1-3): cubic Newton on the penalty proxy.
// Checked against theory: escape from the strict saddle of `saddle` to an
// (eps, sqrt(M eps))-second-order stationary point in far fewer iterations than perturbed
// F2BA; on the quadratic, the limit point's ||grad phi|| is the O(1/lam) penalty bias; lazy
// Hessians cost 3 dense Hessians per m iterations; IFSBA never forms one and takes the same
// steps as FSBA; counts and auto options are the documented ones.
#include "bilevel/algorithms/fsba.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/algorithms/ifsba.hpp"
#include "bilevel/algorithms/pf2ba.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/problems/saddle.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

// The first iteration at which the exact ||grad phi|| <= eps and lambda_min(Hess phi) >=
// -sqrt(rho eps) (-1 if none within `max_iters`), from the trace's min_eig column.
// The run's result goes to *result when given.
Index first_second_order_stationary(const Algorithm& a, Problem& p, double eps, double rho,
                                    Index max_iters, Result* result = nullptr) {
  Index found = -1;
  RunSettings s = testing::seeded(max_iters, 0);
  s.min_eig = true;
  s.callbacks.push_back([&](const IterRecord& r, const Vec&, const Vec&) {
    if (r.hypergrad_norm <= eps && r.min_eig >= -std::sqrt(rho * eps)) {
      found = r.iter;
      return Action::kStop;
    }
    return Action::kContinue;
  });
  const Result r = a.solve(p, s);
  if (result) *result = r;
  return found;
}

TEST(Fsba, LeavesTheStrictSaddleFarFasterThanPerturbedF2ba) {
  Saddle s;  // phi = cos(pi x_1) + 2 x_2^2, strict saddle at the start x = 0
  const double eps = 1e-3, rho = *s.constants().rho_phi;
  Fsba fsba;  // M = auto = rho_phi
  Result rf;
  const Index t_fsba = first_second_order_stationary(fsba, s, eps, rho, 200, &rf);
  EXPECT_EQ(testing::state_of<Fsba>(rf).iteration().M(), rho);
  Pf2baOptions po;
  po.eps = eps;
  po.rho = rho;
  const Index t_pf = first_second_order_stationary(Pf2ba(po), s, eps, rho, 2000);
  ASSERT_GT(t_fsba, 0);  // x = 0 itself is first-order stationary but not second-order
  ASSERT_GT(t_pf, 0);
  EXPECT_LE(t_fsba, 10);
  EXPECT_GE(t_pf, 5 * t_fsba) << "fsba " << t_fsba << ", pf2ba " << t_pf;
  // It lands next to a minimizer x_1 = +-1 (the hard-case step picks one side).
  EXPECT_NEAR(std::abs(rf.x(0)), 1.0, 1e-2);
}

TEST(Fsba, FirstStepFromTheSaddleIsTheHardCaseStepAlongTheNegativeCurvature) {
  Saddle s;
  FsbaOptions o;
  o.penalty.lam = 100;  // the expected curvature below is the proxy's at lam = 100
  Fsba fsba(o);
  const Result r = fsba.solve(s, iterations(1));
  const CubicPenaltyIteration& it = testing::state_of<Fsba>(r).iteration();
  // At x = 0 the proxy gradient vanishes (symmetry) and H has the eigenvalue
  // lambda_min ~ -pi^2: the cubic step is +-(2 |lambda_min| / M) along e_1.
  const double lmin = it.hessian_min_eig();
  // The proxy's curvature along e_1, by central differences of its exact gradient: about
  // -pi^2 (1 + 2 pi^2 / lam) at lam = 100, the O(1/lam) gap to phi's -pi^2.
  Diagnostics d(s);
  const double h = 1e-5;
  Vec e1 = Vec::Zero(2);
  e1(0) = h;
  const double curv =
      (d.penalty_gradient(e1, 100)(0) - d.penalty_gradient(-e1, 100)(0)) / (2 * h);
  EXPECT_NEAR(lmin, curv, 1e-5 * std::abs(curv));
  EXPECT_LT(lmin, -M_PI * M_PI);
  const Vec& x = r.x;
  EXPECT_NEAR(std::abs(x(0)), 2 * -lmin / it.M(), 1e-9);
  EXPECT_EQ(x(1), 0.0);
}

TEST(Fsba, ConvergesOnTheQuadraticToThePenaltyBiasThatShrinksLikeOneOverLam) {
  std::vector<double> lams, bias;
  for (double lam : {50.0, 100.0, 200.0, 400.0}) {
    Quadratic q(testing::small_quadratic());
    FsbaOptions o;
    o.penalty.lam = lam;
    o.penalty.K = 200;  // inner points essentially exact: only the O(1/lam) bias is left
    Fsba f(o);
    RunSettings rs = testing::seeded(15, 0);
    const Result r = f.solve(q, rs);
    const double start = r.trace.records.front().hypergrad_norm;
    EXPECT_LT(r.hypergrad_norm, 0.05 * start) << "lam=" << lam;
    // Cubic Newton on the quadratic proxy: the last iterations no longer move.
    const double prev = r.trace.records[r.trace.records.size() - 2].hypergrad_norm;
    EXPECT_NEAR(r.hypergrad_norm, prev, 1e-6 * start) << "lam=" << lam;
    lams.push_back(lam);
    bias.push_back(r.hypergrad_norm);
  }
  EXPECT_NEAR(testing::loglog_slope(lams, bias), -1.0, 0.1);
}

TEST(Fsba, CountsF2baGradientsPlusThreeDenseHessiansPerIteration) {
  Quadratic q(testing::small_quadratic());
  FsbaOptions o;
  o.penalty.K = 7;
  Fsba f(o);
  const Index T = 4;
  const Result r = f.solve(q, iterations(T));
  EXPECT_EQ(r.counts.f.grad, T * (7 + 1));
  EXPECT_EQ(r.counts.g.grad, T * (2 * 7 + 2));
  EXPECT_EQ(r.counts.f.hess, T);
  EXPECT_EQ(r.counts.g.hess, 2 * T);
  EXPECT_EQ(r.counts.hvp_calls(), 0);
  EXPECT_EQ(testing::state_of<Fsba>(r).iteration().hessian_refreshes(), T);
}

TEST(Lfsba, RefreshesTheHessianEveryMIterationsOnly) {
  Quadratic q(testing::small_quadratic());
  const Index T = 30;
  Fsba f;
  const Result rf = f.solve(q, iterations(T));
  for (Index m : {1, 5, 7, 30}) {
    LfsbaOptions o;
    o.m = m;
    const Result rl = Lfsba(o).solve(q, iterations(T));
    const Index refreshes = (T + m - 1) / m;  // iterations 0, m, 2m, ...
    EXPECT_EQ(testing::state_of<Lfsba>(rl).iteration().hessian_refreshes(), refreshes);
    EXPECT_EQ(rl.counts.hess_calls(), 3 * refreshes);
    EXPECT_EQ(rl.counts.grad_calls(), rf.counts.grad_calls());
  }
  EXPECT_EQ(rf.counts.hess_calls(), 3 * T);
}

TEST(Lfsba, WithMOneTakesExactlyFsbasSteps) {
  Saddle s;
  Fsba f;
  LfsbaOptions o;
  o.m = 1;
  Lfsba l(o);
  const Result rf = f.solve(s, iterations(12));
  const Result rl = l.solve(s, iterations(12));
  EXPECT_EQ(rf.x, rl.x);
  EXPECT_EQ(rf.counts, rl.counts);
}

TEST(Lfsba, LazyHessiansStillReachTheMinimizerFromTheSaddle) {
  Saddle s;
  const double eps = 1e-3, rho = *s.constants().rho_phi;
  LfsbaOptions o;
  o.m = 5;  // auto M = 5 rho
  Result r;
  EXPECT_GT(first_second_order_stationary(Lfsba(o), s, eps, 5 * rho, 300, &r), 0);
  EXPECT_EQ(testing::state_of<Lfsba>(r).iteration().M(), 5 * rho);
}

TEST(Ifsba, NeverFormsADenseHessianAndTakesFsbasSteps) {
  Quadratic q(testing::small_quadratic());
  // lam = 100: at the auto lam (1e8) the CG-assembled products lose lam x 1e-10 (cg_tol) to
  // the dense ones, far more than this comparison allows.
  FsbaOptions fo;
  fo.penalty.lam = 100;
  Fsba f(fo);
  IfsbaOptions io;
  io.fsba = fo;
  io.cubic_tol = 1e-10;
  io.cubic_iters = 20000;
  Ifsba i(io);
  Result ri;
  for (Index T : {1, 3}) {
    const Result rf = f.solve(q, iterations(T));
    ri = i.solve(q, iterations(T));
    EXPECT_EQ(ri.counts.hess_calls(), 0);
    EXPECT_GT(ri.counts.hvp_calls(), 0);
    EXPECT_EQ(ri.counts.grad_calls(), rf.counts.grad_calls());
    EXPECT_LT((ri.x - rf.x).norm(), 1e-6 * (rf.x - q.initial_x()).norm()) << "T=" << T;
  }
  EXPECT_TRUE(testing::state_of<Ifsba>(ri).last_cubic().converged);
  EXPECT_GT(testing::state_of<Ifsba>(ri).last_cg_iterations(), 0);
}

// A problem that cannot give dense Hessians: fsba refuses it before the run, ifsba runs.
class QuadraticWithoutDenseHessians : public Quadratic {
 public:
  using Quadratic::Quadratic;
  bool has_dense_hessian() const override { return false; }
};

TEST(Ifsba, RunsWhereDenseHessiansAreUnavailableAndFsbaRefuses) {
  QuadraticWithoutDenseHessians q(testing::small_quadratic());
  Fsba f;
  EXPECT_NE(testing::run_error(f, q).find("no dense Hessians"), std::string::npos);
  Lfsba l;
  EXPECT_NE(testing::run_error(l, q).find("use ifsba"), std::string::npos);
  Ifsba i;
  const Result r = i.solve(q, testing::seeded(10, 0));
  EXPECT_EQ(r.counts.hess_calls(), 0);
  EXPECT_LT(r.hypergrad_norm, 0.05 * r.trace.records.front().hypergrad_norm);
}

TEST(Ifsba, EscapesTheSaddle) {
  Saddle s;
  const double eps = 1e-3, rho = *s.constants().rho_phi;
  Ifsba i;
  const Index t = first_second_order_stationary(i, s, eps, rho, 100);
  EXPECT_GT(t, 0);
  EXPECT_LE(t, 15);
}

TEST(Fsba, AutoMFallsBackFromRhoPhiToOneOverXStepToLPhiToOne) {
  Quadratic q(testing::small_quadratic());  // rho_phi = 0 (phi is quadratic), L_phi known
  const double L_phi = *q.constants().L_phi;
  auto M_of = [](const Result& r) -> double {
    if (const auto* s = r.state_as<DenseCubicRun>()) return s->iteration().M();
    return std::nan("");
  };
  EXPECT_EQ(M_of(Fsba().solve(q, iterations(1))), L_phi);
  testing::QuadraticWithoutConstants bare(testing::small_quadratic());
  FsbaOptions o;
  o.penalty.alpha = 0.1;
  o.penalty.tau = 0.001;
  o.penalty.inner = "gd";
  EXPECT_EQ(M_of(Fsba(o).solve(bare, iterations(1))), 1.0);
  HypercleanOptions ho;
  ho.dataset = "breast-cancer";
  Hyperclean h(ho);  // no rho_phi, no L_phi: 1/x_step = 1/n_train
  EXPECT_DOUBLE_EQ(M_of(Fsba().solve(h, iterations(1))), 1.0 / static_cast<double>(h.dim_x()));
  LfsbaOptions lo;
  lo.m = 4;
  EXPECT_EQ(M_of(Lfsba(lo).solve(q, iterations(1))), 4 * L_phi);
  lo.fsba.M = 0.25;
  const Result r = Lfsba(lo).solve(q, iterations(1));
  EXPECT_EQ(M_of(r), 0.25);
  // the summary echoes the resolved M
  const bool echoed = testing::option_number(r, "M") == 0.25;
  EXPECT_TRUE(echoed);
}

TEST(Fsba, AHessianThatCannotBeAssembledEndsTheRunAsDiverged) {
  Saddle s;
  FsbaOptions o;
  o.penalty.lam = 2;  // below pi^2 / mu: f + lam g is not convex in y_1 near y = 0
  o.penalty.inner = "gd";
  const Result r = Fsba(o).solve(s, iterations(5));
  EXPECT_EQ(r.status, Status::kDiverged);
  EXPECT_TRUE(testing::mentions(r.warnings, "not positive definite"));
}

TEST(FsbaOptions, RejectBadValuesNamingTheOption) {
  LfsbaOptions lo;
  lo.m = 0;
  EXPECT_NE(testing::run_error(Lfsba(lo)).find("m must be >= 1"), std::string::npos);
  FsbaOptions fo;
  fo.M = -1.0;
  EXPECT_NE(testing::run_error(Fsba(fo)).find("M"), std::string::npos);
  fo.M = std::nullopt;
  fo.penalty.inner = "newton";
  EXPECT_NE(testing::run_error(Fsba(fo)).find("inner must be gd or agd"), std::string::npos);
  IfsbaOptions io;
  io.cg_tol = 0;
  EXPECT_NE(testing::run_error(Ifsba(io)).find("cg_tol"), std::string::npos);
  io.cg_tol = 1e-10;
  io.cubic_iters = 0;
  EXPECT_NE(testing::run_error(Ifsba(io)).find("cubic_iters"), std::string::npos);
}

}  // namespace
}  // namespace bilevel
