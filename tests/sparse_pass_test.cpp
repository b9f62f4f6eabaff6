// The sparse pass (src/kernels/sparse_pass.hpp) on text-like data (few non-zeros per row out
// of many features, so that make_softmax_fused keeps it sparse): every oracle against the
// two-pass float64 reference (Eigen products) on full batches, small minibatches (row by row)
// and large ones (through the transposed copy), float64 and float32, each SIMD width of a row
// (1 to 8 vectors and the generic one); the per-feature ridge against its closed form (sparse
// and dense passes, reference); identical results on 1 and 2 threads; and
// low-dimensional sparse data going through the dense pass.
#include <gtest/gtest.h>
#include <omp.h>

#include <vector>

#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/kernels/softmax_regression.hpp"
#include "classification_fixtures.hpp"
#include "data_test_support.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::random_vector;
using testing::rel_err;

// n rows with per_row non-zeros each, at random features of d (a column may repeat: Eigen
// adds the duplicates), random labels.
data::Dataset text_like(Index n, Index d, Index per_row, int classes, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Eigen::Triplet<double, std::int64_t>> entries;
  for (Index i = 0; i < n; ++i)
    for (Index k = 0; k < per_row; ++k)
      entries.emplace_back(i, static_cast<Index>(uniform01(rng) * static_cast<double>(d)),
                           uniform01(rng));
  data::SparseMatrix a(n, d);
  a.setFromTriplets(entries.begin(), entries.end());
  data::Dataset ds;
  ds.name = "text-like";
  ds.features = std::move(a);
  ds.num_classes = classes;
  for (int k = 0; k < classes; ++k) ds.class_names.push_back(std::to_string(k));
  for (Index i = 0; i < n; ++i) ds.labels.push_back(static_cast<int>(uniform01(rng) * classes));
  return ds;
}

// Every oracle once: a gradient with losses, two stacked gradients, a Hessian-vector product,
// directional derivatives and losses with the accuracy; and the gradient, the stacked pair and
// the product again with a per-feature ridge (learnreg's regularizer, added inside the pass).
struct Oracles {
  Vec grad, loss, first, second, hvp, dir, loss2;
  Vec grad_r, first_r, second_r, hvp_r;
  double acc = 0;
};

// A per-feature ridge with weights spread over three orders of magnitude.
Vec ridge_of(Index d) { return (3.0 * random_vector(d, 5)).array().exp(); }

Oracles oracles(const SoftmaxRegression& ce, SoftmaxRegression::Rows rows) {
  const Index m = rows.empty() ? ce.num_samples() : static_cast<Index>(rows.size());
  const Vec y = 0.5 * random_vector(ce.dim(), 1), y2 = 0.5 * random_vector(ce.dim(), 2);
  const Vec v = random_vector(ce.dim(), 3), s = random_vector(m, 4).cwiseAbs();
  Oracles o;
  ce.gradient_at(y, rows, s, &o.grad, &o.loss);
  const Vec* ys[] = {&y, &y2};
  Vec* gs[] = {&o.first, &o.second};
  ce.gradients_at(ys, rows, s, gs, nullptr);
  ce.hvp_at(y, rows, s, v, &o.hvp);
  ce.directional_at(y, rows, v, &o.dir);
  o.acc = ce.losses_at(y2, rows, &o.loss2);
  for (Vec* per_row : {&o.loss, &o.dir, &o.loss2}) per_row->conservativeResize(m);
  const Vec ridge = ridge_of(ce.num_features());
  ce.gradient_at(y, rows, s, &o.grad_r, nullptr, &ridge);
  Vec* gs_r[] = {&o.first_r, &o.second_r};
  ce.gradients_at(ys, rows, s, gs_r, nullptr, &ridge);
  ce.hvp_at(y, rows, s, v, &o.hvp_r, &ridge);
  return o;
}

void expect_near(const Oracles& got, const Oracles& want, double tol, const std::string& what) {
  EXPECT_LE(rel_err(got.grad, want.grad), tol) << what;
  EXPECT_LE(rel_err(got.loss, want.loss), tol) << what;
  EXPECT_LE(rel_err(got.first, want.first), tol) << what;
  EXPECT_LE(rel_err(got.second, want.second), tol) << what;
  EXPECT_LE(rel_err(got.hvp, want.hvp), tol) << what;
  EXPECT_LE(rel_err(got.dir, want.dir), tol) << what;
  EXPECT_LE(rel_err(got.loss2, want.loss2), tol) << what;
  EXPECT_LE(rel_err(got.grad_r, want.grad_r), tol) << what;
  EXPECT_LE(rel_err(got.first_r, want.first_r), tol) << what;
  EXPECT_LE(rel_err(got.second_r, want.second_r), tol) << what;
  EXPECT_LE(rel_err(got.hvp_r, want.hvp_r), tol) << what;
}

