// The fused pass of data_pass.hpp for a sparse CSR feature matrix A (n x d; text data: d in
// the hundred thousands, ~100 non-zeros per row):
//     Z = A_rows W,   C_r = fn(r, Z_r),   G = A_rows' C,   gb = sum_r C_r,
// fn called with the block interface of data_pass.hpp: on blocks of rows (full batch), or
// one row at a time (small minibatches).
//
// W and G are d x c blocks of megabytes here, so the pass works in the caller's own layout
// (Blocks: y's row-major d x c blocks, in double) and never copies them: it converts the rows
// of W to T as it reads them and writes G's rows straight into the outputs. Z has
// cp_in = (number of W blocks) * c columns, C has cp_out = (number of G blocks) * c: no padding.
//
// Full batch (rows empty), in phases, each on all threads and none with a d x c copy:
//   1. Z = A W: with no more rows than features (text), through a transposed copy of A (CSC,
//      built once) in kForwardChunks feature ranges, each reading its rows of W once and in
//      order and adding into its own n x cp_in share of Z (small: rows, not features); else
//      row by row through the CSR, gathering rows of W;
//   2. C_r = fn(r, Z_r), parallel over blocks of rows (the shares of Z added in chunk order);
//   3. G = A' C through the CSC, parallel over features: each thread writes its own rows of G
//      (with the ridge's term when asked), with no private copy and no reduction; gb = the
//      column sums of C in row order.
// Minibatch (stochastic methods: a few hundred of thousands of rows): row by row on one
// thread, each non-zero gathering a row of W and adding into a row of G; the CSC would touch
// every column of A. A selection of more than kCscFraction of the rows takes phases 1 (row by
// row) to 3, with the coefficients of a repeated row added and those of unselected rows zero.
//
// Determinism: every sum (an entry of Z, of G, of gb) is taken in an order fixed by the data
// and the selection, never by the threads: results are identical for any thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/data/dataset.hpp"
#include "simd.hpp"

namespace bilevel {

namespace sparse_detail {

// Calls f(nv) with nv, the number of SIMD vectors in a padded row, as a compile-time constant
// up to 8 and for 10 (so that the kernels below keep a row in registers), else as a run-time
// int.
template <class F>
void with_vectors(Index nv, F&& f) {
  switch (nv) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    case 3: return f(std::integral_constant<int, 3>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 5: return f(std::integral_constant<int, 5>{});
    case 6: return f(std::integral_constant<int, 6>{});
    case 7: return f(std::integral_constant<int, 7>{});
    case 8: return f(std::integral_constant<int, 8>{});
    case 10: return f(std::integral_constant<int, 10>{});  // 2 x 20 classes in double
    default: return f(static_cast<int>(nv));
  }
}

// out = sum over p < count of val[p] * (row index[p] of x), rows of nv SIMD vectors.
template <class T, int NV>
inline void gather_rows(std::integral_constant<int, NV>, const T* val, const std::int32_t* index,
                        std::int64_t count, const T* x, T* out) {
  using S = kernels::Simd<T>;
  constexpr Index kW = S::kWidth, kStride = NV * kW;
  typename S::V acc[NV];
  kernels::detail::unroll<NV>([&](auto v) { acc[v] = S::zero(); });
  for (std::int64_t p = 0; p < count; ++p) {
    const auto a = S::broadcast(val + p);
    const T* row = x + static_cast<Index>(index[p]) * kStride;
    kernels::detail::unroll<NV>([&](auto v) { acc[v] = S::fma(a, S::load(row + v * kW), acc[v]); });
  }
  kernels::detail::unroll<NV>([&](auto v) { S::store(out + v * kW, acc[v]); });
}
template <class T>
inline void gather_rows(int nv, const T* val, const std::int32_t* index, std::int64_t count,
                        const T* x, T* out) {
  const Index w = nv * kernels::Simd<T>::kWidth;
  std::fill_n(out, w, T(0));
  for (std::int64_t p = 0; p < count; ++p) {
    const T* row = x + static_cast<Index>(index[p]) * w;
    for (Index q = 0; q < w; ++q) out[q] += val[p] * row[q];
  }
}

// (row index[p] of z) += val[p] * v for p < count, rows of nv SIMD vectors.
template <class T, int NV>
inline void scatter_rows(std::integral_constant<int, NV>, const T* val, const std::int32_t* index,
                         std::int64_t count, const T* v, T* z) {
  using S = kernels::Simd<T>;
  constexpr Index kW = S::kWidth, kStride = NV * kW;
  typename S::V vr[NV];
  kernels::detail::unroll<NV>([&](auto k) { vr[k] = S::load(v + k * kW); });
  for (std::int64_t p = 0; p < count; ++p) {
    const auto a = S::broadcast(val + p);
    T* row = z + static_cast<Index>(index[p]) * kStride;
    kernels::detail::unroll<NV>(
        [&](auto k) { S::store(row + k * kW, S::fma(a, vr[k], S::load(row + k * kW))); });
  }
}
template <class T>
inline void scatter_rows(int nv, const T* val, const std::int32_t* index, std::int64_t count,
                         const T* v, T* z) {
  const Index w = nv * kernels::Simd<T>::kWidth;
  for (std::int64_t p = 0; p < count; ++p) {
    T* row = z + static_cast<Index>(index[p]) * w;
    for (Index q = 0; q < w; ++q) row[q] += val[p] * v[q];
  }
}

}  // namespace sparse_detail

template <class T>
class SparsePass {
 public:
  using Matrix = Eigen::SparseMatrix<T, Eigen::RowMajor, std::int64_t>;

