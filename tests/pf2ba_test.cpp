// Perturbed F2BA (f2ba paper, Alg. 2) on the saddle problem: it escapes the strict saddle that
// F2BA never leaves and reaches an (eps, sqrt(eps))-second-order stationary point of phi;
// perturbations happen only when the F2BA direction is small and T_pert iterations apart;
// the ball sampler is uniform; oracle counts are F2BA's; runs are reproducible by seed.
#include "bilevel/algorithms/pf2ba.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/saddle.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::iterations;

double min_eigenvalue(const Mat& h) {
  Eigen::SelfAdjointEigenSolver<Mat> es(h, Eigen::EigenvaluesOnly);
  return es.eigenvalues().minCoeff();
}

double option(const Result& r, const std::string& key) { return testing::option_number(r, key); }

const Pf2baRun& run_of(const Result& r) { return testing::state_of<Pf2ba>(r); }

TEST(Pf2ba, EscapesTheStrictSaddleWhereF2baStays) {
  Saddle s;  // phi = cos(pi x_1) + 2 x_2^2: saddle at 0, minimizers at x_1 = +-1
  Diagnostics d(s);
  Pf2ba pf;  // defaults: eps = 1e-6, rho = 1, delta = 0.1, lam = auto (6.4e7 here), K = 10
  const double eps = pf.options().eps;
  const Result r = pf.solve(s, iterations(200));
  EXPECT_EQ(run_of(r).perturbations(), 1);  // T_pert (3.6e5 here) allows only the first
  EXPECT_EQ(run_of(r).last_perturbation_iter(), 0);
  EXPECT_LE(d.hypergradient(r.x).norm(), eps);
  EXPECT_GE(min_eigenvalue(d.hessian_phi(r.x)), -std::sqrt(eps));
  EXPECT_NEAR(std::abs(r.x(0)), 1.0, 1e-3);

  // F2BA with the same options: the symmetric iterates never leave x = 0.
  F2ba f(pf.options().f2ba);
  const Result rf = f.solve(s, iterations(200));
  EXPECT_EQ(rf.x, s.initial_x());
  EXPECT_EQ(d.hypergradient(rf.x).norm(), 0.0);
  EXPECT_LT(min_eigenvalue(d.hessian_phi(rf.x)), -9.0);  // -pi^2
}

TEST(Pf2ba, EscapesWithAcceleratedInnerLoopOnALargerInstance) {
  SaddleOptions so;
  so.dx = 4;
  so.mu = 0.5;
  so.L = 5;
  so.coupling = 0.5;
  Saddle s(so);
  Diagnostics d(s);
  Pf2baOptions o;
  o.f2ba.penalty.inner = "agd";
  o.f2ba.penalty.lam = 200;
  o.eps = 1e-4;
  const Result r = Pf2ba(o).solve(s, iterations(400));
  EXPECT_GE(run_of(r).perturbations(), 1);
  EXPECT_LE(d.hypergradient(r.x).norm(), 1e-4);
  EXPECT_GE(min_eigenvalue(d.hessian_phi(r.x)), -std::sqrt(1e-4));
}

TEST(Pf2ba, LeavingTheSaddleIsNotReportedAsDivergence) {
  // ||grad phi|| grows from exactly 0 while phi falls from 1 to -1.
  Saddle s;
  Pf2ba pf;
  RunSettings rs = iterations(100);
  rs.diagnostics = true;
  const Result r = pf.solve(s, rs);
  EXPECT_EQ(r.status, Status::kMaxIterations) << r.message;
  EXPECT_NEAR(r.phi, -1.0, 1e-9);
}

TEST(Pf2ba, OneSeedGivesOneRunAndSeedsGiveDifferentPerturbations) {
  Saddle s1, s2;
  RunSettings rs = iterations(60);
  rs.diagnostics = true;
  rs.seed = 5;
  Pf2ba a, b;
  const Result ra = a.solve(s1, rs);
  const Result rb = b.solve(s2, rs);
  testing::expect_identical_traces(ra.trace, rb.trace);
  EXPECT_EQ(ra.x, rb.x);
  EXPECT_EQ(run_of(ra).last_perturbation(), run_of(rb).last_perturbation());

  rs.seed = 6;
  const Result rc = b.solve(s2, rs);
  ASSERT_EQ(run_of(rc).perturbations(), 1);
  EXPECT_NE(run_of(ra).last_perturbation(), run_of(rc).last_perturbation());
  EXPECT_NE(ra.x, rc.x);
}

