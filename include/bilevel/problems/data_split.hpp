// Train / validation / test sizes of the data-driven problems (hyperclean, learnreg), with
// 0 meaning "choose": a quarter of the samples for validation, a quarter for test, the rest
// for training.
#pragma once

#include <cstdint>
#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/core/shard.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel {

struct SplitSizes {
  Index n_train = 0;
  Index n_val = 0;
  Index n_test = 0;

  void declare(OptionList& o);
  // The sizes for a dataset of n samples. Throws InvalidOptions naming `owner` if they do not
  // fit (sum above n, or an empty training or validation set).
  SplitSizes resolve(Index n, const std::string& owner) const;
};

// The deterministic split (data::split) with the resolved sizes.
data::Split split_dataset(const data::Dataset& d, const SplitSizes& sizes, std::uint64_t seed,
                          const std::string& owner);

// One rank's part of the split of a dataset in a distributed run: its block (Shard::rows) of
// each of train, validation and test, in the split's order, and the whole split's sizes.
struct ShardSplit {
  data::Split local;
  SplitSizes whole;  // resolved
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
