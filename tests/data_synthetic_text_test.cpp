// Synthetic text data: sizes, sparsity, normalization, class structure and determinism.
#include <algorithm>
#include <chrono>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/synthetic_text.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;

SyntheticTextOptions small() {
  return {
      .num_samples = 2000, .num_features = 20000, .nnz_per_row = 60, .num_classes = 5, .seed = 3};
}

TEST(DatasetSyntheticText, SizesDensityAndUnitRows) {
  const Dataset d = make_synthetic_text(small());
  d.check();
  ASSERT_TRUE(d.is_sparse());
  EXPECT_EQ(d.num_samples(), 2000);
  EXPECT_EQ(d.num_features(), 20000);
  EXPECT_EQ(d.num_classes, 5);
  const SparseMatrix& x = d.sparse();
  const double mean_nnz = double(x.nonZeros()) / 2000;
  EXPECT_NEAR(mean_nnz, 60, 3);
  for (Index i = 0; i < x.rows(); ++i) {
    const Index nnz = x.outerIndexPtr()[i + 1] - x.outerIndexPtr()[i];
    EXPECT_GE(nnz, 30);
    EXPECT_LE(nnz, 90);
    EXPECT_NEAR(x.row(i).norm(), 1.0, 1e-12);
  }
  EXPECT_GT(x.coeffs().minCoeff(), 0.0);  // TF-IDF weights are positive
  std::vector<int> counts(5, 0);
  for (int l : d.labels) ++counts[static_cast<std::size_t>(l)];
  for (int c : counts) EXPECT_NEAR(c, 400, 80);
}

TEST(DatasetSyntheticText, SameSeedSameDataOtherSeedOtherData) {
  const Dataset a = make_synthetic_text(small());
  const Dataset b = make_synthetic_text(small());
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_TRUE(a.sparse().isApprox(b.sparse(), 0.0));
  EXPECT_EQ(a.sparse().nonZeros(), b.sparse().nonZeros());
  SyntheticTextOptions o = small();
  o.seed = 4;
  const Dataset c = make_synthetic_text(o);
  EXPECT_NE(a.labels, c.labels);
}

TEST(DatasetSyntheticText, ClassesAreSeparableByTheirTopicWords) {
  // Documents of one class share more words with each other than with other classes: the
  // mean cosine similarity within classes exceeds the one across classes.
  const Dataset d = make_synthetic_text(small());
  const SparseMatrix& x = d.sparse();
  double within = 0, across = 0;
  int n_within = 0, n_across = 0;
  for (Index i = 0; i < 300; ++i) {
    for (Index j = i + 1; j < 300; ++j) {
      const double cos = x.row(i).dot(x.row(j));
      if (d.labels[static_cast<std::size_t>(i)] == d.labels[static_cast<std::size_t>(j)]) {
        within += cos;
        ++n_within;
      } else {
        across += cos;
        ++n_across;
      }
    }
  }
  EXPECT_GT(within / n_within, 1.5 * across / n_across);
}

TEST(DatasetSyntheticText, DefaultIsTwentyNewsgroupsScale) {
  const auto start = std::chrono::steady_clock::now();
  const Dataset d = load_dataset("synthetic-text");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(d.num_samples(), 18000);
  EXPECT_EQ(d.num_features(), 130107);
  EXPECT_EQ(d.num_classes, 20);
  EXPECT_NEAR(double(d.sparse().nonZeros()) / 18000, 100, 3);
  // Not a benchmark: only a guard against a generator that became far too slow (it takes
  // about a second; the bound leaves room for a loaded machine).
  EXPECT_LT(seconds, 30.0);
}

TEST(DatasetSyntheticText, SpecParametersAndBadOptions) {
  const Dataset d = load_dataset("synthetic-text:n=300,d=1000,nnz=20,classes=3,seed=5");
  EXPECT_EQ(d.num_samples(), 300);
  EXPECT_EQ(d.num_features(), 1000);
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.name, "synthetic-text:n=300,d=1000,nnz=20,classes=3,seed=5");
  expect_invalid([] { load_dataset("synthetic-text:n=0"); }, {"synthetic-text", "n"});
  expect_invalid([] { load_dataset("synthetic-text:d=100,nnz=50"); }, {"nnz"});
  expect_invalid([] { load_dataset("synthetic-text:n=abc"); }, {"key=integer"});
}

}  // namespace
}  // namespace bilevel::data
