// Dataset operations: subset, check, deterministic splits and label corruption.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "bilevel/data/dataset.hpp"
#include "bilevel/data/synthetic_text.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;

// n samples with one feature equal to the row number, so a row's origin can be read back.
Dataset numbered(Index n, int classes, bool sparse) {
  Dataset d;
  d.name = "numbered";
  DenseMatrix x(n, 2);
  for (Index i = 0; i < n; ++i) x.row(i) << static_cast<double>(i), 1.0;
  if (sparse) {
    d.features = SparseMatrix(x.sparseView());
  } else {
    d.features = x;
  }
  for (Index i = 0; i < n; ++i) d.labels.push_back(static_cast<int>(i % classes));
  d.num_classes = classes;
  for (int c = 0; c < classes; ++c) d.class_names.push_back("c" + std::to_string(c));
  return d;
}

double row_id(const Dataset& d, Index i) {
  return d.is_sparse() ? d.sparse().coeff(i, 0) : d.dense()(i, 0);
}

TEST(DatasetSubset, TakesRowsInOrderDenseAndSparse) {
  for (bool sparse : {false, true}) {
    const Dataset d = numbered(10, 3, sparse);
    const std::vector<Index> rows = {7, 2, 2, 9};
    const Dataset s = d.subset(rows, "sub");
    ASSERT_EQ(s.num_samples(), 4);
    EXPECT_EQ(s.num_features(), 2);
    EXPECT_EQ(s.is_sparse(), sparse);
    for (Index i = 0; i < 4; ++i) EXPECT_EQ(row_id(s, i), rows[static_cast<std::size_t>(i)]);
    EXPECT_EQ(s.labels, (std::vector<int>{1, 2, 2, 0}));
    EXPECT_EQ(s.class_names, d.class_names);
    EXPECT_EQ(s.name, "sub");
    const std::vector<Index> bad = {10};
    expect_invalid([&] { d.subset(bad, "x"); }, {"row 10"});
  }
}

TEST(DatasetCheck, RejectsBadLabelsSizesAndValues) {
  Dataset d = numbered(5, 2, false);
  d.check();
  d.labels[3] = 2;
  expect_invalid([&] { d.check(); }, {"label 2"});
  d.labels[3] = 0;
  d.labels.pop_back();
  expect_invalid([&] { d.check(); }, {"labels"});
  d = numbered(5, 2, false);
  std::get<DenseMatrix>(d.features)(1, 1) = std::nan("");
  expect_invalid([&] { d.check(); }, {"not finite"});
  d = numbered(5, 2, true);
  std::get<SparseMatrix>(d.features).coeffRef(2, 1) = INFINITY;
  expect_invalid([&] { d.check(); }, {"not finite"});
}

TEST(SplitData, SizesDisjointAndDeterministic) {
  const Dataset d = numbered(100, 4, true);
  const Split a = split(d, 50, 20, 10, 7);
  EXPECT_EQ(a.train.num_samples(), 50);
  EXPECT_EQ(a.val.num_samples(), 20);
  EXPECT_EQ(a.test.num_samples(), 10);
  std::set<double> seen;
  for (const Dataset* part : {&a.train, &a.val, &a.test}) {
    for (Index i = 0; i < part->num_samples(); ++i) {
      EXPECT_TRUE(seen.insert(row_id(*part, i)).second) << "row used twice";
      // Labels travel with their rows.
      EXPECT_EQ(part->labels[static_cast<std::size_t>(i)], static_cast<int>(row_id(*part, i)) % 4);
    }
  }
  const Split same = split(d, 50, 20, 10, 7);
  const Split other = split(d, 50, 20, 10, 8);
  bool differs = false;
  for (Index i = 0; i < 50; ++i) {
    EXPECT_EQ(row_id(a.train, i), row_id(same.train, i));
    differs = differs || row_id(a.train, i) != row_id(other.train, i);
  }
  EXPECT_TRUE(differs) << "seeds 7 and 8 gave the same split";
  EXPECT_EQ(a.train.name, "numbered/train");
}

