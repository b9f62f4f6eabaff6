// The fused softmax kernels (one blocked, multi-threaded pass per oracle) against the two-pass
// float64 reference: the same numbers up to rounding for every oracle, every class count
// (libxsmm kernels of every width, stacked pairs included), dense and sparse data,
// full batches and minibatches; float32 (dense and CSR) within single-precision rounding; identical results
// for any thread count; several points in one pass equal to separate calls.
#include <gtest/gtest.h>
#include <omp.h>

#include <numeric>
#include <vector>

#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/problems/learnreg.hpp"
#include "bilevel/kernels/softmax_regression.hpp"
#include "bilevel/registry.hpp"
#include "classification_fixtures.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::random_dataset;
using testing::random_vector;
using testing::rel_err;

// Every oracle of the model at a random point, with the given row selection and weights.
struct Outputs {
  Vec grad, loss, hvp, dir, grad2;
  double acc = 0;
};

Outputs all_oracles(const SoftmaxRegression& ce, SoftmaxRegression::Rows rows,
                    std::uint64_t seed) {
  const Index m = rows.empty() ? ce.num_samples() : static_cast<Index>(rows.size());
  const Vec y = 0.3 * random_vector(ce.dim(), seed);
  const Vec v = random_vector(ce.dim(), seed + 1);
  const Vec y2 = 0.3 * random_vector(ce.dim(), seed + 2);
  const Vec s = random_vector(m, seed + 3).cwiseAbs();
  Outputs o;
  ce.gradient_at(y, rows, s, &o.grad, &o.loss);
  ce.hvp_at(y, rows, s, v, &o.hvp);
  ce.directional_at(y, rows, v, &o.dir);
  Vec loss;
  o.acc = ce.losses_at(y, rows, &loss);
  EXPECT_LE((loss.head(m) - o.loss.head(m)).norm(), 1e-12 * o.loss.head(m).norm());
  // Two points in one pass: the second one's gradient equals a separate call.
  Vec g_first, g_second, g_alone;
  const Vec* ys[] = {&y, &y2};
  Vec* gs[] = {&g_first, &g_second};
  ce.gradients_at(ys, rows, s, gs, nullptr);
  ce.gradient_at(y2, rows, s, &g_alone, nullptr);
  // Stacking changes the padded width and so the tile shapes; float32 keeps the coefficients
  // in single precision, where that shows as rounding.
  const double tol = ce.kernel().single_precision ? 1e-6 : 1e-14;
  EXPECT_LE(rel_err(g_second, g_alone), tol);
  EXPECT_LE(rel_err(g_first, o.grad), tol);
  o.grad2 = g_second;
  o.loss.conservativeResize(m);
  o.dir.conservativeResize(m);
  return o;
}

void expect_close(const Outputs& a, const Outputs& b, double tol) {
  EXPECT_LE(rel_err(a.grad, b.grad), tol);
  EXPECT_LE(rel_err(a.loss, b.loss), tol);
  EXPECT_LE(rel_err(a.hvp, b.hvp), tol);
  EXPECT_LE(rel_err(a.dir, b.dir), tol);
  EXPECT_LE(rel_err(a.grad2, b.grad2), tol);
}

struct Shape {
  Index n, d;
  int classes;
  bool sparse;
};

class FusedKernels : public ::testing::TestWithParam<Shape> {};

TEST_P(FusedKernels, MatchTheReferenceOnFullDataAndMinibatches) {
  const Shape sh = GetParam();
  const data::Dataset ds = random_dataset(sh.n, sh.d, sh.classes, sh.sparse, 11);
  const SoftmaxRegression reference(&ds, {false, false});
  const SoftmaxRegression fused(&ds, {true, false});
  std::vector<Index> batch = {3, 0, sh.n - 1, 7, 7, 12};  // unordered, with a repeat
  for (const auto& rows : {std::span<const Index>{}, std::span<const Index>(batch)}) {
    const Outputs want = all_oracles(reference, rows, 5);
    const Outputs got = all_oracles(fused, rows, 5);
    expect_close(got, want, 1e-12);
    EXPECT_EQ(got.acc, want.acc);
    const SoftmaxRegression single(&ds, {true, true});
    expect_close(all_oracles(single, rows, 5), want, 2e-5);
  }
}

