// dro-logistic: F's oracles against finite differences, the f = F, g = -F convention,
// strong concavity, the closed forms of y*, P, grad P and Hess P against their formulas and
// Diagnostics' generic solvers, the stated constants, the metrics, and the options.
#include "bilevel/problems/dro_logistic.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/algorithm.hpp"
#include "minimax_support.hpp"

namespace bilevel {
namespace {

using testing::rel_err;

// Small instances keep the generic Newton-CG and finite differences fast.
DroLogisticOptions small(const std::string& dataset = "breast-cancer") {
  DroLogisticOptions o;
  o.dataset = dataset;
  o.n_train = 40;
  o.n_test = 30;
  o.seed = 3;
  return o;
}

using DroLogisticWithoutClosedForms = testing::WithoutClosedForms<DroLogistic>;

Vec random_x(const Problem& p, std::uint64_t seed, double scale = 0.5) {
  return scale * testing::random_vector(p.dim_x(), seed);
}
// Weights around the uniform 1/n.
Vec random_y(const Problem& p, std::uint64_t seed) {
  const double n = static_cast<double>(p.dim_y());
  return (Vec::Ones(p.dim_y()) + 0.5 * testing::random_vector(p.dim_y(), seed)) / n;
}

// The training losses l_i(x) from the problem's features and labels.
Vec losses(const DroLogistic& p, const Vec& x) {
  const Vec z = p.labels().cwiseProduct(p.features() * x);
  return z.unaryExpr([](double t) { return std::log1p(std::exp(-t)); });
}

TEST(DroLogistic, GradientsMatchFiniteDifferencesOfValues) {
  for (const std::string ds : {"breast-cancer", "australian"}) {
    DroLogistic p(small(ds));
    const std::vector<Index> one = {0};
    testing::expect_gradients_match_finite_differences(p, random_x(p, 1), random_y(p, 2), one);
  }
}

TEST(DroLogistic, SecondOrderProductsAndDenseHessiansMatchFiniteDifferences) {
  for (const std::string ds : {"breast-cancer", "australian"}) {
    DroLogistic p(small(ds));
    const Vec x = random_x(p, 3), y = random_y(p, 4);
    const Vec v = testing::random_vector(p.dim_y(), 5), u = testing::random_vector(p.dim_x(), 6);
    for (Fn fn : {Fn::kF, Fn::kG})
      testing::expect_second_order_matches_finite_differences(p, fn, x, y, v, u, Batch{}, 1e-7);
  }
}

TEST(DroLogistic, GIsMinusFAndCallsCountOnTheirLevel) {
  DroLogistic p(small());
  testing::expect_g_is_minus_f_counted_by_level(p, random_x(p, 7), random_y(p, 8),
                                                testing::random_vector(p.dim_y(), 9),
                                                testing::random_vector(p.dim_x(), 10));
}

TEST(DroLogistic, StronglyConcaveInY) {
  DroLogistic p(small());
  EXPECT_NEAR(*p.constants().mu_g, p.lam1() * 40 * 40, 1e-12);
  for (std::uint64_t seed = 11; seed < 14; ++seed)
    testing::expect_strongly_concave(p, random_x(p, seed, 2.0), random_y(p, seed + 50));
}

TEST(DroLogistic, MaximizerIsARootOfGradYWithTheStatedFormula) {
  DroLogistic p(small());
  const double n = 40;
  for (std::uint64_t seed = 14; seed < 17; ++seed) {
    const Vec x = random_x(p, seed);
    testing::expect_maximizer_is_stationary(p, x, 1e-13);
    Vec ys;
    ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
    const Vec l = losses(p, x);
    EXPECT_LT(rel_err(ys, (Vec::Ones(40) / n + l / (p.lam1() * n * n)).eval()), 1e-14);
  }
}

TEST(DroLogistic, ClosedFormsAgreeWithDiagnosticsGenericSolvers) {
  for (const std::string ds : {"breast-cancer", "australian"}) {
    const DroLogisticOptions o = small(ds);
    DroLogistic p(o);
    DroLogisticWithoutClosedForms generic(o);
    for (std::uint64_t seed = 17; seed < 19; ++seed) {
      const Vec x = random_x(p, seed);
      testing::expect_closed_forms_match_generic(p, generic, x, 1e-9);
      // P = mean l + ||l||^2 / (2 lam1 n^2) + R = F(x, y*(x)).
      Vec ys;
      ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
      EXPECT_NEAR(p.max_value(x), p.objective(x, ys), 1e-13);
      const Vec l = losses(p, x);
      const double no_reg = l.mean() + l.squaredNorm() / (2 * p.lam1() * 40 * 40);
      EXPECT_GT(p.max_value(x), no_reg);                           // R > 0 off w = 0
      EXPECT_LT(p.max_value(x) - no_reg, 1e-3 * (p.dim_x() - 1));  // R < lam2 d
    }
  }
}

TEST(DroLogistic, ConstantsBoundTheCurvatures) {
  DroLogistic p(small("australian"));
  const ProblemConstants k = p.constants();
  ASSERT_TRUE(k.mu_g && k.L_g && k.L_f && k.L_phi && k.rho_phi);
  EXPECT_EQ(*k.mu_g, *k.L_g);
  Diagnostics d(p);
  double max_phi = 0, max_f = 0, max_rho = 0;
  for (std::uint64_t seed = 20; seed < 60; ++seed) {
    // Scales from near 0 (where the regularizer's curvature peaks) to large margins.
    const Vec x = random_x(p, seed, 0.05 * static_cast<double>(seed - 19));
    const Mat h = d.hessian_phi(x);
    max_phi = std::max(max_phi, testing::max_abs_eigenvalue(h));
    const Vec x2 = x + random_x(p, seed + 100, 1e-3);
    max_rho =
        std::max(max_rho, testing::max_abs_eigenvalue(d.hessian_phi(x2) - h) / (x2 - x).norm());
    // F's joint Hessian on the graph (x, y*(x)), where L_f is stated.
    Mat hxx, hxy, hyy;
    p.hessian(Fn::kF, x, d.lower_solution(x), Batch{}, &hxx, &hxy, &hyy);
    Mat joint(p.dim_x() + p.dim_y(), p.dim_x() + p.dim_y());
    joint << hxx, hxy, hxy.transpose(), hyy;
    max_f = std::max(max_f, testing::max_abs_eigenvalue(joint));
  }
  EXPECT_LE(max_phi, *k.L_phi);
  EXPECT_LE(max_rho, *k.rho_phi);      // a bound of Hess P's Lipschitz constant
  EXPECT_GT(max_phi, 0.1 * *k.L_phi);  // not vacuous
  EXPECT_LE(max_f, *k.L_f);
  EXPECT_GT(max_f, 0.5 * *k.L_f);
  // The loss-curvature bound c_l >= sup_z l(z) s(z) (1 - s(z)), and is tight.
  double sup = 0;
  for (double z = -30; z <= 30; z += 1e-3) {
    const double s = 1 / (1 + std::exp(z)), l = std::log1p(std::exp(-z));
    sup = std::max(sup, l * s * (1 - s));
  }
  EXPECT_LE(sup, DroLogistic::kLossCurvatureBound);
  EXPECT_GT(sup, DroLogistic::kLossCurvatureBound - 1e-3);
}

TEST(DroLogistic, MetricsAtZeroAndAfterAFewHypergradientSteps) {
  DroLogisticOptions o;
  o.dataset = "breast-cancer";
  DroLogistic p(o);
  EXPECT_EQ(p.dim_x(), 11);  // 10 features and the bias
  EXPECT_EQ(p.dim_y(), 683 - 683 / 4);
  EXPECT_EQ(p.initial_y(), (Vec::Ones(p.dim_y()) / static_cast<double>(p.dim_y())).eval());
  const std::vector<double> m0 = p.metrics(p.initial_x(), p.initial_y());
  ASSERT_EQ(m0.size(), p.metric_names().size());
  EXPECT_NEAR(m0[0], std::log(2.0), 1e-13);  // train_loss
  EXPECT_EQ(m0[1], 0.0);                     // margins 0 count as wrong
  EXPECT_NEAR(m0[2], std::log(2.0), 1e-13);  // test_loss
  auto a = make_algorithm("aid-cg", {});
  const Result r = a->solve(p, testing::iterations(100));
  const std::vector<double> m = p.metrics(r.x, r.y);
  EXPECT_LT(m[0], 0.2);
  EXPECT_GT(m[1], 0.9);
  EXPECT_GT(m[3], 0.9);
  Diagnostics d(p);
  EXPECT_LT(d.hypergradient(r.x).norm(), 0.1 * d.hypergradient(p.initial_x()).norm());
}

TEST(DroLogisticOptions, Lam1AutoIsOneOverNAndExplicitValuesAreKept) {
  DroLogisticOptions o = small();
  EXPECT_EQ(DroLogistic(o).lam1(), 1.0 / 40);
  o.lam1 = 1.0 / (40.0 * 40.0);  // the papers' value
  DroLogistic p(o);
  EXPECT_EQ(p.lam1(), 1.0 / 1600);
  EXPECT_NEAR(*p.constants().mu_g, 1.0, 1e-15);
}

TEST(DroLogisticOptions, RejectsBadValuesWithOneClearMessage) {
  using testing::problem_error;
  const std::string name = "dro-logistic";
  EXPECT_EQ(problem_error(name, {{"n_train", "30"}}), "");
  EXPECT_NE(problem_error(name, {{"lam1", "0"}}).find("lam1 must be > 0"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"lam2", "-1"}}).find("lam2 must be >= 0"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"alpha", "0"}}).find("alpha must be > 0"), std::string::npos);
  EXPECT_NE(problem_error(name, {{"n_train", "100000"}}).find("must fit in the dataset"),
            std::string::npos);
  try {
    make_problem(name, {{"dataset", "synthetic-text:n=50,d=20,nnz=4,classes=3"}});
    ADD_FAILURE() << "a 3-class dataset was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("a binary dataset is needed"), std::string::npos);
  }
}

}  // namespace
}  // namespace bilevel
