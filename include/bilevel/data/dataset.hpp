// A labelled classification dataset: a feature matrix (dense or sparse CSR, one row per
// sample) and integer class labels 0..num_classes-1, plus what the labels were called in the
// source file (e.g. "-1"/"+1", or "2"/"4" in breast-cancer).
#pragma once

#include <Eigen/Sparse>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "bilevel/core/types.hpp"

namespace bilevel::data {

// Row-major so that one sample is contiguous (minibatches and row-blocked kernels read rows).
using DenseMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>;  // CSR

struct Dataset {
  std::string name;  // e.g. "australian", "fashion-mnist/train", "libsvm:/path/file"
  std::variant<DenseMatrix, SparseMatrix> features;
  std::vector<int> labels;              // one per row, in [0, num_classes)
  int num_classes = 0;
  std::vector<std::string> class_names;  // label text in the source, index = class id

  Index num_samples() const;
  Index num_features() const;
  bool is_sparse() const { return std::holds_alternative<SparseMatrix>(features); }
  const DenseMatrix& dense() const { return std::get<DenseMatrix>(features); }
  const SparseMatrix& sparse() const { return std::get<SparseMatrix>(features); }

  // The rows `rows` (in that order) as a new dataset with the same classes.
  Dataset subset(std::span<const Index> rows, std::string name) const;
  // Throws InvalidInput if labels are out of range, sizes disagree or a value is not finite.
  void check() const;
};

// A deterministic train / validation / test split: the rows are shuffled with `seed` and the
// first n_train go to train, the next n_val to val, the next n_test to test. Throws
// InvalidInput if n_train + n_val + n_test exceeds the number of samples.
struct Split {
  Dataset train, val, test;
};
Split split(const Dataset& d, Index n_train, Index n_val, Index n_test, std::uint64_t seed);
// The row order split() uses: rows of a dataset of n samples, shuffled with `seed`; only the
// first `used` entries are drawn (and meaningful). A distributed run computes it from n alone
// to load only its shard's rows.
std::vector<Index> split_order(Index n, Index used, std::uint64_t seed);

// Gives separately loaded sets (a user's train, validation and test files) the same columns
// and class ids: every sparse set gets the largest feature count of the sparse sets (missing
// trailing features are zeros, as in a LIBSVM file whose last features never occur; a dense
// set states its width and keeps it), and the classes
// become the union of their names, numbered as a loader numbers them: in increasing numeric
// order when every name is a number (names of equal value, "1" and "1.0", are one class,
// named by the first spelling met), else in lexicographic order. Sets that already agree are
// left as they are. Empty sets (no samples) are allowed.
void align_datasets(std::span<Dataset* const> sets);

// Label corruption: exactly round(p * n) samples, drawn without replacement with `seed`, get
// a class drawn uniformly from the other num_classes - 1 classes (so exactly that many labels
// change). Returns the corrupted rows in increasing order. p in [0, 1].
std::vector<Index> corrupt_labels(Dataset* d, double p, std::uint64_t seed);
// The same corruption of a set of n samples applied to the block of it that `d` holds: d's
// rows are the set's rows [first, first + d->num_samples()). Every block gets exactly the
// labels corrupt_labels gives the whole set; returns the corrupted rows of the block (local
// indices).
std::vector<Index> corrupt_labels_block(Dataset* d, Index n, Index first, double p,
                                        std::uint64_t seed);

}  // namespace bilevel::data
