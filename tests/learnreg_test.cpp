// The learnreg problem: oracles against finite differences for dense and sparse features,
// minibatch consistency, counting, constants, options, the exact hypergradient, and loading
// real data through the registry.
#include "bilevel/problems/learnreg.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/registry.hpp"
#include "classification_fixtures.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_gradient;
using testing::fd_jacobian;
using testing::random_dataset;
using testing::rel_err;

std::unique_ptr<Learnreg> tiny(bool sparse, LearnregOptions o = {}) {
  return std::make_unique<Learnreg>(random_dataset(10, 4, 3, sparse, 1),
                                    random_dataset(7, 4, 3, sparse, 2),
                                    random_dataset(5, 4, 3, sparse, 3), o);
}

struct Point {
  Vec x, y;
};

Point random_point(const Learnreg& p, std::uint64_t seed) {
  Rng rng(seed);
  const Vec x = Vec::Constant(p.dim_x(), std::log(0.05)) + 0.5 * gaussian_vector(p.dim_x(), rng);
  return {x, 0.5 * gaussian_vector(p.dim_y(), rng)};
}

const std::vector<Index> kBatch = {1, 2, 5};

// (sparse features?, a bias term?)
class LearnregOracles : public ::testing::TestWithParam<std::tuple<bool, bool>> {
 protected:
  std::unique_ptr<Learnreg> problem() const {
    LearnregOptions o;
    o.bias = std::get<1>(GetParam());
    return tiny(std::get<0>(GetParam()), o);
  }
};

TEST_P(LearnregOracles, GradientsMatchFiniteDifferencesOfValues) {
  auto p = problem();
  const auto [x, y] = random_point(*p, 5);
  testing::expect_gradients_match_finite_differences(*p, x, y, kBatch);
}

TEST_P(LearnregOracles, SecondOrderProductsAndDenseBlocksMatchFiniteDifferences) {
  auto p = problem();
  ASSERT_TRUE(p->has_dense_hessian());
  const auto [x, y] = random_point(*p, 6);
  Rng rng(7);
  const Vec v = gaussian_vector(p->dim_y(), rng);
  const Vec u = gaussian_vector(p->dim_x(), rng);
  for (Fn fn : {Fn::kF, Fn::kG}) {
    for (const Batch b : {Batch{}, Batch{std::span<const Index>(kBatch)}}) {
      testing::expect_second_order_matches_finite_differences(*p, fn, x, y, v, u, b, 1e-7);
    }
  }
}

TEST_P(LearnregOracles, SingletonMinibatchesAverageToTheFullOracle) {
  auto p = problem();
  const auto [x, y] = random_point(*p, 8);
  Rng rng(9);
  testing::expect_singleton_minibatches_average_to_full(*p, x, y,
                                                        gaussian_vector(p->dim_y(), rng));
}

INSTANTIATE_TEST_SUITE_P(Learnreg, LearnregOracles,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "sparse" : "dense") +
                                  (std::get<1>(info.param) ? "" : "_no_bias");
                         });

// Without a bias the model is the one with its bias fixed at 0: the same values, and the
// W part of the same derivatives.
TEST(Learnreg, WithoutBiasIsTheModelWithItsBiasAtZero) {
  LearnregOptions no_bias;
  no_bias.bias = false;
  auto p = tiny(true, no_bias);
  auto full = tiny(true);
  const Index c = 3;
  ASSERT_EQ(p->dim_y() + c, full->dim_y());
  EXPECT_EQ(p->dim_y(), 4 * c);
  const auto [x, y] = random_point(*p, 11);
  Vec padded = Vec::Zero(full->dim_y());
  padded.head(p->dim_y()) = y;
  for (Fn fn : {Fn::kF, Fn::kG}) {
    EXPECT_DOUBLE_EQ(p->value(fn, x, y), full->value(fn, x, padded));
    Vec gx, gy, fgx, fgy;
    p->grad(fn, x, y, {}, &gx, &gy);
    full->grad(fn, x, padded, {}, &fgx, &fgy);
    EXPECT_LT((gy - fgy.head(p->dim_y())).norm(), 1e-14 * (1 + fgy.norm()));
    EXPECT_LT((gx - fgx).norm(), 1e-14 * (1 + fgx.norm()));
  }
  EXPECT_EQ(p->metrics(x, y), full->metrics(x, padded));
  // mu_g no longer involves the bias's c_bias.
  EXPECT_DOUBLE_EQ(*p->constants().mu_g, 2 * no_bias.reg0);
  // A method runs on it and lowers phi (this tiny random problem needs a smaller outer step
  // than the real datasets' default).
  RunSettings settings;
  settings.stopping.max_iters = 20;
  const Result r = make_algorithm("aid-cg", {{"eta", "1"}})->solve(*p, settings);
  EXPECT_EQ(r.y.size(), p->dim_y());
  EXPECT_LT(r.trace.records.back().phi, r.trace.records.front().phi) << r.message;
}

