// Building a CSR matrix from its three arrays, which the loaders fill row by row.
#pragma once

#include <algorithm>
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

// The arrays are copied into a compressed matrix as they are. Not through Eigen's sparse
// assignment: it reserves 2 max(rows, cols) entries (and computes rows * cols, which
// overflows), so a file whose largest feature index is 1e8 would take gigabytes.
inline SparseMatrix to_sparse(const CsrArrays& a, Index cols) {
  SparseMatrix m(a.rows(), cols);
  m.resizeNonZeros(static_cast<Index>(a.value.size()));
  std::copy(a.row_start.begin(), a.row_start.end(), m.outerIndexPtr());
  std::copy(a.column.begin(), a.column.end(), m.innerIndexPtr());
  std::copy(a.value.begin(), a.value.end(), m.valuePtr());
  return m;
}

}  // namespace bilevel::data::detail
