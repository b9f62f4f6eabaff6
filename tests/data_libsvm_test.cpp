// LIBSVM loader: the shipped real files, the accepted format variations, and rejected lines.
#include <algorithm>

#include "bilevel/data/libsvm.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::shipped;
using testing::TempDir;

std::vector<int> class_counts(const Dataset& d) {
  std::vector<int> counts(static_cast<std::size_t>(d.num_classes), 0);
  for (int l : d.labels) ++counts[static_cast<std::size_t>(l)];
  return counts;
}

TEST(LibsvmShipped, AustralianScale) {
  const Dataset d = load_libsvm(shipped("australian_scale"));
  EXPECT_TRUE(d.is_sparse());
  EXPECT_EQ(d.num_samples(), 690);
  EXPECT_EQ(d.num_features(), 14);
  ASSERT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"-1", "+1"}));
  EXPECT_EQ(class_counts(d), (std::vector<int>{383, 307}));
  d.check();
}

TEST(LibsvmShipped, BreastCancerKeepsLabels2And4) {
  const Dataset d = load_libsvm(shipped("breast-cancer_scale"));  // no final newline
  EXPECT_EQ(d.num_samples(), 683);
  EXPECT_EQ(d.num_features(), 10);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(class_counts(d), (std::vector<int>{444, 239}));
}

TEST(LibsvmShipped, HeartAndDiabetes) {
  const Dataset heart = load_libsvm(shipped("heart_scale"));
  EXPECT_EQ(heart.num_samples(), 270);
  EXPECT_EQ(heart.num_features(), 13);
  EXPECT_EQ(class_counts(heart), (std::vector<int>{150, 120}));
  const Dataset diabetes = load_libsvm(shipped("diabetes_scale"));
  EXPECT_EQ(diabetes.num_samples(), 768);
  EXPECT_EQ(diabetes.num_features(), 8);
  EXPECT_EQ(class_counts(diabetes), (std::vector<int>{268, 500}));
}

TEST(LibsvmShipped, A9aTrainAndTestWithDeclaredFeatures) {
  const Dataset train = load_libsvm(shipped("a9a.gz"));
  EXPECT_EQ(train.num_samples(), 32561);
  EXPECT_EQ(train.num_features(), 123);
  EXPECT_EQ(class_counts(train), (std::vector<int>{24720, 7841}));
  // The test file never uses feature 123: without the declared count it would have 122.
  EXPECT_EQ(load_libsvm(shipped("a9a.t.gz")).num_features(), 122);
  const Dataset test = load_libsvm(shipped("a9a.t.gz"), {.num_features = 123});
  EXPECT_EQ(test.num_samples(), 16281);
  EXPECT_EQ(test.num_features(), 123);
  EXPECT_EQ(class_counts(test), (std::vector<int>{12435, 3846}));
}

TEST(LibsvmFormat, ValuesLandInTheRightPlaces) {
  TempDir dir;
  const Dataset d = load_libsvm(dir.write("f.txt", "+1 1:0.5 3:-2 \n-1 2:1e-3\n"));
  ASSERT_EQ(d.num_samples(), 2);
  ASSERT_EQ(d.num_features(), 3);
  const Eigen::MatrixXd x = Eigen::MatrixXd(d.sparse());
  Eigen::MatrixXd expected(2, 3);
  expected << 0.5, 0, -2, 0, 1e-3, 0;
  EXPECT_EQ(x, expected);
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0}));
  EXPECT_EQ(d.sparse().nonZeros(), 3);
}

TEST(LibsvmFormat, CrlfCommentsBlankLinesNoFinalNewlineQid) {
  TempDir dir;
  const std::string text =
      "# a comment line\r\n"
      "1 1:1 2:2   \r\n"
      "\r\n"
      "   \n"
      "0 qid:7 2:3 # trailing comment\r\n"
      "1 1:4";
  const Dataset d = load_libsvm(dir.write("f.txt", text));
  EXPECT_EQ(d.num_samples(), 3);
  EXPECT_EQ(d.num_features(), 2);
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1"}));
  EXPECT_DOUBLE_EQ(d.sparse().coeff(1, 1), 3.0);
  EXPECT_DOUBLE_EQ(d.sparse().coeff(2, 0), 4.0);
}