TEST(SplitData, IsAUniformPermutationPrefix) {
  // Each row should land in train (20 of 40) about half the time over many seeds.
  const Dataset d = numbered(40, 2, false);
  std::vector<int> in_train(40, 0);
  const int trials = 2000;
  for (int s = 0; s < trials; ++s) {
    const Split sp = split(d, 20, 0, 0, static_cast<std::uint64_t>(s));
    for (Index i = 0; i < 20; ++i) ++in_train[static_cast<std::size_t>(row_id(sp.train, i))];
  }
  for (int c : in_train) EXPECT_NEAR(c / double(trials), 0.5, 0.05);
}

TEST(SplitData, TooLargeOrNegativeIsRejected) {
  const Dataset d = numbered(10, 2, false);
  expect_invalid([&] { split(d, 6, 3, 2, 0); }, {"numbered", "10"});
  expect_invalid([&] { split(d, -1, 3, 2, 0); }, {">= 0"});
  EXPECT_NO_THROW(split(d, 6, 3, 1, 0));
}

TEST(CorruptLabels, ChangesExactlyRoundPnLabelsToOtherClasses) {
  for (int classes : {2, 3, 10}) {
    const Dataset original = numbered(101, classes, false);
    for (double p : {0.0, 0.1, 0.255, 0.5, 1.0}) {
      Dataset d = original;
      const std::vector<Index> rows = corrupt_labels(&d, p, 42);
      const auto expected = static_cast<std::size_t>(std::llround(p * 101));
      ASSERT_EQ(rows.size(), expected);
      EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
      EXPECT_EQ(std::adjacent_find(rows.begin(), rows.end()), rows.end()) << "repeated row";
      std::size_t changed = 0;
      for (std::size_t i = 0; i < d.labels.size(); ++i) {
        const bool listed = std::binary_search(rows.begin(), rows.end(), static_cast<Index>(i));
        if (d.labels[i] != original.labels[i]) ++changed;
        EXPECT_EQ(listed, d.labels[i] != original.labels[i]) << "row " << i;
        EXPECT_GE(d.labels[i], 0);
        EXPECT_LT(d.labels[i], classes);
      }
      EXPECT_EQ(changed, expected);
    }
  }
}

TEST(CorruptLabels, ReproducibleForASeed) {
  const Dataset original = numbered(500, 5, true);
  Dataset a = original, b = original, c = original;
  EXPECT_EQ(corrupt_labels(&a, 0.3, 9), corrupt_labels(&b, 0.3, 9));
  EXPECT_EQ(a.labels, b.labels);
  corrupt_labels(&c, 0.3, 10);
  EXPECT_NE(a.labels, c.labels);
}

TEST(CorruptLabels, NewLabelsAreUniformOverTheOtherClasses) {
  // Over a big draw, the corrupted fraction is p and each wrong class is equally likely.
  const int classes = 4;
  const Dataset original = numbered(40000, classes, false);
  Dataset d = original;
  const double p = 0.37;
  corrupt_labels(&d, p, 1);
  std::vector<int> shift_counts(classes, 0);  // (new - old) mod C
  Index changed = 0;
  for (std::size_t i = 0; i < d.labels.size(); ++i) {
    if (d.labels[i] == original.labels[i]) continue;
    ++changed;
    ++shift_counts[static_cast<std::size_t>((d.labels[i] - original.labels[i] + classes) %
                                            classes)];
  }
  EXPECT_NEAR(changed / 40000.0, p, 1e-4);
  for (int s = 1; s < classes; ++s) EXPECT_NEAR(shift_counts[s] / double(changed), 1.0 / 3, 0.02);
}

TEST(CorruptLabels, BadFractionOrSingleClassIsRejected) {
  Dataset d = numbered(10, 2, false);
  expect_invalid([&] { corrupt_labels(&d, 1.5, 0); }, {"[0, 1]"});
  expect_invalid([&] { corrupt_labels(&d, -0.1, 0); }, {"[0, 1]"});
  Dataset one = numbered(10, 1, false);
  expect_invalid([&] { corrupt_labels(&one, 0.5, 0); }, {"2 classes"});
  EXPECT_TRUE(corrupt_labels(&one, 0.0, 0).empty());
}

}  // namespace
}  // namespace bilevel::data