  // W's blocks in, G's and gb's blocks out, each block c columns wide: row j of W block k is
  // w[k] + j * c (read), row j of G block k is g[k] + j * c and gb[k] has c entries
  // (written, not added to). g and gb have the same number of blocks, possibly none.
  // With a ridge (d entries), row j of G block k also gets ridge[j] times row j of W block
  // k + ridge_from, added as G's row is written (learnreg's per-feature regularizer: a
  // separate pass would read W and read and write G once more, about 60 MB on text data).
  struct Blocks {
    std::span<const double* const> w;
    std::span<double*const> g, gb;
    Index c = 0;
    const double* ridge = nullptr;
    Index ridge_from = 0;
  };

  // Above this fraction of the rows, a minibatch goes through the CSC. On synthetic-text
  // (bench/sparse_pass_bench.cpp BM_SparseMinibatch) batches of 300 and 1000 of 5657 rows took
  // the same time either way (the gathers of W's rows dominate both); below, row by row
  // touches less memory.
  static constexpr double kCscFraction = 0.25;
  // Feature ranges of the full-batch forward: a fixed number, so that the sums do not depend
  // on the thread count; 4 keeps 2 or 4 cores busy.
  static constexpr Index kForwardChunks = 4;
  // Rows per call of the coefficients' callback, whose softmax is vectorized over a block:
  // one row per call cost about 1 ms per gradient on text data (5657 rows) in Eigen's fixed
  // per-expression work.
  static constexpr Index kCoefBlock = 64;
  // Multiply-adds (non-zeros, or entries of G, times columns) below which a pass runs on one
  // thread: starting and joining threads costs more (measured on australian: 690 x 14, 16x
  // slower on two threads of a loaded machine).
  static constexpr double kParallelWork = 1 << 18;

  explicit SparsePass(const Matrix* a) : a_(a) {
    if (a->rows() > std::numeric_limits<std::int32_t>::max())
      throw InvalidInput("sparse data with more than 2^31 - 1 rows");
    transpose();
  }

  template <class RowFn>
  void run(std::span<const Index> rows, const Blocks& io, RowFn&& fn) const {
    const Index n = a_->rows();
    const Index m = rows.empty() ? n : static_cast<Index>(rows.size());
    const Index cp_in = static_cast<Index>(io.w.size()) * io.c;
    const Index cp_out = static_cast<Index>(io.g.size()) * io.c;
    // Threads only where a pass has the work to repay them (small data: one thread).
    parallel_ = static_cast<double>(std::max(a_->nonZeros(), a_->cols() * io.c)) *
                    static_cast<double>(std::max(cp_in, cp_out)) >=
                kParallelWork;
    if (!rows.empty() && static_cast<double>(m) <= kCscFraction * static_cast<double>(n)) {
      row_by_row(rows, io, cp_in, cp_out, fn);
      return;
    }
    if (rows.empty() && n <= a_->cols()) {
      forward_by_columns(io, cp_in);
    } else {
      forward_by_rows(rows, io, cp_in);
    }
    coefficients(rows, cp_in, cp_out, fn);
    if (cp_out > 0) transpose_product(io, cp_out);
  }

