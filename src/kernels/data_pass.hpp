// One fused pass over the rows of a feature matrix A (n x d), dense or sparse:
//     Z = A_rows W                       (logits of every selected row, W: d x cp_in)
//     C_r = row_fn(r, Z_r)               (per-row coefficients, cp_out of them)
//     G = A_rows' C,  gb = sum_r C_r     (when cp_out > 0)
// A row block's logits, coefficients and contribution to G are computed while the block is
// still in cache, so A is read from memory once per pass instead of twice (DESIGN section 8).
// Several parameter vectors can be stacked as columns of W (F2BA's y and z sequences, or a
// Hessian-vector product's [y, v]): one pass then serves all of them.
//
// Determinism: the selected rows are cut into chunks whose number depends only on the row
// count (never on the thread count); each chunk accumulates its own G, and the chunks' sums
// are added in order. Results are therefore identical for any number of threads. Chunks run
// on OpenMP threads (OMP_NUM_THREADS; 1 thread = serial).
//
// Layout: W, Z, C and G are row-major with cp_in / cp_out columns (padded to the SIMD width;
// row_fn must write zeros into C's padding). gb has cp_out entries.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "bilevel/data/dataset.hpp"
#include "block_kernels.hpp"

namespace bilevel {

// Per-chunk workspaces and the ordered reduction, shared by the dense and sparse passes.
template <class T>
class ChunkedPass {
 protected:
  struct Workspace {
    std::vector<const T*> rows;  // dense: pointers to the block's rows
    std::vector<T> z, coef;      // logits and coefficients of a block of rows
    std::vector<T> g, gb;        // this chunk's share of G and gb
  };

  // The number of chunks depends only on the number of rows m (see the file comment).
  static Index chunk_count(Index m, Index rows_per_chunk, Index max_chunks) {
    return std::clamp<Index>(m / rows_per_chunk, 1, max_chunks);
  }

  // Sizes the workspaces (allocating only when a call needs more than any before) and zeroes
  // the accumulators. A single chunk accumulates straight into the outputs g, gb: no private
  // copy to zero and copy back, which for text data (G is d x cp, megabytes) cost more than
  // a minibatch's own arithmetic.
  void prepare(Index chunks, Index block, Index d, Index cp_in, Index cp_out, T* g,
               T* gb) const {
    if (ws_.size() < static_cast<std::size_t>(chunks)) ws_.resize(static_cast<std::size_t>(chunks));
    for (Index c = 0; c < chunks; ++c) {
      Workspace& ws = ws_[static_cast<std::size_t>(c)];
      ws.rows.resize(static_cast<std::size_t>(block));
      ws.z.resize(static_cast<std::size_t>(block * cp_in));
      ws.coef.resize(static_cast<std::size_t>(block * std::max<Index>(cp_out, 1)));
      if (chunks > 1) {
        ws.g.assign(static_cast<std::size_t>(d * cp_out), T(0));
        ws.gb.assign(static_cast<std::size_t>(cp_out), T(0));
      }
    }
    if (chunks == 1 && cp_out > 0) {
      std::fill_n(g, d * cp_out, T(0));
      std::fill_n(gb, cp_out, T(0));
    }
  }

  // Where chunk c accumulates G and gb.
  T* g_of(Index c, Index chunks, T* g) const {
    return chunks == 1 ? g : ws_[static_cast<std::size_t>(c)].g.data();
  }
  T* gb_of(Index c, Index chunks, T* gb) const {
    return chunks == 1 ? gb : ws_[static_cast<std::size_t>(c)].gb.data();
  }

  // g, gb = the chunks' sums, added in chunk order (a single chunk wrote them already).
  void reduce(Index chunks, T* g, T* gb) const {
    if (chunks == 1) return;
    const std::size_t gs = ws_[0].g.size(), bs = ws_[0].gb.size();
    std::copy_n(ws_[0].g.data(), gs, g);
    std::copy_n(ws_[0].gb.data(), bs, gb);
    for (Index c = 1; c < chunks; ++c) {
      const Workspace& ws = ws_[static_cast<std::size_t>(c)];
      for (std::size_t i = 0; i < gs; ++i) g[i] += ws.g[i];
      for (std::size_t i = 0; i < bs; ++i) gb[i] += ws.gb[i];
    }
  }

  static void add_rows(const T* coef, Index mb, Index cp, T* gb) {
    for (Index i = 0; i < mb; ++i)
      for (Index k = 0; k < cp; ++k) gb[k] += coef[i * cp + k];
  }

  mutable std::vector<Workspace> ws_;
};

// Dense row-major A with scalar T (double, or float for precision=float32).
template <class T>
class DensePass : ChunkedPass<T> {
  using Base = ChunkedPass<T>;

 public:
  DensePass(const T* a, Index n, Index d) : a_(a), n_(n), d_(d) {
    // Blocks of about 96 KB of A: the block, its logits and G stay in the core's L2.
    block_ = std::clamp<Index>(96 * 1024 / std::max<Index>(1, d * Index(sizeof(T))), 8, 256);
  }

  template <class RowFn>
  void run(std::span<const Index> rows, const T* w, Index cp_in, Index cp_out, RowFn&& fn,
           T* g, T* gb) const {
    const Index m = rows.empty() ? n_ : static_cast<Index>(rows.size());
    const Index chunks = Base::chunk_count(m, 512, 8);
    Base::prepare(chunks, block_, d_, cp_in, cp_out, g, gb);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (Index c = 0; c < chunks; ++c) {
      auto& ws = Base::ws_[static_cast<std::size_t>(c)];
      const Index lo = m * c / chunks, hi = m * (c + 1) / chunks;
      for (Index r0 = lo; r0 < hi; r0 += block_) {
        const Index mb = std::min(block_, hi - r0);
        for (Index i = 0; i < mb; ++i)
          ws.rows[static_cast<std::size_t>(i)] =
              a_ + (rows.empty() ? r0 + i : rows[static_cast<std::size_t>(r0 + i)]) * d_;
        kernels::logits(ws.rows.data(), mb, d_, w, cp_in, ws.z.data(), cp_in);
        T* coef = ws.coef.data();
        for (Index i = 0; i < mb; ++i) fn(r0 + i, ws.z.data() + i * cp_in, coef + i * cp_out);
        if (cp_out == 0) continue;
        kernels::transpose_accumulate(ws.rows.data(), mb, d_, coef, cp_out, cp_out,
                                      Base::g_of(c, chunks, g));
        Base::add_rows(coef, mb, cp_out, Base::gb_of(c, chunks, gb));
      }
    }
    if (cp_out > 0) Base::reduce(chunks, g, gb);
  }

 private:
  const T* a_;
  Index n_, d_, block_;
};

}  // namespace bilevel
