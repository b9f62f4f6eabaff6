#include "bilevel/core/oracle_counts.hpp"

namespace bilevel {

FunctionCounts& FunctionCounts::operator+=(const FunctionCounts& o) {
  value += o.value;
  grad += o.grad;
  hvp += o.hvp;
  hess += o.hess;
  samples += o.samples;
  return *this;
}

FunctionCounts& FunctionCounts::operator-=(const FunctionCounts& o) {
  value -= o.value;
  grad -= o.grad;
  hvp -= o.hvp;
  hess -= o.hess;
  samples -= o.samples;
  return *this;
}

}  // namespace bilevel