// Class counts 2..30 (stacked pairs: 4..60 columns) give kernels of many widths; feature
// counts that are not multiples of the SIMD width exercise the kernels' remainders; n = 1500
// and 3001 give several chunks and blocks (3001: a partial last block).
INSTANTIATE_TEST_SUITE_P(
    Shapes, FusedKernels,
    ::testing::Values(Shape{1500, 7, 2, false}, Shape{300, 13, 3, false},
                      Shape{300, 33, 5, false}, Shape{1500, 50, 10, false},
                      Shape{200, 9, 12, false}, Shape{200, 5, 17, false},
                      Shape{200, 3, 30, false}, Shape{3001, 150, 10, false},
                      Shape{1500, 40, 10, true},
                      Shape{200, 21, 3, true}),
    [](const auto& info) {
      const Shape& s = info.param;
      return std::to_string(s.classes) + "classes_d" + std::to_string(s.d) + "_n" +
             std::to_string(s.n) + (s.sparse ? "_sparse" : "_dense");
    });

TEST(FusedKernels, ResultsDoNotDependOnTheThreadCount) {
  for (bool sparse : {false, true}) {
    const data::Dataset ds = random_dataset(20000, 12, 4, sparse, 3);
    for (bool single : {false, true}) {
      const SoftmaxRegression ce(&ds, {true, single});
      const int saved = omp_get_max_threads();
      omp_set_num_threads(1);
      const Outputs one = all_oracles(ce, {}, 9);
      omp_set_num_threads(2);
      const Outputs two = all_oracles(ce, {}, 9);
      omp_set_num_threads(3);  // more threads than chunks divide evenly into
      const Outputs three = all_oracles(ce, {}, 9);
      omp_set_num_threads(saved);
      EXPECT_EQ(one.grad, two.grad);  // bitwise
      EXPECT_EQ(one.hvp, two.hvp);
      EXPECT_EQ(one.loss, two.loss);
      EXPECT_EQ(one.grad2, three.grad2);
      EXPECT_EQ(one.dir, three.dir);
    }
  }
}

TEST(FusedKernels, SinglePrecisionIsRejectedWithoutFusion) {
  const data::Dataset dense = random_dataset(50, 5, 3, false, 1);
  EXPECT_THROW(SoftmaxRegression(&dense, {false, true}), InvalidInput);
  HypercleanOptions o;
  o.kernel.fused = false;
  o.kernel.precision = "float32";
  EXPECT_FALSE(option_violations(o, "").empty());
}