TEST(LibsvmFormat, MultiClassIdsInNumericOrder) {
  TempDir dir;
  // Numeric, not text, order: 2 < 10; "+3" and "3" are one class.
  const Dataset d = load_libsvm(dir.write("f.txt", "10 1:1\n2 1:1\n+3 1:1\n3 1:1\n-1 1:1\n"));
  EXPECT_EQ(d.num_classes, 4);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"-1", "2", "+3", "10"}));
  EXPECT_EQ(d.labels, (std::vector<int>{3, 1, 2, 2, 0}));
}

TEST(LibsvmFormat, GzipAndPlainGiveTheSameData) {
  TempDir dir;
  const std::string text = testing::read_file(shipped("heart_scale"));
  const Dataset plain = load_libsvm(dir.write("heart", text));
  const Dataset gz = load_libsvm(dir.write_gz("heart.gz", text));
  EXPECT_EQ(plain.labels, gz.labels);
  EXPECT_EQ(plain.class_names, gz.class_names);
  EXPECT_TRUE(Eigen::MatrixXd(plain.sparse()).isApprox(Eigen::MatrixXd(gz.sparse()), 0.0));
  EXPECT_EQ(plain.sparse().nonZeros(), gz.sparse().nonZeros());
}

TEST(LibsvmFormat, DeclaredFeatureCountBelowAnIndexIsRejected) {
  TempDir dir;
  const std::string p = dir.write("f.txt", "1 1:1\n1 5:1\n");
  expect_invalid([&] { load_libsvm(p, {.num_features = 4}); }, {p + ":2:", "exceeds"});
}

struct BadLine {
  const char* line;
  const char* reason;
};

// gtest prints the line itself when a case fails, not the struct's bytes.
void PrintTo(const BadLine& bad, std::ostream* os) { *os << "'" << bad.line << "'"; }

class LibsvmRejects : public ::testing::TestWithParam<BadLine> {};

TEST_P(LibsvmRejects, MalformedLineNamedWithItsNumber) {
  TempDir dir;
  // The bad line is the third line of the file (after a good line and a blank one).
  const std::string p =
      dir.write("bad.txt", std::string("1 1:0.5 2:1\n\n") + GetParam().line + "\n1 1:1\n");
  expect_invalid([&] { load_libsvm(p); }, {p + ":3:", GetParam().reason});
}

INSTANTIATE_TEST_SUITE_P(
    Libsvm, LibsvmRejects,
    ::testing::Values(BadLine{"1 3:1 2:1", "strictly increasing"},
                      BadLine{"1 2:1 2:1", "strictly increasing"}, BadLine{"1 0:1", "1-based"},
                      BadLine{"1 -3:1", "1-based"}, BadLine{"1 1:abc", "not a number"},
                      BadLine{"1 1:0.5x", "not a number"}, BadLine{"1 1", "missing ':'"},
                      BadLine{"1 1:nan", "not finite"}, BadLine{"1 1:inf", "not finite"},
                      BadLine{"1 x:1", "not an integer"},
                      BadLine{"yes 1:1", "label 'yes' is not a number"},
                      BadLine{"nan 1:1", "not finite"}, BadLine{"1 1:", "not a number"}));

TEST(LibsvmFormat, MissingAndEmptyFilesAreRejected) {
  TempDir dir;
  const std::string missing = dir.path("nope.txt");
  expect_invalid([&] { load_libsvm(missing); }, {missing, "cannot open"});
  const std::string empty = dir.write("empty.txt", "# only a comment\n\n");
  expect_invalid([&] { load_libsvm(empty); }, {empty, "no samples"});
}

TEST(LibsvmFormat, TruncatedGzipIsRejected) {
  TempDir dir;
  const std::string gz = testing::read_file(shipped("a9a.gz"));
  const std::string p = dir.write("cut.gz", gz.substr(0, gz.size() / 2));
  expect_invalid([&] { load_libsvm(p); }, {p});
}

}  // namespace
}  // namespace bilevel::data