 private:
  // The pass's own buffers (Z, C, a row of W) have rows padded to whole SIMD vectors.
  static Index padded(Index cp) { return kernels::padded_columns<T>(cp); }
  static Index vectors(Index cp) { return padded(cp) / kernels::Simd<T>::kWidth; }

  // The CSC of A (the CSR of A'): each column's entries in increasing row order; and the
  // feature ranges of forward_by_columns, about nnz / kForwardChunks non-zeros each.
  void transpose() {
    const Index n = a_->rows(), d = a_->cols(), nnz = a_->nonZeros();
    const auto* outer = a_->outerIndexPtr();
    const auto* inner = a_->innerIndexPtr();
    const T* val = a_->valuePtr();
    col_start_.assign(static_cast<std::size_t>(d + 1), 0);
    std::int64_t* start = col_start_.data();
    for (std::int64_t p = 0; p < nnz; ++p) ++start[inner[p] + 1];
    for (Index j = 0; j < d; ++j) start[j + 1] += start[j];
    col_row_.resize(static_cast<std::size_t>(nnz));
    col_val_.resize(static_cast<std::size_t>(nnz));
    std::vector<std::int64_t> next(col_start_.begin(), col_start_.end() - 1);
    for (Index i = 0; i < n; ++i)
      for (auto p = outer[i]; p < outer[i + 1]; ++p) {
        const auto q = static_cast<std::size_t>(next[static_cast<std::size_t>(inner[p])]++);
        col_row_[q] = static_cast<std::int32_t>(i);
        col_val_[q] = val[p];
      }
    chunk_start_.assign(static_cast<std::size_t>(kForwardChunks + 1), d);
    chunk_start_[0] = 0;
    for (Index j = 0, chunk = 1; j < d && chunk < kForwardChunks; ++j)
      if (start[j + 1] * kForwardChunks >= chunk * nnz)
        chunk_start_[static_cast<std::size_t>(chunk++)] = j + 1;
  }

  // Column j of A: its non-zeros' values and rows.
  const T* col_val(Index j) const {
    return col_val_.data() + col_start_[static_cast<std::size_t>(j)];
  }
  const std::int32_t* col_row(Index j) const {
    return col_row_.data() + col_start_[static_cast<std::size_t>(j)];
  }
  std::int64_t col_count(Index j) const {
    return col_start_[static_cast<std::size_t>(j + 1)] - col_start_[static_cast<std::size_t>(j)];
  }

  // Phase 1 of the full batch with n <= d: share k of z_ (n padded rows each) = the products
  // of feature range k; each row of W read once, in order, and converted to T.
  void forward_by_columns(const Blocks& io, Index cp_in) const {
    const Index n = a_->rows(), pin = padded(cp_in), c = io.c;
    shares_ = kForwardChunks;
    z_.resize(static_cast<std::size_t>(kForwardChunks * n * pin));
    sparse_detail::with_vectors(vectors(cp_in), [&](auto nv) {
#pragma omp parallel for schedule(static) if (parallel_)
      for (Index chunk = 0; chunk < kForwardChunks; ++chunk) {
        T* z = z_.data() + chunk * n * pin;
        std::fill_n(z, n * pin, T(0));
        std::vector<T> wj(static_cast<std::size_t>(pin), T(0));  // the padding stays zero
        for (Index j = chunk_start_[static_cast<std::size_t>(chunk)];
             j < chunk_start_[static_cast<std::size_t>(chunk + 1)]; ++j) {
          for (std::size_t k = 0; k < io.w.size(); ++k)
            for (Index q = 0; q < c; ++q) wj[k * c + q] = static_cast<T>(io.w[k][j * c + q]);
          sparse_detail::scatter_rows(nv, col_val(j), col_row(j), col_count(j), wj.data(), z);
        }
      }
    });
  }

