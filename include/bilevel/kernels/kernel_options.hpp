// The `precision` and `fused` options of the data-driven problems (hyperclean, learnreg):
// which implementation of the softmax oracles runs (see softmax_regression.hpp).
#pragma once

#include <string>

#include "bilevel/core/options.hpp"
#include "bilevel/kernels/softmax_regression.hpp"

namespace bilevel {

struct KernelOptions {
  std::string precision = "float64";
  bool fused = true;

  void declare(OptionList& o);
  SoftmaxRegression::Kernel kernel() const { return {fused, precision == "float32"}; }
};

}  // namespace bilevel
