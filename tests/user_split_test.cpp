// train=, val=, test=: a problem on the user's own split. A run on files holding a named
// dataset's split equals the run on the named dataset (hyperclean and learnreg); files that
// differ in their last features or in the classes present are aligned; n_test = 0 is an
// empty test set; the option combinations that cannot mean anything are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/data/catalog.hpp"
#include "bilevel/problems/data_split.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

namespace fs = std::filesystem;

// A LIBSVM file of `d`: class names as labels, shortest round-trip decimals as values.
void write_libsvm(const data::Dataset& d, const std::string& path) {
  std::ofstream out(path);
  const auto& m = d.sparse();
  for (Index r = 0; r < d.num_samples(); ++r) {
    out << d.class_names[static_cast<std::size_t>(d.labels[static_cast<std::size_t>(r)])];
    for (data::SparseMatrix::InnerIterator it(m, r); it; ++it)
      out << ' ' << it.col() + 1 << ':' << format_double(it.value());
    out << '\n';
  }
}

class UserSplit : public ::testing::TestWithParam<std::pair<const char*, const char*>> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bilevel_user_split_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_P(UserSplit, FilesOfTheCatalogSplitGiveTheCatalogRun) {
  const auto [problem_name, algo_name] = GetParam();
  const KeyValues common = {{"corrupt", "0.3"}, {"seed", "3"}};
  KeyValues named = common;
  named.emplace_back("dataset", "heart");
  data::Split parts = split_dataset(data::load_dataset("heart"), SplitSizes{}, 3, "test");
  write_libsvm(parts.train, path("train.svm"));
  write_libsvm(parts.val, path("val.svm"));
  write_libsvm(parts.test, path("test.svm"));
  KeyValues files = common;
  files.emplace_back("train", "libsvm:" + path("train.svm"));
  files.emplace_back("val", "libsvm:" + path("val.svm"));
  files.emplace_back("test", "libsvm:" + path("test.svm"));

  auto a_problem = make_problem(problem_name, named);
  auto b_problem = make_problem(problem_name, files);
  ASSERT_EQ(a_problem->dim_x(), b_problem->dim_x());
  ASSERT_EQ(a_problem->dim_y(), b_problem->dim_y());
  RunSettings settings;
  settings.stopping.max_iters = 8;
  const auto algo = make_algorithm(algo_name);
  const Result a = algo->solve(*a_problem, settings);
  const Result b = algo->solve(*b_problem, settings);
  testing::expect_same_run(a, b);
  // The summaries say which data was used: the files, not a dataset.
  const OptionValues echo = b_problem->option_values();
  bool saw_train = false;
  for (const auto& [key, value] : echo) {
    if (key == "dataset") EXPECT_EQ(format_value(value), "");
    if (key == "train") {
      saw_train = true;
      EXPECT_EQ(format_value(value), "libsvm:" + path("train.svm"));
    }
  }
  EXPECT_TRUE(saw_train);
}

INSTANTIATE_TEST_SUITE_P(Problems, UserSplit,
                         ::testing::Values(std::pair{"hyperclean", "f2ba"},
                                           std::pair{"learnreg", "aid-cg"}));

class UserSplitFiles : public UserSplit {};

// A validation file that never uses the last feature and holds one class only is read with
// the training set's columns and class ids.
TEST_F(UserSplitFiles, AlignsFeaturesAndClasses) {
  std::ofstream(path("train.svm")) << "2 1:0.5 3:1\n4 2:1\n2 1:1 2:0.25\n";
  std::ofstream(path("val.svm")) << "4 1:0.5\n4.0 2:2\n";
  data::Split s = load_data_files(
      {"libsvm:" + path("train.svm"), "libsvm:" + path("val.svm"), ""}, "test");
  EXPECT_EQ(s.val.num_features(), 3);
  EXPECT_EQ(s.val.num_classes, 2);
  EXPECT_EQ(s.val.class_names, (std::vector<std::string>{"2", "4"}));
  EXPECT_EQ(s.val.labels, (std::vector<int>{1, 1}));  // "4" and "4.0" are class 4
  EXPECT_EQ(s.train.labels, (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(s.test.num_samples(), 0);
  // A validation class the training set lacks becomes a class of the union.
  std::ofstream(path("val3.svm")) << "3 1:1\n";
  s = load_data_files({"libsvm:" + path("train.svm"), "libsvm:" + path("val3.svm"), ""}, "t");
  EXPECT_EQ(s.train.class_names, (std::vector<std::string>{"2", "3", "4"}));
  EXPECT_EQ(s.train.labels, (std::vector<int>{0, 2, 0}));
  EXPECT_EQ(s.val.labels, (std::vector<int>{1}));
}

// Dense files state their width: one of another width is refused, not padded.
TEST_F(UserSplitFiles, DenseSetsOfAnotherWidthAreRefused) {
  std::ofstream(path("train.csv")) << "1,2,a\n3,4,b\n";
  std::ofstream(path("val.csv")) << "1,2,3,a\n";
  try {
    make_problem("hyperclean", {{"train", "csv:" + path("train.csv")},
                                {"val", "csv:" + path("val.csv")}});
    FAIL() << "a 3-feature validation set was accepted beside 2 training features";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("the validation set has 3 features"), std::string::npos)
        << e.what();
  }
}

TEST_F(UserSplitFiles, RefusesMeaninglessCombinations) {
  auto message = [](const KeyValues& kv) -> std::string {
    try {
      make_problem("learnreg", kv);
    } catch (const std::exception& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(message({{"train", "heart"}}).find("needs both train and val"), std::string::npos);
  EXPECT_NE(message({{"train", "heart"}, {"val", "heart"}, {"dataset", "a9a"}})
                .find("either dataset (split by the problem) or train/val/test"),
            std::string::npos);
  EXPECT_NE(message({{"train", "heart"}, {"val", "heart"}, {"n_val", "10"}})
                .find("with train/val/test the sets are the split"),
            std::string::npos);
  EXPECT_NE(message({{"train", "heart"}, {"val", "nosuch"}}).find("learnreg: validation set:"),
            std::string::npos);
}

// n_test = 0 is no test set (its metrics NaN); the default "auto" is a quarter.
TEST(SplitSizes, TestSetZeroIsEmptyAndAutoIsAQuarter) {
  SplitSizes sizes;
  EXPECT_EQ(sizes.resolve(270, "t").n_test, 67);
  sizes.n_test = 0.0;
  const SplitCounts none = sizes.resolve(270, "t");
  EXPECT_EQ(none.n_test, 0);
  EXPECT_EQ(none.n_val, 67);
  EXPECT_EQ(none.n_train, 203);
  auto problem = make_problem("hyperclean", {{"dataset", "heart"}, {"n_test", "0"}});
  const std::vector<double> m = problem->metrics(problem->initial_x(), problem->initial_y());
  const auto names = problem->metric_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i].rfind("test_", 0) == 0) EXPECT_TRUE(std::isnan(m[i])) << names[i];
  EXPECT_EQ(problem->dim_x(), 203);
  EXPECT_THROW(make_problem("hyperclean", {{"dataset", "heart"}, {"n_test", "2.5"}}),
               InvalidInput);
}

}  // namespace
}  // namespace bilevel
