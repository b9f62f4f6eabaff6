// The one number parser: whole-string parsing, the leading '+', integral floating forms,
// overflow, and outputs left unchanged on failure.
#include "bilevel/core/parse.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace bilevel {
namespace {

TEST(ParseNumber, ReadsWholeDecimalAndScientificText) {
  double v = 0;
  EXPECT_TRUE(parse_number("1e-3", &v));
  EXPECT_EQ(v, 1e-3);
  EXPECT_TRUE(parse_number("+1", &v));  // LIBSVM labels
  EXPECT_EQ(v, 1.0);
  EXPECT_TRUE(parse_number("-0.5", &v));
  EXPECT_EQ(v, -0.5);
  EXPECT_TRUE(parse_number("inf", &v));  // the loaders reject it with their own message
  EXPECT_TRUE(std::isinf(v));
}

TEST(ParseNumber, RejectsPartialEmptyAndDoubleSignedTextLeavingTheOutputAlone) {
  double v = 7;
  for (const char* bad : {"", "+", "1x", " 1", "1 ", "++1", "+-1", "abc", "1e999"}) {
    EXPECT_FALSE(parse_number(bad, &v)) << bad;
    EXPECT_EQ(v, 7) << bad;
  }
}

TEST(ParseFinite, RejectsInfinityAndNan) {
  double v = 7;
  EXPECT_FALSE(parse_finite("inf", &v));
  EXPECT_FALSE(parse_finite("nan", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(parse_finite("2.5", &v));
  EXPECT_EQ(v, 2.5);
}

TEST(ParseInteger, ReadsSignedIntegersOnly) {
  Index i = 7;
  EXPECT_TRUE(parse_integer("+12", &i));
  EXPECT_EQ(i, 12);
  EXPECT_TRUE(parse_integer("-3", &i));
  EXPECT_EQ(i, -3);
  for (const char* bad : {"1e3", "2.0", "99999999999999999999", "", "3 "}) {
    EXPECT_FALSE(parse_integer(bad, &i)) << bad;
    EXPECT_EQ(i, -3) << bad;
  }
}

TEST(ParseIntegral, AcceptsIntegralFloatingFormsBelow9e15) {
  Index i = 0;
  EXPECT_TRUE(parse_integral("1e5", &i));
  EXPECT_EQ(i, 100000);
  EXPECT_TRUE(parse_integral("20.0", &i));
  EXPECT_EQ(i, 20);
  EXPECT_FALSE(parse_integral("2.5", &i));
  EXPECT_FALSE(parse_integral("1e16", &i));
  EXPECT_FALSE(parse_integral("99999999999999999999", &i));  // overflow, not saturation
  EXPECT_EQ(i, 20);
}

TEST(ParseUnsigned, CoversTheWholeSeedRangeAndRejectsNegatives) {
  std::uint64_t u = 0;
  EXPECT_TRUE(parse_unsigned("18446744073709551615", &u));
  EXPECT_EQ(u, std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(parse_unsigned("1e3", &u));
  EXPECT_EQ(u, 1000u);
  EXPECT_FALSE(parse_unsigned("-1", &u));
  EXPECT_FALSE(parse_unsigned("18446744073709551616", &u));
  EXPECT_EQ(u, 1000u);
}

}  // namespace
}  // namespace bilevel
