// Small hand-built classification datasets for the hyperclean and learnreg tests: Gaussian
// features (about half of them zero in the sparse variant, stored as CSR) and labels from a
// random linear teacher with label noise, so the data is learnable but not separable.
#pragma once

#include <string>

#include "bilevel/data/dataset.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel::testing {

inline data::Dataset random_dataset(Index n, Index d, int classes, bool sparse,
                                    std::uint64_t seed) {
  Rng rng(seed);
  data::DenseMatrix a(n, d);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < d; ++j)
      a(i, j) = sparse && uniform01(rng) < 0.5 ? 0.0 : standard_normal(rng);
  const Mat teacher = gaussian_matrix(d, classes, rng);
  data::Dataset ds;
  ds.name = std::string("random/") + (sparse ? "sparse" : "dense");
  ds.num_classes = classes;
  for (int k = 0; k < classes; ++k) ds.class_names.push_back(std::to_string(k));
  for (Index i = 0; i < n; ++i) {
    Eigen::RowVectorXd z = a.row(i) * teacher;
    for (int k = 0; k < classes; ++k) z(k) += standard_normal(rng);
    Index best = 0;
    z.maxCoeff(&best);
    ds.labels.push_back(static_cast<int>(best));
  }
  if (sparse) {
    ds.features = data::SparseMatrix(a.sparseView());
  } else {
    ds.features = a;
  }
  return ds;
}

}  // namespace bilevel::testing
