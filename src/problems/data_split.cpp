#include "bilevel/problems/data_split.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/data/catalog.hpp"

namespace bilevel {

void SplitSizes::declare(OptionList& o) {
  using C = Constraint;
  o.add("n_train", n_train, "training samples (0 = all that validation and test leave)",
        C::non_negative())
      .add("n_val", n_val, "validation samples (0 = a quarter of the dataset)", C::non_negative())
      .add("n_test", n_test, "test samples (0 = no test set)", C::integer_at_least(0),
           {"a quarter of the dataset", nullptr});
}

SplitCounts SplitSizes::resolve(Index n, const std::string& owner) const {
  SplitCounts r;
  r.n_val = n_val > 0 ? n_val : n / 4;
  r.n_test = n_test ? static_cast<Index>(*n_test) : n / 4;
  r.n_train = n_train > 0 ? n_train : n - r.n_val - r.n_test;
  const Index total = r.n_train + r.n_val + r.n_test;
  if (total > n)
    throw InvalidOptions(owner + ": n_train + n_val + n_test = " + std::to_string(r.n_train) +
                         " + " + std::to_string(r.n_val) + " + " + std::to_string(r.n_test) +
                         " = " + std::to_string(total) + " exceeds the dataset's " +
                         std::to_string(n) + " samples");
  if (r.n_train < 1 || r.n_val < 1)
    throw InvalidOptions(owner + ": the split leaves " + std::to_string(r.n_train) +
                         " training and " + std::to_string(r.n_val) +
                         " validation samples; both must be >= 1");
  return r;
}

void DataFiles::declare(OptionList& o) {
  o.add("train", train,
        "training set spec, for your own split (with val, and optionally test): replaces "
        "dataset and the split sizes")
      .add("val", val, "validation set spec (with train)")
      .add("test", test, "test set spec (with train and val; empty = no test set)");
}

void DataFiles::check(Violations& v, const std::string& dataset,
                      const std::string& default_dataset, const SplitSizes& split) const {
  if (!given()) return;
  v.check(!train.empty() && !val.empty(),
          "a split of your own needs both train and val (test is optional)");
  v.check(dataset == default_dataset,
          "give either dataset (split by the problem) or train/val/test, not both");
  v.check(split.is_default(),
          "n_train, n_val and n_test split dataset; with train/val/test the sets are the split");
}

data::Split load_data_files(const DataFiles& files, const std::string& owner) {
  auto load = [&](const std::string& spec, const char* what) {
    if (spec.empty()) return data::Dataset{};
    try {
      return data::load_dataset(spec);
    } catch (const InvalidInput& e) {
      throw InvalidInput(owner + ": " + what + " set: " + e.what());
    }
  };
  data::Split s{load(files.train, "training"), load(files.val, "validation"),
                load(files.test, "test")};
  data::Dataset* sets[3] = {&s.train, &s.val, &s.test};
  data::align_datasets(std::span<data::Dataset* const>(sets, files.test.empty() ? 2 : 3));
  return s;
}

std::optional<data::Split> own_split(const DataFiles& files, const Shard& shard,
                                     const std::string& owner) {
  if (!files.given()) return std::nullopt;
  if (!shard.whole())
    throw InvalidInput(owner + ": train/val/test files are not split over ranks yet; use "
                       "dataset=SPEC on several ranks, or run on one");
  return load_data_files(files, owner);
}

data::Split split_dataset(const data::Dataset& d, const SplitSizes& sizes, std::uint64_t seed,
                          const std::string& owner) {
  const SplitCounts r = sizes.resolve(d.num_samples(), owner);
  return data::split(d, r.n_train, r.n_val, r.n_test, seed);
}

namespace {

// split_shard's loading, on this rank alone.
ShardSplit load_shard(const std::string& spec, const SplitSizes& sizes, std::uint64_t seed,
                      const Shard& shard, const std::string& owner) {
  ShardSplit out;
  // Each set's block of the split order, in that order (filled once n is known).
  std::vector<Index> blocks[3];
  auto choose = [&](Index n) {
    out.whole = sizes.resolve(n, owner);
    shard.check_size(out.whole.n_train, "training", owner);
    shard.check_size(out.whole.n_val, "validation", owner);
    const Index sizes3[3] = {out.whole.n_train, out.whole.n_val, out.whole.n_test};
    const std::vector<Index> order =
        data::split_order(n, sizes3[0] + sizes3[1] + sizes3[2], seed);
    std::vector<Index> rows;
    Index offset = 0;
    for (int set = 0; set < 3; ++set) {
      const auto [first, count] = shard.rows(sizes3[set]);
      if (set == 0) out.train_first = first;
      const auto begin = order.begin() + offset + first;
      blocks[set].assign(begin, begin + count);
      rows.insert(rows.end(), begin, begin + count);
      offset += sizes3[set];
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  const data::Dataset held = data::load_dataset_rows(spec, choose);
  // held has the chosen rows in increasing order: find each block's rows there.
  std::vector<Index> sorted;
  for (const auto& b : blocks) sorted.insert(sorted.end(), b.begin(), b.end());
  std::sort(sorted.begin(), sorted.end());
  auto positions = [&](const std::vector<Index>& block) {
    std::vector<Index> pos;
    pos.reserve(block.size());
    for (Index row : block)
      pos.push_back(std::lower_bound(sorted.begin(), sorted.end(), row) - sorted.begin());
    return pos;
  };
  out.local.train = held.subset(positions(blocks[0]), held.name + "/train");
  out.local.val = held.subset(positions(blocks[1]), held.name + "/val");
  out.local.test = held.subset(positions(blocks[2]), held.name + "/test");
  return out;
}

}  // namespace

ShardSplit split_shard(const std::string& spec, const SplitSizes& sizes, std::uint64_t seed,
                       const Shard& shard, const std::string& owner) {
  if (!shard.comm) return load_shard(spec, sizes, seed, shard, owner);
  // Loading may fail on one rank alone (its file, its memory): the ranks agree on it here,
  // before any collective of the problem's construction, so that none is left waiting.
  ShardSplit out;
  std::optional<std::string> failed;
  try {
    out = load_shard(spec, sizes, seed, shard, owner);
  } catch (const std::exception& e) {
    failed = e.what();
  }
  shard.comm->throw_if_any_failed(failed);
  return out;
}

void check_compatible(const data::Dataset& train, const data::Dataset& other,
                      const std::string& what, const std::string& owner) {
  if (other.num_samples() == 0) return;
  if (train.num_features() != other.num_features() || train.num_classes != other.num_classes)
    throw InvalidInput(owner + ": the " + what + " set has " +
                       std::to_string(other.num_features()) + " features and " +
                       std::to_string(other.num_classes) + " classes, the training set " +
                       std::to_string(train.num_features()) + " and " +
                       std::to_string(train.num_classes));
}

}  // namespace bilevel
