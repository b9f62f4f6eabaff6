// OracleCounts / FunctionCounts: totals over both levels, arithmetic, of(Fn), equality.
#include "bilevel/core/oracle_counts.hpp"

#include <gtest/gtest.h>

namespace bilevel {
namespace {

FunctionCounts fc(Index value, Index grad, Index hvp, Index hess, Index samples) {
  FunctionCounts c;
  c.value = value;
  c.grad = grad;
  c.hvp = hvp;
  c.hess = hess;
  c.samples = samples;
  return c;
}

OracleCounts example() {
  OracleCounts c;
  c.f = fc(1, 2, 3, 4, 500);
  c.g = fc(10, 20, 30, 40, 7000);
  return c;
}

TEST(OracleCounts, DefaultIsAllZero) {
  const OracleCounts c;
  EXPECT_EQ(c.value_calls(), 0);
  EXPECT_EQ(c.grad_calls(), 0);
  EXPECT_EQ(c.hvp_calls(), 0);
  EXPECT_EQ(c.hess_calls(), 0);
  EXPECT_EQ(c.samples(), 0);
  EXPECT_EQ(c.total_calls(), 0);
  EXPECT_EQ(c.f, FunctionCounts{});
  EXPECT_EQ(c.g, FunctionCounts{});
}

TEST(OracleCounts, TotalsAddBothLevelsByKind) {
  const OracleCounts c = example();
  EXPECT_EQ(c.value_calls(), 11);
  EXPECT_EQ(c.grad_calls(), 22);
  EXPECT_EQ(c.hvp_calls(), 33);
  EXPECT_EQ(c.hess_calls(), 44);
  EXPECT_EQ(c.samples(), 7500);
}

TEST(OracleCounts, TotalCallsCountsEveryKindButNotSamples) {
  const OracleCounts c = example();
  EXPECT_EQ(c.total_calls(), 11 + 22 + 33 + 44);
  OracleCounts only_samples;
  only_samples.f.samples = 100;
  only_samples.g.samples = 100;
  EXPECT_EQ(only_samples.total_calls(), 0);
  // Each kind alone contributes exactly its count.
  for (Index FunctionCounts::*kind : {&FunctionCounts::value, &FunctionCounts::grad,
                                      &FunctionCounts::hvp, &FunctionCounts::hess}) {
    OracleCounts one;
    one.f.*kind = 3;
    one.g.*kind = 4;
    EXPECT_EQ(one.total_calls(), 7);
  }
}

TEST(OracleCounts, OfSelectsTheLevel) {
  OracleCounts c = example();
  EXPECT_EQ(&c.of(Fn::kF), &c.f);
  EXPECT_EQ(&c.of(Fn::kG), &c.g);
  const OracleCounts& cc = c;
  EXPECT_EQ(&cc.of(Fn::kF), &c.f);
  EXPECT_EQ(&cc.of(Fn::kG), &c.g);
  c.of(Fn::kG).grad += 5;
  EXPECT_EQ(c.g.grad, 25);
  EXPECT_EQ(c.f.grad, 2);
}

TEST(OracleCounts, SubtractionIsFieldwiseOnBothLevels) {
  OracleCounts later = example();
  OracleCounts earlier;
  earlier.f = fc(1, 1, 1, 1, 100);
  earlier.g = fc(2, 3, 4, 5, 6);
  const OracleCounts d = later - earlier;
  EXPECT_EQ(d.f, fc(0, 1, 2, 3, 400));
  EXPECT_EQ(d.g, fc(8, 17, 26, 35, 6994));
  EXPECT_EQ(d.total_calls(), later.total_calls() - earlier.total_calls());
  EXPECT_EQ(d.samples(), later.samples() - earlier.samples());
  EXPECT_EQ(later - OracleCounts{}, later);
  EXPECT_EQ(later - later, OracleCounts{});
  // The operands are unchanged.
  EXPECT_EQ(later, example());
}

TEST(OracleCounts, FunctionCountsArithmetic) {
  FunctionCounts a = fc(1, 2, 3, 4, 5);
  const FunctionCounts b = fc(10, 20, 30, 40, 50);
  EXPECT_EQ(a + b, fc(11, 22, 33, 44, 55));
  EXPECT_EQ(b - a, fc(9, 18, 27, 36, 45));
  a += b;
  EXPECT_EQ(a, fc(11, 22, 33, 44, 55));
  a -= b;
  EXPECT_EQ(a, fc(1, 2, 3, 4, 5));
  EXPECT_EQ((a + b) - b, a);
  FunctionCounts c = a;
  (c += b) += b;  // returns *this
  EXPECT_EQ(c, fc(21, 42, 63, 84, 105));
}

TEST(OracleCounts, EqualityComparesEveryField) {
  const OracleCounts base = example();
  EXPECT_EQ(base, example());
  for (Fn fn : {Fn::kF, Fn::kG}) {
    for (Index FunctionCounts::*kind :
         {&FunctionCounts::value, &FunctionCounts::grad, &FunctionCounts::hvp,
          &FunctionCounts::hess, &FunctionCounts::samples}) {
      OracleCounts other = base;
      ++(other.of(fn).*kind);
      EXPECT_NE(other, base) << to_string(fn);
      EXPECT_FALSE(other == base) << to_string(fn);
    }
  }
  // Swapping the levels is a different count.
  OracleCounts swapped;
  swapped.f = base.g;
  swapped.g = base.f;
  EXPECT_NE(swapped, base);
}

}  // namespace
}  // namespace bilevel