TEST(Pf2ba, OracleCountsPerIterationAreF2bas) {
  Saddle s;
  Pf2baOptions o;
  o.f2ba.penalty.K = 7;
  o.T_pert = 2;  // several perturbations within the run
  Pf2ba pf(o);
  const Index T = 13;
  const Result r = pf.solve(s, iterations(T));
  ASSERT_GE(run_of(r).perturbations(), 2);
  EXPECT_EQ(r.counts.f.grad, T * (7 + 1));
  EXPECT_EQ(r.counts.g.grad, T * (2 * 7 + 2));
  EXPECT_EQ(r.counts.value_calls() + r.counts.hvp_calls() + r.counts.hess_calls(), 0);
  Saddle s2;
  F2ba f(pf.options().f2ba);
  EXPECT_EQ(f.solve(s2, iterations(T)).counts, r.counts);
}

TEST(Pf2ba, NoPerturbationWhileTheDirectionIsLarge) {
  // From x = (0.5, 0.5), ||grad phi|| = |(-pi, 2)| = 3.7: far from stationary.
  Saddle s;
  Diagnostics d(s);
  const Vec x0 = Vec::Constant(2, 0.5);
  const Vec y0 = d.lower_solution(x0);
  RunSettings rs = iterations(3);
  rs.diagnostics = true;
  Pf2ba pf;
  const Result r = pf.solve(s, x0, y0, rs);
  for (const IterRecord& rec : r.trace.records) EXPECT_GT(rec.hypergrad_norm, 0.1);
  EXPECT_EQ(run_of(r).perturbations(), 0);
  // Without perturbations pf2ba is f2ba, bit for bit.
  F2ba f(pf.options().f2ba);
  EXPECT_EQ(f.solve(s, x0, y0, rs).x, r.x);

  // The threshold is what held it back: with 4/5 eps above the direction's norm it perturbs
  // at once, and the perturbation moves x by -eta xi on top of F2BA's step.
  Pf2baOptions o;
  o.eps = 10;
  o.f2ba.penalty.lam = option(r, "lam");  // the same proxy as f's (the auto lam follows eps)
  const Result big = Pf2ba(o).solve(s, x0, y0, iterations(1));
  EXPECT_EQ(run_of(big).perturbations(), 1);
  EXPECT_EQ(run_of(big).last_perturbation_iter(), 0);
  const Result one = f.solve(s, x0, y0, iterations(1));
  const double eta = option(big, "eta");
  EXPECT_LT((big.x - (one.x - eta * run_of(big).last_perturbation())).norm(), 1e-15);
}

TEST(Pf2ba, PerturbationsComeTPertPlusOneIterationsApartAtAStationaryPoint) {
  Saddle s;
  Diagnostics d(s);
  const Vec xm = s.minimizer(0);
  Pf2baOptions o;
  o.T_pert = 4;
  const Result r = Pf2ba(o).solve(s, xm, d.lower_solution(xm), iterations(23));
  EXPECT_EQ(run_of(r).perturbations(), 5);  // t = 0, 5, 10, 15, 20
  EXPECT_EQ(run_of(r).last_perturbation_iter(), 20);
  const double r_ball = option(r, "r");
  EXPECT_GT(run_of(r).last_perturbation().norm(), 0);
  EXPECT_LE(run_of(r).last_perturbation().norm(), r_ball);
}

