// Train / validation / test sizes of the data-driven problems (hyperclean, learnreg):
// n_train = 0 takes every sample that validation and test leave, n_val = 0 a quarter of the
// samples, n_test = "auto" a quarter and n_test = 0 no test set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/core/shard.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel {

// The sizes a split has once they are resolved against a dataset.
struct SplitCounts {
  Index n_train = 0;
  Index n_val = 0;
  Index n_test = 0;
};

struct SplitSizes {
  Index n_train = 0;
  Index n_val = 0;
  Auto n_test;  // "auto" (unset) = a quarter of the samples

  void declare(OptionList& o);
  // The sizes for a dataset of n samples. Throws InvalidOptions naming `owner` if they do not
  // fit (sum above n, or an empty training or validation set).
  SplitCounts resolve(Index n, const std::string& owner) const;
  // Whether every size is at its default (the problems refuse sizes next to their own files).
  bool is_default() const { return n_train == 0 && n_val == 0 && !n_test; }
};

// A user's own split: the training, validation and (optional) test sets as dataset specs
// (catalog names or file specs, docs/datasets.md), in place of one dataset split by the
// problem.
struct DataFiles {
  std::string train;
  std::string val;
  std::string test;

  void declare(OptionList& o);
  bool given() const { return !train.empty() || !val.empty() || !test.empty(); }
  // What the options must satisfy next to `dataset` (whose default is `default_dataset`)
  // and the split sizes: train and val both given, and neither a dataset nor sizes beside
  // them (the files are the split).
  void check(Violations& v, const std::string& dataset, const std::string& default_dataset,
             const SplitSizes& split) const;
};

// Loads the three sets and aligns their columns and classes (data::align_datasets); an empty
// test spec gives an empty test set. Throws InvalidInput naming `owner` and the set for a
// set that cannot be loaded.
data::Split load_data_files(const DataFiles& files, const std::string& owner);

// The user's split when `files` are given (load_data_files), else nothing: what the
// problems' constructors try first. Throws InvalidInput naming `owner` on several ranks
// (files are not split over ranks yet).
std::optional<data::Split> own_split(const DataFiles& files, const Shard& shard,
                                     const std::string& owner);

// The deterministic split (data::split) with the resolved sizes.
data::Split split_dataset(const data::Dataset& d, const SplitSizes& sizes, std::uint64_t seed,
                          const std::string& owner);

// One rank's part of the split of a dataset in a distributed run: its block (Shard::rows) of
// each of train, validation and test, in the split's order, and the whole split's sizes.
struct ShardSplit {
  data::Split local;
  SplitCounts whole;
  Index train_first = 0;  // the local training rows are the whole training set's from here
};

// The split that split_dataset(load_dataset(spec), sizes, seed) gives, of which this rank
// loads only its blocks: the rows of the other ranks are never held. Every rank must get at
// least one training and one validation sample (InvalidInput naming `owner` otherwise); a
// test block may be empty. With shard.comm, collective: a rank that fails to load makes every
// rank throw AgreedError with its message (no rank is left waiting in a later collective).
ShardSplit split_shard(const std::string& spec, const SplitSizes& sizes, std::uint64_t seed,
                       const Shard& shard, const std::string& owner);

// The seed of the label corruption for a problem seeded with `seed`: a different stream from
// the split's, so the corrupted rows do not depend on the shuffle.
inline std::uint64_t corruption_seed(std::uint64_t seed) { return seed ^ 0x9e3779b97f4a7c15ULL; }

// Throws InvalidInput naming `owner` unless `other` (skipped when empty) has the same number
// of features and classes as `train`; `what` names `other` ("validation", "test").
void check_compatible(const data::Dataset& train, const data::Dataset& other,
                      const std::string& what, const std::string& owner);

}  // namespace bilevel