TEST(Learnreg, CountsEveryOracleCallByKindAndSamples) {
  auto p = tiny(true);
  const auto [x, y] = random_point(*p, 11);
  const Batch mb{std::span<const Index>(kBatch)};
  Vec a, b;
  p->grad(Fn::kG, x, y, mb, &a, &b);
  p->grad(Fn::kF, x, y, Batch{}, nullptr, &b);
  p->hyy(Fn::kG, x, y, y, Batch{}, &a);
  p->hxy(Fn::kG, x, y, y, mb, &a);
  p->value(Fn::kG, x, y, Batch{});
  const OracleCounts& c = p->counts();
  EXPECT_EQ(c.g.grad, 1);
  EXPECT_EQ(c.f.grad, 1);
  EXPECT_EQ(c.g.hvp, 2);
  EXPECT_EQ(c.g.value, 1);
  EXPECT_EQ(c.g.samples, 3 + 10 + 3 + 10);
  EXPECT_EQ(c.f.samples, 7);
}

TEST(Learnreg, ConstantsAndInitialPoint) {
  LearnregOptions o;
  o.reg0 = 0.01;
  auto p = tiny(false, o);
  const ProblemConstants k = p->constants();
  ASSERT_TRUE(k.mu_g);  // at the initial point: 2 min(reg0, c_bias)
  EXPECT_DOUBLE_EQ(*k.mu_g, 2 * std::min(o.reg0, o.c_bias));
  EXPECT_FALSE(k.L_g);
  ASSERT_TRUE(k.L_f);
  EXPECT_TRUE(p->initial_x().isApproxToConstant(std::log(0.01)));
  EXPECT_EQ(p->initial_y(), Vec::Zero(p->dim_y()));
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(seed);
    Mat hf;
    p->hessian(Fn::kF, p->initial_x(), 3.0 * gaussian_vector(p->dim_y(), rng), Batch{}, nullptr,
               nullptr, &hf);
    EXPECT_LE(Eigen::SelfAdjointEigenSolver<Mat>(hf).eigenvalues().maxCoeff(), *k.L_f);
  }
  // The lower level is strongly convex in y (the bias ridge removes softmax's flat direction).
  Mat hg;
  p->hessian(Fn::kG, p->initial_x(), Vec::Zero(p->dim_y()), Batch{}, nullptr, nullptr, &hg);
  EXPECT_GE(Eigen::SelfAdjointEigenSolver<Mat>(hg).eigenvalues().minCoeff(), 2e-3 * (1 - 1e-9));
}

TEST(Learnreg, ExactHypergradientMatchesFiniteDifferencesOfPhi) {
  LearnregOptions o;
  o.c_bias = 0.05;  // phi's accuracy is ~1e-12 / mu_g: keep mu_g away from 0
  auto p = tiny(true, o);
  Diagnostics d(*p);
  const Vec x = Vec::Constant(p->dim_x(), std::log(0.05)) + 0.3 * testing::random_vector(4, 3);
  const Vec g = d.hypergradient(x);
  const Vec fd = fd_gradient([&](const Vec& xx) { return d.phi(xx); }, x, 1e-4);
  EXPECT_LT(rel_err(g, fd), 1e-6);
  EXPECT_GT(g.norm(), 1e-4);
}

TEST(Learnreg, MetricsReportValidationAndTest) {
  auto p = tiny(false);
  const std::vector<double> m = p->metrics(p->initial_x(), Vec::Zero(p->dim_y()));
  ASSERT_EQ(m.size(), p->metric_names().size());
  EXPECT_NEAR(m[0], std::log(3.0), 1e-12);
  EXPECT_NEAR(m[2], std::log(3.0), 1e-12);
}

TEST(LearnregOptions, RejectsBadValuesWithAClearMessage) {
  EXPECT_TRUE(option_violations(LearnregOptions{}, "").empty());
  LearnregOptions o;
  o.reg0 = 0;
  o.c_bias = -1;
  o.corrupt = -0.1;
  EXPECT_EQ(option_violations(o, "").size(), 3u);
  try {
    tiny(false, o);
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt must be in [0, 1]"), std::string::npos);
  }
  LearnregOptions big;
  big.split.n_val = 691;
  EXPECT_THROW(Learnreg{big}, InvalidOptions);
}

TEST(Learnreg, LoadsAustralianThroughTheRegistryAndSolvesTheLowerLevel) {
  auto p = make_problem("learnreg", {{"dataset", "australian"}});
  EXPECT_EQ(p->dim_x(), 14);
  EXPECT_EQ(p->dim_y(), 30);
  EXPECT_EQ(p->num_samples(Fn::kF), 172);
  Diagnostics d(*p);
  const auto start = std::chrono::steady_clock::now();
  const Vec ys = d.lower_solution(p->initial_x());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Vec gy;
  p->grad(Fn::kG, p->initial_x(), ys, Batch{}, nullptr, &gy);
  EXPECT_LE(gy.norm(), 1e-10);
  EXPECT_LT(seconds, 1.0);
  // The hypergradient is finite and nonzero: the validation loss does depend on the weights.
  const Vec g = d.hypergradient(p->initial_x());
  EXPECT_TRUE(g.allFinite());
  EXPECT_GT(g.norm(), 0.0);
}

}  // namespace
}  // namespace bilevel
