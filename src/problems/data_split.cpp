#include "bilevel/problems/data_split.hpp"

#include "bilevel/core/error.hpp"

namespace bilevel {

void SplitSizes::declare(OptionList& o) {
  using C = Constraint;
  o.add("n_train", n_train, "training samples (0 = all that validation and test leave)",
        C::non_negative())
      .add("n_val", n_val, "validation samples (0 = a quarter of the dataset)", C::non_negative())
      .add("n_test", n_test, "test samples (0 = a quarter of the dataset)", C::non_negative());
}

SplitSizes SplitSizes::resolve(Index n, const std::string& owner) const {
  SplitSizes r;
  r.n_val = n_val > 0 ? n_val : n / 4;
  r.n_test = n_test > 0 ? n_test : n / 4;
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

data::Split split_dataset(const data::Dataset& d, const SplitSizes& sizes, std::uint64_t seed,
                          const std::string& owner) {
  const SplitSizes r = sizes.resolve(d.num_samples(), owner);
  return data::split(d, r.n_train, r.n_val, r.n_test, seed);
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
