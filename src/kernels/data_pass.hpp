// One fused pass over the rows of a dense feature matrix A (n x d) (the sparse pass with the
// same callback is in sparse_pass.hpp):
//     Z = A_rows W                       (logits of every selected row, W: d x cp_in)
//     C = fn(Z)                          (per-row coefficients, cp_out of them)
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
// Layout: W, Z and C are row-major with cp_in / cp_out columns; G is d x cp_out column-major
// (class-major); gb has cp_out entries. fn(r0, mb, z, ldz, coef, ldc) handles the selection's
// rows r0 .. r0 + mb - 1, z and coef with leading dimensions.
#pragma once

#include <algorithm>
#include <span>
#include <vector>

#include "bilevel/data/dataset.hpp"
#include "small_gemm.hpp"

namespace bilevel {

// Per-chunk workspaces and the ordered reduction of the dense pass.
template <class T>
class ChunkedPass {
 protected:
  struct Workspace {
    std::vector<T> gathered;  // dense minibatch: the block's rows, contiguous
    std::vector<T> z, coef;   // logits and coefficients of a block of rows
    std::vector<T> coef_t;    // dense: the coefficients transposed
    std::vector<T> g, gb;     // this chunk's share of G and gb
  };

  // The number of chunks depends only on the number of rows m (see the file comment).
  static Index chunk_count(Index m, Index rows_per_chunk, Index max_chunks) {
    return std::clamp<Index>(m / rows_per_chunk, 1, max_chunks);
  }

  // Sizes the workspaces (allocating only when a call needs more than any before) and zeroes
  // the accumulators. A single chunk accumulates straight into the outputs g, gb: no private
  // copy to zero and copy back, which for text data (G is d x cp, megabytes) cost more than
  // a minibatch's own arithmetic.
  void prepare(Index chunks, Index block, Index d, Index cp_in, Index cp_out, T* g, T* gb) const {
    if (ws_.size() < static_cast<std::size_t>(chunks)) ws_.resize(static_cast<std::size_t>(chunks));
    for (Index c = 0; c < chunks; ++c) {
      Workspace& ws = ws_[static_cast<std::size_t>(c)];
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

// Dense row-major A with scalar T (double, or float for precision=float32). Per row block:
//     Z_blk = A_blk W          (forward product, libxsmm kernel: Z' = W' A_blk')
//     C_blk = block_fn(Z_blk)  (softmax coefficients of the block's rows)
//     G += A_blk' C_blk        (backward product, libxsmm kernel on C_blk transposed)
// G is accumulated class-major (G' stored: cp_out rows of d, column-major d x cp_out), the
// layout in which both products are plain non-transposed kernels.
template <class T>
class DensePass : ChunkedPass<T> {
  using Base = ChunkedPass<T>;

 public:
  DensePass(const T* a, Index n, Index d) : a_(a), n_(n), d_(d) {
    // Blocks of about 400 KB of A (128 rows of Fashion-MNIST in float, 64 in double): the
    // block, its logits and coefficients stay in the core's 512 KB L2 between the two
    // products. bench/fused_pass_bench.cpp measured 32 to 256 rows; these were the fastest.
    const Index fit = 400 * 1024 / std::max<Index>(1, d * Index(sizeof(T)));
    block_ = std::clamp<Index>(fit / 16 * 16, 8, 256);
  }

  Index block_rows() const { return block_; }

  // rows: the selected rows (empty = all n). fn(r0, mb, z, ldz, coef, ldc) gets the logits of
  // the selection's rows r0 .. r0 + mb - 1 (z: mb x cp_in, row-major, leading dimension ldz)
  // and writes their coefficients (coef: mb x cp_out, leading dimension ldc). With cp_out = 0
  // there is no backward product.
  template <class BlockFn>
  void run(std::span<const Index> rows, const T* w, Index cp_in, Index cp_out, BlockFn&& fn, T* g,
           T* gb) const {
    const Index m = rows.empty() ? n_ : static_cast<Index>(rows.size());
    const Index chunks = Base::chunk_count(m, 4 * block_, 8);
    Base::prepare(chunks, block_, d_, cp_in, cp_out, g, gb);
    const kernels::SmallGemm<T> forward(cp_in, block_, d_, cp_in, d_, cp_in, false);
    const kernels::SmallGemm<T> backward(d_, cp_out, block_, d_, block_, d_, true);
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (Index c = 0; c < chunks; ++c) {
      auto& ws = Base::ws_[static_cast<std::size_t>(c)];
      if (!rows.empty()) ws.gathered.resize(static_cast<std::size_t>(block_ * d_));
      ws.coef_t.resize(static_cast<std::size_t>(block_ * cp_out));
      // Chunk boundaries on whole blocks: only the selection's last block is partial.
      const Index blocks = (m + block_ - 1) / block_;
      const Index lo = blocks * c / chunks * block_;
      const Index hi = std::min(m, blocks * (c + 1) / chunks * block_);
      for (Index r0 = lo; r0 < hi; r0 += block_) {
        const Index mb = std::min(block_, hi - r0);
        const T* blk = rows.empty() ? a_ + r0 * d_ : gather(rows, r0, mb, ws.gathered.data());
        if (mb == block_) forward(w, blk, ws.z.data());
        else kernels::SmallGemm<T>(cp_in, mb, d_, cp_in, d_, cp_in, false)(w, blk, ws.z.data());
        T* coef = ws.coef.data();
        fn(r0, mb, static_cast<const T*>(ws.z.data()), cp_in, coef, cp_out);
        if (cp_out == 0) continue;
        // C_blk' (cp_out x mb) into column-major mb x cp_out with leading dimension block_.
        T* ct = ws.coef_t.data();
        for (Index q = 0; q < cp_out; ++q)
          for (Index i = 0; i < mb; ++i) ct[q * block_ + i] = coef[i * cp_out + q];
        if (mb == block_) backward(blk, ct, Base::g_of(c, chunks, g));
        else
          kernels::SmallGemm<T>(d_, cp_out, mb, d_, block_, d_, true)(blk, ct,
                                                                      Base::g_of(c, chunks, g));
        Base::add_rows(coef, mb, cp_out, Base::gb_of(c, chunks, gb));
      }
    }
    if (cp_out > 0) Base::reduce(chunks, g, gb);
  }

 private:
  // The selected rows r0 .. r0 + mb - 1 copied into one contiguous block (a minibatch).
  const T* gather(std::span<const Index> rows, Index r0, Index mb, T* out) const {
    for (Index i = 0; i < mb; ++i)
      std::copy_n(a_ + rows[static_cast<std::size_t>(r0 + i)] * d_, d_, out + i * d_);
    return out;
  }

  const T* a_;
  Index n_, d_, block_;
};

}  // namespace bilevel
