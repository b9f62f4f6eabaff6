#include "bilevel/data/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "bilevel/core/error.hpp"
#include "csr.hpp"
#include "shuffle.hpp"

namespace bilevel::data {

Index Dataset::num_samples() const {
  return std::visit([](const auto& m) { return static_cast<Index>(m.rows()); }, features);
}

Index Dataset::num_features() const {
  return std::visit([](const auto& m) { return static_cast<Index>(m.cols()); }, features);
}

Dataset Dataset::subset(std::span<const Index> rows, std::string subset_name) const {
  const Index n = num_samples();
  for (Index r : rows) {
    if (r < 0 || r >= n) {
      throw InvalidInput(name + ": subset row " + std::to_string(r) + " is outside [0, " +
                         std::to_string(n) + ")");
    }
  }
  Dataset out;
  out.name = std::move(subset_name);
  out.num_classes = num_classes;
  out.class_names = class_names;
  out.labels.reserve(rows.size());
  for (Index r : rows) out.labels.push_back(labels[static_cast<std::size_t>(r)]);

  if (is_sparse()) {
    const SparseMatrix& m = sparse();
    detail::CsrArrays a;
    a.row_start.reserve(rows.size() + 1);
    for (Index r : rows) {
      for (SparseMatrix::InnerIterator it(m, r); it; ++it) {
        a.column.push_back(it.col());
        a.value.push_back(it.value());
      }
      a.end_row();
    }
    out.features = detail::to_sparse(a, m.cols());
  } else {
    const DenseMatrix& m = dense();
    DenseMatrix sub(static_cast<Index>(rows.size()), m.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) sub.row(static_cast<Index>(i)) = m.row(rows[i]);
    out.features = std::move(sub);
  }
  return out;
}

void Dataset::check() const {
  const Index n = num_samples();
  if (static_cast<Index>(labels.size()) != n) {
    throw InvalidInput(name + ": " + std::to_string(n) + " feature rows but " +
                       std::to_string(labels.size()) + " labels");
  }
  if (num_classes < 1) throw InvalidInput(name + ": the dataset has no classes");
  if (static_cast<int>(class_names.size()) != num_classes) {
    throw InvalidInput(name + ": " + std::to_string(num_classes) + " classes but " +
                       std::to_string(class_names.size()) + " class names");
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes) {
      throw InvalidInput(name + ": sample " + std::to_string(i) + " has label " +
                         std::to_string(labels[i]) + ", expected 0.." +
                         std::to_string(num_classes - 1));
    }
  }
  const double* values = is_sparse() ? sparse().valuePtr() : dense().data();
  const Index count = is_sparse() ? static_cast<Index>(sparse().nonZeros()) : dense().size();
  const bool finite =
      std::all_of(values, values + count, [](double x) { return std::isfinite(x); });
  if (!finite) throw InvalidInput(name + ": a feature value is not finite (nan or inf)");
}

Split split(const Dataset& d, Index n_train, Index n_val, Index n_test, std::uint64_t seed) {
  const Index n = d.num_samples();
  if (n_train < 0 || n_val < 0 || n_test < 0) {
    throw InvalidInput(d.name + ": split sizes must be >= 0");
  }
  if (n_train + n_val + n_test > n) {
    throw InvalidInput(d.name + ": split of " + std::to_string(n_train) + " + " +
                       std::to_string(n_val) + " + " + std::to_string(n_test) +
                       " samples asks for more than the " + std::to_string(n) + " there are");
  }
  const std::vector<Index> order = split_order(n, n_train + n_val + n_test, seed);
  const std::span<const Index> all(order);
  Split s;
  s.train = d.subset(all.subspan(0, static_cast<std::size_t>(n_train)), d.name + "/train");
  s.val = d.subset(all.subspan(static_cast<std::size_t>(n_train), static_cast<std::size_t>(n_val)),
                   d.name + "/val");
  s.test = d.subset(
      all.subspan(static_cast<std::size_t>(n_train + n_val), static_cast<std::size_t>(n_test)),
      d.name + "/test");
  return s;
}

std::vector<Index> split_order(Index n, Index used, std::uint64_t seed) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(seed);
  // Only the rows that are used need to be drawn.
  detail::partial_shuffle(std::span<Index>(order), static_cast<std::size_t>(used), rng);
  return order;
}

std::vector<Index> corrupt_labels(Dataset* d, double p, std::uint64_t seed) {
  return corrupt_labels_block(d, d->num_samples(), 0, p, seed);
}

std::vector<Index> corrupt_labels_block(Dataset* d, Index n, Index first, double p,
                                        std::uint64_t seed) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw InvalidInput(d->name + ": corruption fraction " + std::to_string(p) +
                       " is outside [0, 1]");
  }
  const Index local = d->num_samples();
  const auto count = static_cast<Index>(std::llround(p * static_cast<double>(n)));
  if (count > 0 && d->num_classes < 2) {
    throw InvalidInput(d->name + ": label corruption needs at least 2 classes");
  }
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(seed);
  detail::partial_shuffle(std::span<Index>(order), static_cast<std::size_t>(count), rng);
  order.resize(static_cast<std::size_t>(count));
  std::sort(order.begin(), order.end());
  std::vector<Index> changed;
  for (Index row : order) {
    // Every corrupted row of the set draws, held here or not: the stream stays the whole
    // set's. Uniform over the other classes: draw from C-1 values and skip the current one.
    int other = static_cast<int>(detail::uniform_index(rng, d->num_classes - 1));
    if (row < first || row >= first + local) continue;
    int& label = d->labels[static_cast<std::size_t>(row - first)];
    if (other >= label) ++other;
    label = other;
    changed.push_back(row - first);
  }
  return changed;
}

}  // namespace bilevel::data