void expect_equal(const Oracles& a, const Oracles& b, const std::string& what) {
  EXPECT_EQ(a.grad, b.grad) << what;  // bitwise
  EXPECT_EQ(a.loss, b.loss) << what;
  EXPECT_EQ(a.first, b.first) << what;
  EXPECT_EQ(a.second, b.second) << what;
  EXPECT_EQ(a.hvp, b.hvp) << what;
  EXPECT_EQ(a.dir, b.dir) << what;
  EXPECT_EQ(a.loss2, b.loss2) << what;
  EXPECT_EQ(a.acc, b.acc) << what;
  EXPECT_EQ(a.grad_r, b.grad_r) << what;
  EXPECT_EQ(a.first_r, b.first_r) << what;
  EXPECT_EQ(a.second_r, b.second_r) << what;
  EXPECT_EQ(a.hvp_r, b.hvp_r) << what;
}

// The ridge's term in closed form: with it, row j of W's part of a gradient gains ridge(j)
// times row j of the point's W (of the direction's, for a Hessian-vector product), and nothing
// else changes (the bias's rows are untouched).
void expect_ridge_term(const SoftmaxRegression& ce, SoftmaxRegression::Rows rows, double tol,
                       const std::string& what) {
  const Oracles o = oracles(ce, rows);
  const Index d = ce.num_features(), c = ce.num_classes();
  const Vec ridge = ridge_of(d);
  const Vec y = 0.5 * random_vector(ce.dim(), 1), y2 = 0.5 * random_vector(ce.dim(), 2);
  const Vec v = random_vector(ce.dim(), 3);
  auto term = [&](const Vec& src) {
    Vec t = Vec::Zero(ce.dim());
    SoftmaxRegression::weights(&t, d, c) =
        ridge.asDiagonal() * SoftmaxRegression::weights(src, d, c);
    return t;
  };
  EXPECT_LE(rel_err(o.grad_r, o.grad + term(y)), tol) << what;
  EXPECT_LE(rel_err(o.first_r, o.first + term(y)), tol) << what;
  EXPECT_LE(rel_err(o.second_r, o.second + term(y2)), tol) << what;
  EXPECT_LE(rel_err(o.hvp_r, o.hvp + term(v)), tol) << what;
  // The term is not negligible against the rest (else the checks above could not fail).
  EXPECT_GT(rel_err(o.grad_r, o.grad), 1e-2) << what;
  EXPECT_GT(rel_err(o.hvp_r, o.hvp), 1e-2) << what;
}

struct TextShape {
  Index n, d, per_row;
  int classes;
};

// Row selections: the full batch, a small minibatch (row by row) and one of more than a
// quarter of the rows (through the transposed copy), both unordered and with repeats.
std::vector<std::vector<Index>> selections(Index n) {
  std::vector<Index> small = {5, 0, n - 1, 9, 9, 3};
  std::vector<Index> large;
  for (Index i = 0; i < n / 2; ++i) large.push_back((7 * i) % n);
  large.push_back(large[3]);
  return {{}, small, large};
}

class SparseTextPass : public ::testing::TestWithParam<TextShape> {};

TEST_P(SparseTextPass, EveryOracleMatchesTheReferenceOnFullAndPartialBatches) {
  const TextShape sh = GetParam();
  const data::Dataset ds = text_like(sh.n, sh.d, sh.per_row, sh.classes, 7);
  const SoftmaxRegression reference(&ds, {false, false});
  const SoftmaxRegression fused(&ds, {true, false}), single(&ds, {true, true});
  for (const auto& rows : selections(sh.n)) {
    const std::string what = "rows " + std::to_string(rows.size());
    const Oracles want = oracles(reference, rows);
    const Oracles got = oracles(fused, rows);
    expect_near(got, want, 1e-12, what + " float64");
    EXPECT_EQ(got.acc, want.acc) << what;
    expect_near(oracles(single, rows), want, 2e-5, what + " float32");
  }
}

TEST_P(SparseTextPass, ResultsAreIdenticalOnOneAndTwoThreads) {
  const TextShape sh = GetParam();
  const data::Dataset ds = text_like(sh.n, sh.d, sh.per_row, sh.classes, 8);
  for (bool single : {false, true}) {
    const SoftmaxRegression ce(&ds, {true, single});
    for (const auto& rows : selections(sh.n)) {
      const int saved = omp_get_max_threads();
      omp_set_num_threads(1);
      const Oracles one = oracles(ce, rows);
      omp_set_num_threads(2);
      const Oracles two = oracles(ce, rows);
      omp_set_num_threads(saved);
      expect_equal(one, two, "rows " + std::to_string(rows.size()) + (single ? " float32" : ""));
    }
  }
}

TEST_P(SparseTextPass, TheRidgeAddsItsClosedFormTerm) {
  const TextShape sh = GetParam();
  const data::Dataset ds = text_like(sh.n, sh.d, sh.per_row, sh.classes, 9);
  const SoftmaxRegression reference(&ds, {false, false});
  const SoftmaxRegression fused(&ds, {true, false}), single(&ds, {true, true});
  for (const auto& rows : selections(sh.n)) {
    const std::string what = "rows " + std::to_string(rows.size());
    expect_ridge_term(reference, rows, 1e-14, what + " reference");
    expect_ridge_term(fused, rows, 1e-14, what + " float64");
    expect_ridge_term(single, rows, 1e-14, what + " float32");
  }
}

