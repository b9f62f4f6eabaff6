// The fused (one pass over the data per oracle) softmax cross-entropy kernels behind
// SoftmaxRegression. Each call packs the parameter vectors into the padded layout of
// data_pass.hpp, runs one pass whose per-row step computes the softmax and the row's
// coefficients, and unpacks the result into y's layout ([W row-major; b], see
// softmax_regression.hpp); the sparse pass (sparse_pass.hpp) reads and writes y's layout
// itself, with no copies. Per-row arithmetic (log-sum-exp, coefficients) is in double; the
// products with the data are in the data's scalar type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "bilevel/data/dataset.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class SoftmaxFused {
 public:
  using Rows = std::span<const Index>;
  virtual ~SoftmaxFused() = default;

  // grads[k] = sum_r s_r grad CE_r(ys[k]) for every k, in one pass. When loss is non-null,
  // (*loss)(r) = CE_r(ys[0]) (loss must have at least m entries). A non-null ridge (d
  // entries) adds ridge(j) times row j of ys[k]'s W to row j of grads[k]'s (the gradient of
  // sum_j ridge(j) ||W_j||^2 / 2), inside the same pass.
  virtual void gradients(std::span<const Vec* const> ys, Rows rows, const Vec& s,
                         std::span<Vec* const> grads, Vec* loss, const Vec* ridge) const = 0;
  // out = sum_r s_r Hess CE_r(y) v, in one pass (logits of y and of v together); with a
  // ridge, plus ridge(j) times row j of v's W on row j.
  virtual void hvp(const Vec& y, Rows rows, const Vec& s, const Vec& v, Vec* out,
                   const Vec* ridge) const = 0;
  // (*d)(r) = <grad CE_r(y), v> (d must have at least m entries).
  virtual void directional(const Vec& y, Rows rows, const Vec& v, Vec* d) const = 0;
  // (*loss)(r) = CE_r(y); returns the number of rows whose largest logit is the label.
  virtual Index losses(const Vec& y, Rows rows, Vec* loss) const = 0;
};

// The bytes make_softmax_fused will allocate for `data` beyond the dataset itself: the float
// copy of the features (single precision), the dense copy of a low-dimensional sparse set, the
// sparse pass's transposed copy and its shares of the logits. Checked against the memory
// budget before they are allocated (text data: the copies are about the size of the data).
std::int64_t softmax_fused_bytes(const data::Dataset& data, bool single_precision);

// Kernels for `data` (which must outlive them): in double on the dataset's own features or,
// with single_precision, on a float copy of them (dense or CSR).
std::unique_ptr<SoftmaxFused> make_softmax_fused(const data::Dataset& data,
                                                 bool single_precision);

}  // namespace bilevel
