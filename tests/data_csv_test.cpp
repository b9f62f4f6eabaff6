// CSV loader: header detection, label column, text labels, and rejected lines.
#include "bilevel/data/csv.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::TempDir;

TEST(CsvFormat, WithoutHeaderLabelLast) {
  TempDir dir;
  const Dataset d = load_csv(dir.write("f.csv", "1.5,2,1\n-3, 4e-1 ,0\r\n\n5,6,1"));
  ASSERT_EQ(d.num_samples(), 3);
  ASSERT_EQ(d.num_features(), 2);
  EXPECT_FALSE(d.is_sparse());
  DenseMatrix expected(3, 2);
  expected << 1.5, 2, -3, 0.4, 5, 6;
  EXPECT_EQ(d.dense(), expected);
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0, 1}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(d.name, "csv:" + dir.path("f.csv"));
}

TEST(CsvFormat, WithHeaderTextLabelsAndChosenColumn) {
  TempDir dir;
  const std::string text =
      "species,sepal_length,sepal_width\n"
      "setosa,5.1,3.5\n"
      "virginica,6.3,3.3\n"
      "setosa,4.9,3.0\n";
  const Dataset d = load_csv(dir.write("iris.csv", text), {.label_column = 0});
  ASSERT_EQ(d.num_samples(), 3);
  ASSERT_EQ(d.num_features(), 2);
  EXPECT_DOUBLE_EQ(d.dense()(1, 0), 6.3);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"setosa", "virginica"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 0}));
}

TEST(CsvFormat, GzipAndOtherDelimiter) {
  TempDir dir;
  const Dataset d = load_csv(dir.write_gz("f.csv.gz", "a;b;y\n1;2;3\n4;5;6\n"), {.delimiter = ';'});
  EXPECT_EQ(d.num_samples(), 2);
  EXPECT_EQ(d.num_features(), 2);
}

TEST(CsvFormat, BadLinesAreRejectedWithTheLineNumber) {
  TempDir dir;
  const std::string header = "x1,x2,y\n1,2,0\n";
  const std::string a = dir.write("a.csv", header + "1,abc,1\n");
  expect_invalid([&] { load_csv(a); }, {a + ":3:", "'abc' is not a number"});
  const std::string b = dir.write("b.csv", header + "1,2\n");
  expect_invalid([&] { load_csv(b); }, {b + ":3:", "expected 3 fields"});
  const std::string c = dir.write("c.csv", header + "1,nan,0\n");
  expect_invalid([&] { load_csv(c); }, {c + ":3:", "not finite"});
  const std::string e = dir.write("e.csv", header + "1,,0\n");
  expect_invalid([&] { load_csv(e); }, {e + ":3:", "empty"});
  const std::string f = dir.write("f.csv", header);
  expect_invalid([&] { load_csv(f, {.label_column = 5}); }, {f, "label column 5"});
  const std::string g = dir.write("g.csv", "x1,y\n");
  expect_invalid([&] { load_csv(g); }, {g, "no samples"});
}

}  // namespace
}  // namespace bilevel::data