// The problems' oracles through both paths: same numbers (problem-level code such as the
// sample weights and regularizers is shared, so this checks the wiring of each oracle).
template <class P>
void expect_problem_paths_agree(P& fused, P& reference) {
  const Vec x = fused.initial_x() + 0.1 * random_vector(fused.dim_x(), 4);
  const Vec y = 0.2 * random_vector(fused.dim_y(), 5);
  const Vec z = 0.2 * random_vector(fused.dim_y(), 6);
  const Vec v = random_vector(fused.dim_y(), 7), u = random_vector(fused.dim_x(), 8);
  std::vector<Index> rows = {1, 4, 2};
  for (const Batch b : {Batch{}, Batch{rows, std::nullopt}}) {
    for (Fn fn : {Fn::kF, Fn::kG}) {
      EXPECT_NEAR(fused.value(fn, x, y, b), reference.value(fn, x, y, b), 1e-12);
      Vec gx1, gy1, gx2, gy2, h1, h2;
      fused.grad(fn, x, y, b, &gx1, &gy1);
      reference.grad(fn, x, y, b, &gx2, &gy2);
      EXPECT_LE(rel_err(gy1, gy2), 1e-12);
      EXPECT_LE((gx1 - gx2).norm(), 1e-12 * (1 + gx2.norm()));
      fused.hyy(fn, x, y, v, b, &h1);
      reference.hyy(fn, x, y, v, b, &h2);
      EXPECT_LE(rel_err(h1, h2), 1e-12);
      fused.hxy(fn, x, y, v, b, &h1);
      reference.hxy(fn, x, y, v, b, &h2);
      EXPECT_LE((h1 - h2).norm(), 1e-12 * (1 + h2.norm()));
      fused.hyx(fn, x, y, u, b, &h1);
      reference.hyx(fn, x, y, u, b, &h2);
      EXPECT_LE((h1 - h2).norm(), 1e-12 * (1 + h2.norm()));
      // Two points, one call: equal to two separate calls of the reference, counted twice.
      Vec a, c;
      const Vec* points[] = {&z, &y};
      const Batch batches[] = {b, b};
      Vec* outs[] = {&a, &c};
      const Index before = fused.counts().of(fn).grad;
      fused.grad_y_multi(fn, x, points, batches, outs);
      EXPECT_EQ(fused.counts().of(fn).grad, before + 2);
      reference.grad(fn, x, z, b, nullptr, &gy2);
      EXPECT_LE(rel_err(a, gy2), 1e-12);
      reference.grad(fn, x, y, b, nullptr, &gy2);
      EXPECT_LE(rel_err(c, gy2), 1e-12);
    }
  }
  const auto m1 = fused.metrics(x, y), m2 = reference.metrics(x, y);
  for (std::size_t i = 0; i < m1.size(); ++i) {
    if (std::isnan(m2[i])) continue;
    EXPECT_NEAR(m1[i], m2[i], 1e-12) << "metric " << i;
  }
}

TEST(FusedKernels, HypercleanOraclesAgreeWithTheReferencePath) {
  for (const std::string weight : {"sigmoid", "clip", "softmax"}) {
    HypercleanOptions o;  // australian, 50% corrupted
    o.weight = weight;
    Hyperclean fused(o);
    o.kernel.fused = false;
    Hyperclean reference(o);
    expect_problem_paths_agree(fused, reference);
  }
}

TEST(FusedKernels, LearnregOraclesAgreeWithTheReferencePath) {
  for (bool sparse : {false, true}) {
    LearnregOptions o;
    auto split = [&] {
      return std::vector<data::Dataset>{random_dataset(60, 8, 3, sparse, 1),
                                        random_dataset(30, 8, 3, sparse, 2),
                                        random_dataset(20, 8, 3, sparse, 3)};
    };
    auto d1 = split(), d2 = split();
    Learnreg fused(d1[0], d1[1], d1[2], o);
    o.kernel.fused = false;
    Learnreg reference(d2[0], d2[1], d2[2], o);
    expect_problem_paths_agree(fused, reference);
  }
}

// Whole runs: F2BA and F2SA (whose inner steps take g's two gradients in one fused call) give
// the same iterates with either kernel.
TEST(FusedKernels, PenaltyMethodRunsAgreeBetweenKernels) {
  for (const std::string algo : {"f2ba", "f2sa"}) {
    HypercleanOptions o;  // australian
    Hyperclean fused(o);
    o.kernel.fused = false;
    Hyperclean reference(o);
    auto run = [&](Hyperclean& p) {
      auto a = make_algorithm(algo);
      // lam = 100: the auto lam (1e8 with hyperclean's kappa) multiplies the kernels' rounding
      // differences by 1e6 more than this comparison allows.
      if (algo == "f2ba") a = a->with_options({{"eta", "100"}, {"lam", "100"}});
      if (algo == "f2sa") a = a->with_options({{"T", "10"}, {"xi", "1e4"}});
      RunSettings s;
      s.diagnostics = false;
      s.stopping.max_iters = 5;
      return a->solve(p, s);
    };
    const Result a = run(fused), b = run(reference);
    EXPECT_LE(rel_err(a.x, b.x), 1e-10) << algo;
    EXPECT_LE(rel_err(a.y, b.y), 1e-10) << algo;
    EXPECT_GT((a.x - fused.initial_x()).norm(), 1e-6) << algo;  // x moved
    EXPECT_EQ(fused.counts().g.grad, reference.counts().g.grad) << algo;
  }
}

}  // namespace
}  // namespace bilevel
