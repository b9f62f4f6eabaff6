#include "bilevel/core/oracle_counts.hpp"

#include "bilevel/core/state_archive.hpp"

namespace bilevel {

void FunctionCounts::visit(StateArchive& a) {
  a("value", value)("grad", grad)("hvp", hvp)("hess", hess)("samples", samples);
}

void OracleCounts::visit(StateArchive& a) { a("f", f)("g", g); }

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
