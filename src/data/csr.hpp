// Building a CSR matrix from its three arrays, which the loaders fill row by row.
#pragma once

#include <cstdint>
#include <vector>

#include "bilevel/data/dataset.hpp"

namespace bilevel::data::detail {

struct CsrArrays {
  std::vector<std::int64_t> row_start{0};  // size rows + 1 once complete
  std::vector<std::int64_t> column;        // strictly increasing within a row
  std::vector<double> value;

  Index rows() const { return static_cast<Index>(row_start.size()) - 1; }
  void end_row() { row_start.push_back(static_cast<std::int64_t>(column.size())); }
};

inline SparseMatrix to_sparse(const CsrArrays& a, Index cols) {
  const Eigen::Map<const SparseMatrix> view(a.rows(), cols, static_cast<Index>(a.value.size()),
                                            a.row_start.data(), a.column.data(), a.value.data());
  return SparseMatrix(view);
}

}  // namespace bilevel::data::detail