  // z[0..cp_in) = A_row W, gathering W's rows from the blocks (converted to T).
  void row_logits(Index row, const Blocks& io, Index cp_in, T* z) const {
    const auto* outer = a_->outerIndexPtr();
    const auto* inner = a_->innerIndexPtr();
    const T* val = a_->valuePtr();
    std::fill_n(z, cp_in, T(0));
    const Index c = io.c;
    for (auto p = outer[row]; p < outer[row + 1]; ++p) {
      const T a = val[p];
      for (std::size_t k = 0; k < io.w.size(); ++k) {
        const double* wj = io.w[k] + inner[p] * c;
        T* zk = z + static_cast<Index>(k) * c;
        for (Index q = 0; q < c; ++q) zk[q] += a * static_cast<T>(wj[q]);
      }
    }
  }

  // Phase 1 otherwise: z_ (m padded rows, one share) = the logits of the selected rows,
  // parallel over the selection.
  void forward_by_rows(std::span<const Index> rows, const Blocks& io, Index cp_in) const {
    const Index m = rows.empty() ? a_->rows() : static_cast<Index>(rows.size());
    const Index pin = padded(cp_in);
    shares_ = 1;
    z_.resize(static_cast<std::size_t>(m * pin));
#pragma omp parallel for schedule(static) if (parallel_)
    for (Index r = 0; r < m; ++r)
      row_logits(rows.empty() ? r : rows[static_cast<std::size_t>(r)], io, cp_in,
                 z_.data() + r * pin);
  }

  // Phase 2: coef_ (n padded rows, one per row of A) = the coefficients of the selected rows,
  // in blocks of kCoefBlock rows, parallel over the blocks, from the sum of the shares of Z
  // (in share order). A row selected twice gets the sum of its coefficient rows (added in
  // selection order, on one thread), an unselected row zeros.
  template <class RowFn>
  void coefficients(std::span<const Index> rows, Index cp_in, Index cp_out, RowFn& fn) const {
    const Index n = a_->rows();
    const Index m = rows.empty() ? n : static_cast<Index>(rows.size());
    const Index pin = padded(cp_in), pout = padded(std::max<Index>(cp_out, 1));
    const Index shares = shares_, share_size = m * pin;
    coef_.resize(static_cast<std::size_t>(m * pout));
    const Index blocks = (m + kCoefBlock - 1) / kCoefBlock;
#pragma omp parallel if (parallel_)
    {
      std::vector<T> z(static_cast<std::size_t>(kCoefBlock * pin));
#pragma omp for schedule(static)
      for (Index block = 0; block < blocks; ++block) {
        const Index r0 = block * kCoefBlock, mb = std::min(kCoefBlock, m - r0);
        const T* zr = z_.data() + r0 * pin;
        std::copy_n(zr, mb * pin, z.data());
        for (Index k = 1; k < shares; ++k)
          for (Index q = 0; q < mb * pin; ++q)
            z[static_cast<std::size_t>(q)] += zr[k * share_size + q];
        T* coef = coef_.data() + r0 * pout;
        fn(r0, mb, static_cast<const T*>(z.data()), pin, coef, pout);
        for (Index i = 0; i < mb; ++i)
          std::fill(coef + i * pout + cp_out, coef + (i + 1) * pout, T(0));
      }
    }
    if (rows.empty() || cp_out == 0) return;
    batch_coef_.swap(coef_);
    coef_.assign(static_cast<std::size_t>(n * pout), T(0));
    for (Index r = 0; r < m; ++r) {
      T* dst = coef_.data() + rows[static_cast<std::size_t>(r)] * pout;
      const T* src = batch_coef_.data() + r * pout;
      for (Index q = 0; q < cp_out; ++q) dst[q] += src[q];
    }
  }