TEST(Pf2ba, AutoOptionsFollowProposition51) {
  Saddle s;
  Pf2baOptions po;
  po.eps = 1e-3;
  Pf2ba pf(po);
  const Result r = pf.solve(s, iterations(1));
  const double eps = 1e-3, rho = 1, delta = 0.1, d = 2;
  const double L = 1.0 / option(r, "eta");
  EXPECT_NEAR(L, *s.constants().L_phi, 1e-9);  // eta auto = 1/L_phi = 1/pi^2
  const double iota = option(r, "iota");
  auto bound = [&](double i) {
    return L * std::sqrt(d) / std::sqrt(rho * eps) * i * i * std::pow(2.0, 8 - i);
  };
  EXPECT_EQ(iota, 30);
  EXPECT_LE(bound(iota), delta);
  EXPECT_GT(bound(iota - 1), delta);  // the smallest such integer (the bound falls past 3)
  EXPECT_DOUBLE_EQ(option(r, "r"), eps / (400 * iota * iota * iota));
  EXPECT_EQ(option(r, "T_pert"), std::ceil(iota * L / std::sqrt(rho * eps)));
  // A looser delta needs a smaller iota: 441 iota^2 2^(8 - iota) <= 0.999 from iota = 27.
  EXPECT_EQ(perturbation_iota(L, 2, rho, eps, 0.999), 27);
  EXPECT_GT(bound(26), 0.999);
}

TEST(Pf2ba, BallSamplesAreUniformInTheBall) {
  Rng rng(3);
  const double r = 2;
  const Index d = 3, n = 40000;
  Vec xi(d), mean = Vec::Zero(d);
  double inner_half = 0, sq = 0, max_norm = 0;
  for (Index i = 0; i < n; ++i) {
    sample_uniform_ball(r, rng, &xi);
    max_norm = std::max(max_norm, xi.norm());
    inner_half += xi.norm() <= r / 2 ? 1 : 0;
    sq += xi.squaredNorm();
    mean += xi;
  }
  EXPECT_LE(max_norm, r);
  // P(|xi| <= r/2) = 2^-d = 0.125 (a sphere sampler gives 0); std of the estimate 0.0017.
  EXPECT_NEAR(inner_half / n, 0.125, 0.008);
  // E|xi|^2 = d/(d + 2) r^2 = 2.4 (a sphere sampler gives 4).
  EXPECT_NEAR(sq / n, 2.4, 0.03);
  EXPECT_LT((mean / n).norm(), 0.03);
}

TEST(Pf2baOptions, RejectsBadValuesNamingTheOption) {
  EXPECT_TRUE(Pf2ba(Pf2baOptions{}).validate().empty());
  auto messages = [](const KeyValues& kv) { return Pf2ba().with_options(kv)->validate(); };
  EXPECT_TRUE(testing::mentions(messages({{"eps", "0"}}), "eps must be > 0"));
  EXPECT_TRUE(testing::mentions(messages({{"rho", "-1"}}), "rho must be > 0"));
  EXPECT_TRUE(testing::mentions(messages({{"delta", "1"}}), "delta must be in (0, 1)"));
  EXPECT_TRUE(testing::mentions(messages({{"iota", "0.5"}}), "iota must be >= 1"));
  EXPECT_TRUE(testing::mentions(messages({{"r", "0"}}), "r must be > 0"));
  EXPECT_TRUE(testing::mentions(messages({{"T_pert", "1.5"}}), "T_pert must be an integer"));
  EXPECT_TRUE(testing::mentions(messages({{"K", "0"}}), "K must be >= 1"));  // f2ba's
  EXPECT_THROW(Pf2ba().with_options({{"T_pertt", "1"}}), InvalidOptions);
  Saddle s;
  std::unique_ptr<Algorithm> a = Pf2ba().with_options({{"eps", "-1"}});
  EXPECT_NE(testing::run_error(*a, s).find("pf2ba: eps must be > 0"), std::string::npos);
  a = a->with_options({{"eps", "1e-200"}, {"rho", "1e-200"}});  // rho eps underflows to 0
  EXPECT_NE(testing::run_error(*a, s).find("iota=auto needs"), std::string::npos);
  a = a->with_options({{"iota", "2"}, {"T_pert", "10"}});
  EXPECT_EQ(testing::run_error(*a, s), "");
}

TEST(Pf2ba, CliRunsOnTheSaddle) {
  namespace fs = std::filesystem;
  const fs::path summary = fs::temp_directory_path() / "bilevel_pf2ba_cli_summary.json";
  const std::string cmd = std::string("'") + BILEVEL_CLI_PATH +
                          "' run --problem saddle --algo pf2ba --max-iters 100 --quiet "
                          "--summary '" + summary.string() + "' >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(summary);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(summary);
  EXPECT_NE(text.str().find("\"status\": \"max_iterations\""), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("\"phi\": -1"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace bilevel
