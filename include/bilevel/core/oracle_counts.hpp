// Exact bookkeeping of every oracle call, in the units the papers count.
#pragma once

#include "bilevel/core/types.hpp"

namespace bilevel {

class StateArchive;

// Calls made to one function (f or g), by kind.
struct FunctionCounts {
  Index value = 0;    // function values
  Index grad = 0;     // gradients (both partials at one point are one call)
  Index hvp = 0;      // Hessian-vector / Jacobian-vector products (Hyy v, Hxy v, Hyx u)
  Index hess = 0;     // dense Hessian blocks
  Index samples = 0;  // component functions touched by value/grad/hvp calls (SFO count)

  FunctionCounts& operator+=(const FunctionCounts& o);
  FunctionCounts& operator-=(const FunctionCounts& o);
  friend FunctionCounts operator-(FunctionCounts a, const FunctionCounts& b) { return a -= b; }
  friend FunctionCounts operator+(FunctionCounts a, const FunctionCounts& b) { return a += b; }
  bool operator==(const FunctionCounts&) const = default;
  void visit(StateArchive& a);  // every member (checkpoints)
};

// Counts for both levels. Totals are what traces report: grad_calls = f.grad + g.grad, etc.
struct OracleCounts {
  FunctionCounts f;
  FunctionCounts g;

  FunctionCounts& of(Fn fn) { return fn == Fn::kF ? f : g; }
  const FunctionCounts& of(Fn fn) const { return fn == Fn::kF ? f : g; }

  Index value_calls() const { return f.value + g.value; }
  Index grad_calls() const { return f.grad + g.grad; }
  Index hvp_calls() const { return f.hvp + g.hvp; }
  Index hess_calls() const { return f.hess + g.hess; }
  Index samples() const { return f.samples + g.samples; }
  // Every counted call of any kind: what --max-oracle-calls limits.
  Index total_calls() const { return value_calls() + grad_calls() + hvp_calls() + hess_calls(); }

  friend OracleCounts operator-(OracleCounts a, const OracleCounts& b) {
    a.f -= b.f;
    a.g -= b.g;
    return a;
  }
  bool operator==(const OracleCounts&) const = default;
  void visit(StateArchive& a);  // every member (checkpoints)
};

}  // namespace bilevel