  // Phase 3: G = A' coef_ through the CSC, parallel over features (each thread writes its own
  // rows of G, with the ridge's term when asked); gb = the column sums of coef_ in row order.
  // (Streaming stores for G measured no different on text data, and were left out.)
  void transpose_product(const Blocks& io, Index cp_out) const {
    const Index n = a_->rows(), d = a_->cols(), c = io.c, pout = padded(cp_out);
    const T* coef = coef_.data();
    sparse_detail::with_vectors(vectors(cp_out), [&](auto nv) {
#pragma omp parallel if (parallel_)
      {
        std::vector<T> acc(static_cast<std::size_t>(pout));
#pragma omp for schedule(static) nowait
        for (Index j = 0; j < d; ++j) {
          sparse_detail::gather_rows(nv, col_val(j), col_row(j), col_count(j), coef, acc.data());
          for (std::size_t k = 0; k < io.g.size(); ++k) {
            double* gj = io.g[k] + j * c;
            const T* ak = acc.data() + static_cast<Index>(k) * c;
            if (io.ridge) {
              const double r = io.ridge[j];
              const double* wj = io.w[k + static_cast<std::size_t>(io.ridge_from)] + j * c;
              for (Index q = 0; q < c; ++q) gj[q] = static_cast<double>(ak[q]) + r * wj[q];
            } else {
              for (Index q = 0; q < c; ++q) gj[q] = static_cast<double>(ak[q]);
            }
          }
        }
      }
    });
    std::vector<T> sum(static_cast<std::size_t>(cp_out), T(0));
    for (Index r = 0; r < n; ++r)
      for (Index q = 0; q < cp_out; ++q) sum[static_cast<std::size_t>(q)] += coef[r * pout + q];
    write_bias(io, sum.data());
  }

  static void write_bias(const Blocks& io, const T* sum) {
    for (std::size_t k = 0; k < io.gb.size(); ++k)
      for (Index q = 0; q < io.c; ++q)
        io.gb[k][q] = static_cast<double>(sum[static_cast<Index>(k) * io.c + q]);
  }

  // A small minibatch on one thread: each row's logits and coefficients, and its non-zeros
  // adding into G's rows (G set first to zero or to the ridge's term, in parallel: the d x c
  // part of the work).
  template <class RowFn>
  void row_by_row(std::span<const Index> rows, const Blocks& io, Index cp_in, Index cp_out,
                  RowFn& fn) const {
    const Index d = a_->cols(), c = io.c, m = static_cast<Index>(rows.size());
    for (std::size_t k = 0; k < io.g.size(); ++k) {
      double* g = io.g[k];
      const double* ridge = io.ridge;
      const double* w = ridge ? io.w[k + static_cast<std::size_t>(io.ridge_from)] : nullptr;
#pragma omp parallel for schedule(static) if (parallel_)
      for (Index j = 0; j < d; ++j) {
        if (ridge) {
          for (Index q = 0; q < c; ++q) g[j * c + q] = ridge[j] * w[j * c + q];
        } else {
          std::fill_n(g + j * c, c, 0.0);
        }
      }
    }
    const auto* outer = a_->outerIndexPtr();
    const auto* inner = a_->innerIndexPtr();
    const T* val = a_->valuePtr();
    std::vector<T> z(static_cast<std::size_t>(cp_in)),
        coef(static_cast<std::size_t>(std::max<Index>(cp_out, 1)));
    std::vector<T> sum(static_cast<std::size_t>(cp_out), T(0));
    for (Index r = 0; r < m; ++r) {
      const Index row = rows[static_cast<std::size_t>(r)];
      row_logits(row, io, cp_in, z.data());
      fn(r, Index{1}, static_cast<const T*>(z.data()), cp_in, coef.data(), cp_out);
      if (cp_out == 0) continue;
      for (auto p = outer[row]; p < outer[row + 1]; ++p) {
        const T a = val[p];
        for (std::size_t k = 0; k < io.g.size(); ++k) {
          double* gj = io.g[k] + inner[p] * c;
          const T* ck = coef.data() + static_cast<Index>(k) * c;
          for (Index q = 0; q < c; ++q) gj[q] += static_cast<double>(a * ck[q]);
        }
      }
      for (Index q = 0; q < cp_out; ++q)
        sum[static_cast<std::size_t>(q)] += coef[static_cast<std::size_t>(q)];
    }
    write_bias(io, sum.data());
  }

  const Matrix* a_;
  std::vector<std::int64_t> col_start_;  // d + 1 offsets into col_row_ and col_val_
  std::vector<std::int32_t> col_row_;
  std::vector<T> col_val_;
  std::vector<Index> chunk_start_;  // kForwardChunks + 1 feature offsets
  mutable std::vector<T> z_, coef_, batch_coef_;
  mutable Index shares_ = 1;
  mutable bool parallel_ = true;  // the number of n x cp_in shares of Z in z_
};

}  // namespace bilevel