// Fewer rows than features (the forward through the transposed copy) with 20 classes (rows of
// 20 and, stacked, 40 columns: 3 and 5 float vectors, 5 and 10 double ones) and 25 (stacked:
// 13 double vectors, the generic kernel); more rows than features (the forward row by row)
// with 3 classes. Sizes large enough for the pass to use threads.
INSTANTIATE_TEST_SUITE_P(Shapes, SparseTextPass,
                         ::testing::Values(TextShape{400, 3000, 40, 20},
                                           TextShape{300, 2000, 30, 25},
                                           TextShape{6000, 400, 16, 3}),
                         [](const auto& info) {
                           const TextShape& s = info.param;
                           return "n" + std::to_string(s.n) + "_d" + std::to_string(s.d) + "_" +
                                  std::to_string(s.classes) + "classes";
                         });

// A sparse set with few features (australian has 14) runs through the dense pass: the same
// bits as the same data stored dense.
TEST(SparsePassChoice, LowDimensionalSparseDataTakesTheDensePath) {
  const data::Dataset sparse = testing::random_dataset(5000, 14, 3, true, 5);
  data::Dataset dense = sparse;
  dense.features = data::DenseMatrix(sparse.sparse());
  for (bool single : {false, true}) {
    const SoftmaxRegression a(&sparse, {true, single}), b(&dense, {true, single});
    expect_equal(oracles(a, {}), oracles(b, {}), single ? "float32" : "float64");
  }
}

// The dense pass adds the ridge as it unpacks G, and the dense reference after its products.
TEST(DensePassRidge, TheRidgeAddsItsClosedFormTerm) {
  const data::Dataset dense = testing::random_dataset(3000, 30, 4, false, 6);
  const SoftmaxRegression reference(&dense, {false, false});
  const SoftmaxRegression fused(&dense, {true, false}), single(&dense, {true, true});
  for (const auto& rows : selections(dense.num_samples())) {
    const std::string what = "rows " + std::to_string(rows.size());
    expect_ridge_term(reference, rows, 1e-14, what + " reference");
    expect_ridge_term(fused, rows, 1e-14, what + " float64");
    expect_ridge_term(single, rows, 1e-14, what + " float32");
    expect_near(oracles(fused, rows), oracles(reference, rows), 1e-12, what);
  }
}

// The fused kernels' copies (the sparse pass's transposed copy, the float copies) are checked
// against the memory budget before they are allocated: a budget that the model's own vectors
// fit in but the copies do not refuses the fused kernels only, naming them.
TEST(FusedKernelMemory, TheCopiesAreCheckedAgainstTheBudget) {
  struct LimitGuard {
    ~LimitGuard() { set_memory_limit(0); }
  } guard;
  const data::Dataset text = text_like(3000, 20000, 500, 3, 10);  // 1.5M non-zeros
  const data::Dataset dense = testing::random_dataset(20000, 400, 3, false, 11);
  using S = SoftmaxRegression;
  EXPECT_GT(S::kernel_bytes(text, {true, false}), std::int64_t{15} << 20);  // the CSC: 18 MB
  EXPECT_GT(S::kernel_bytes(dense, {true, true}), std::int64_t{30} << 20);  // floats: 32 MB
  EXPECT_EQ(S::kernel_bytes(dense, {true, false}), 0);  // the double pass reads the data
  EXPECT_EQ(S::kernel_bytes(text, {false, false}), 0);  // the reference makes no copies
  set_memory_limit(std::int64_t{10} << 20);
  EXPECT_NO_THROW(SoftmaxRegression(&text, {false, false}));
  EXPECT_NO_THROW(SoftmaxRegression(&dense, {true, false}));
  testing::expect_invalid([&] { SoftmaxRegression(&text, {true, false}); },
                          {"fused kernels' copies", "text-like", "--max-memory"});
  testing::expect_invalid([&] { SoftmaxRegression(&dense, {true, true}); },
                          {"fused kernels' copies", "--max-memory"});
}

TEST(SoftmaxRidge, AWrongLengthIsRefused) {
  const data::Dataset dense = testing::random_dataset(50, 6, 3, false, 7);
  const Vec y = Vec::Zero(SoftmaxRegression(&dense).dim()), s = Vec::Ones(50), ridge = Vec::Ones(5);
  Vec g;
  for (bool fused : {false, true}) {
    const SoftmaxRegression ce(&dense, {fused, false});
    EXPECT_THROW(ce.gradient_at(y, {}, s, &g, nullptr, &ridge), std::invalid_argument);
    EXPECT_THROW(ce.hvp_at(y, {}, s, y, &g, &ridge), std::invalid_argument);
  }
}

}  // namespace
}  // namespace bilevel
