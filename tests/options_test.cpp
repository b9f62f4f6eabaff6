// OptionList: parsing of every field type, error messages, the values() / set() round trip;
// Violations; format_double and format_short.
#include "bilevel/core/options.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "bilevel/core/error.hpp"

namespace bilevel {
namespace {

// One field of every type, declared the way algorithms and problems declare theirs.
struct Example {
  double rate = 0.5;
  Index steps = 10;
  bool verbose = false;
  Auto step;  // auto
  std::uint64_t seed = 0;
  std::string inner = "gd";
  std::string label = "none";

  void declare(OptionList& o) {
    o.add("rate", rate, "a real number");
    o.add("steps", steps, "an integer");
    o.add("verbose", verbose, "a flag");
    o.add("step", step, "a number or auto");
    o.add("seed", seed, "an unsigned integer");
    o.add("inner", inner, "inner solver", Constraint::one_of({"gd", "agd"}));
    o.add("label", label, "any string");
  }
};

struct Bound {
  Example e;
  OptionList list{"example"};
  Bound() { e.declare(list); }
};

// The InvalidOptions message of set(key, value), or "" if it did not throw.
std::string set_error(const std::string& key, const std::string& value) {
  Bound b;
  try {
    b.list.set(key, value);
  } catch (const InvalidOptions& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(OptionList, ParsesDoubles) {
  Bound b;
  b.list.set("rate", "0.25");
  EXPECT_EQ(b.e.rate, 0.25);
  b.list.set("rate", "-1e-3");
  EXPECT_EQ(b.e.rate, -1e-3);
  b.list.set("rate", "+2");
  EXPECT_EQ(b.e.rate, 2.0);
  b.list.set("rate", "  3.5 ");  // surrounding blanks are ignored
  EXPECT_EQ(b.e.rate, 3.5);
  b.list.set("rate", "7");
  EXPECT_EQ(b.e.rate, 7.0);
}

TEST(OptionList, RejectsMalformedDoubles) {
  for (const char* bad : {"abc", "", "1.5x", "0.5 0.6", "--1", "1,5"}) {
    Bound b;
    EXPECT_THROW(b.list.set("rate", bad), InvalidOptions) << "'" << bad << "'";
  }
  const std::string m = set_error("rate", "abc");
  EXPECT_TRUE(contains(m, "example")) << m;
  EXPECT_TRUE(contains(m, "rate")) << m;
  EXPECT_TRUE(contains(m, "'abc'")) << m;
  EXPECT_TRUE(contains(m, "finite number")) << m;
}

TEST(OptionList, RejectsNonFiniteNumbers) {
  for (const char* key : {"rate", "steps", "step", "seed"})
    for (const char* bad : {"nan", "NaN", "inf", "-inf", "infinity", "1e400"})
      EXPECT_NE(set_error(key, bad), "") << key << "=" << bad;
}

TEST(OptionList, ParsesIntegersIncludingIntegralFloatingPointForms) {
  Bound b;
  b.list.set("steps", "42");
  EXPECT_EQ(b.e.steps, 42);
  b.list.set("steps", "-3");
  EXPECT_EQ(b.e.steps, -3);
  b.list.set("steps", "1e4");
  EXPECT_EQ(b.e.steps, 10000);
  b.list.set("steps", "20.0");
  EXPECT_EQ(b.e.steps, 20);
  b.list.set("steps", "2.5e1");
  EXPECT_EQ(b.e.steps, 25);
  b.list.set("steps", "9223372036854775807");  // the largest Index, exactly
  EXPECT_EQ(b.e.steps, std::numeric_limits<Index>::max());
}

TEST(OptionList, RejectsNonIntegralIntegers) {
  for (const char* bad : {"2.5", "ten", "1e-1", "", "3 4", "0x10"}) {
    Bound b;
    EXPECT_THROW(b.list.set("steps", bad), InvalidOptions) << "'" << bad << "'";
  }
  const std::string m = set_error("steps", "2.5");
  EXPECT_TRUE(contains(m, "steps")) << m;
  EXPECT_TRUE(contains(m, "integer")) << m;
}

// A value that set() rejects must not change the option (a caller that catches the error
// and carries on must still see the previous value).
TEST(OptionList, ARejectedValueLeavesTheFieldUnchanged) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& c : {Case{"rate", "1.5x"}, Case{"rate", "1,5"}, Case{"rate", "0.5 0.6"},
                        Case{"steps", "2.5"}, Case{"steps", "3 4"}, Case{"steps", "0x10"},
                        Case{"steps", "1e-1"}, Case{"seed", "1.5"}, Case{"step", "2x"},
                        Case{"verbose", "maybe"}, Case{"inner", "newton"}}) {
    Bound b;
    const KeyValues before = b.list.key_values();
    EXPECT_THROW(b.list.set(c.key, c.value), InvalidOptions) << c.key << "=" << c.value;
    EXPECT_EQ(b.list.key_values(), before) << c.key << "=" << c.value;
  }
}

TEST(OptionList, ParsesBooleans) {
  Bound b;
  for (const char* t : {"true", "1", "yes", "on"}) {
    b.e.verbose = false;
    b.list.set("verbose", t);
    EXPECT_TRUE(b.e.verbose) << t;
  }
  for (const char* f : {"false", "0", "no", "off"}) {
    b.e.verbose = true;
    b.list.set("verbose", f);
    EXPECT_FALSE(b.e.verbose) << f;
  }
  for (const char* bad : {"maybe", "2", "", "y"}) {
    EXPECT_THROW(b.list.set("verbose", bad), InvalidOptions) << "'" << bad << "'";
  }
  EXPECT_TRUE(contains(set_error("verbose", "maybe"), "boolean"));
}

TEST(OptionList, ParsesAutoAsAutoOrANumber) {
  Bound b;
  b.list.set("step", "0.125");
  ASSERT_TRUE(b.e.step.has_value());
  EXPECT_EQ(*b.e.step, 0.125);
  EXPECT_EQ(b.list.get("step"), "0.125");
  b.list.set("step", "auto");
  EXPECT_FALSE(b.e.step.has_value());
  EXPECT_EQ(b.list.get("step"), "auto");
  b.list.set("step", "3");
  EXPECT_EQ(*b.e.step, 3.0);
  for (const char* bad : {"automatic", "AUTO ish", "x", ""})
    EXPECT_THROW(b.list.set("step", bad), InvalidOptions) << "'" << bad << "'";
  EXPECT_EQ(*b.e.step, 3.0);
  EXPECT_TRUE(contains(set_error("step", "x"), "'auto'"));
}

TEST(OptionList, ParsesUnsignedIntegersAndRejectsNegatives) {
  Bound b;
  b.list.set("seed", "7");
  EXPECT_EQ(b.e.seed, 7u);
  b.list.set("seed", "1e3");
  EXPECT_EQ(b.e.seed, 1000u);
  b.list.set("seed", "0");
  EXPECT_EQ(b.e.seed, 0u);
  for (const char* bad : {"-1", "-1e3", "1.5", "seven"})
    EXPECT_THROW(b.list.set("seed", bad), InvalidOptions) << "'" << bad << "'";
  EXPECT_EQ(b.e.seed, 0u);
  EXPECT_TRUE(contains(set_error("seed", "-1"), "non-negative integer"));
}

// A std::uint64_t field (seeds) should accept every value of its type, so that values()
// round-trips through set() for any seed (the CLI's --seed accepts 0 to 2^64-1).
TEST(OptionList, UnsignedFieldsAcceptValuesAboveTheSignedRange) {
  Bound b;
  EXPECT_NO_THROW(b.list.set("seed", "9223372036854775808")) << "2^63";
  EXPECT_EQ(b.e.seed, std::uint64_t{1} << 63);
  EXPECT_NO_THROW(b.list.set("seed", "18446744073709551615")) << "2^64 - 1";
  EXPECT_EQ(b.e.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_THROW(b.list.set("seed", "18446744073709551616"), InvalidOptions) << "2^64";
  // values() -> set() round trip for such a seed.
  Bound src, dst;
  src.e.seed = (std::uint64_t{1} << 63) + 5;
  EXPECT_NO_THROW(dst.list.set_all(src.list.key_values()));
  EXPECT_EQ(dst.e.seed, src.e.seed);
}

TEST(OptionList, StringsWithChoicesAcceptOnlyTheChoices) {
  Bound b;
  b.list.set("inner", "agd");
  EXPECT_EQ(b.e.inner, "agd");
  b.list.set("inner", "gd");
  EXPECT_EQ(b.e.inner, "gd");
  EXPECT_THROW(b.list.set("inner", "newton"), InvalidOptions);
  EXPECT_THROW(b.list.set("inner", "GD"), InvalidOptions);
  EXPECT_THROW(b.list.set("inner", ""), InvalidOptions);
  EXPECT_EQ(b.e.inner, "gd");
  const std::string m = set_error("inner", "newton");
  EXPECT_TRUE(contains(m, "example")) << m;
  EXPECT_TRUE(contains(m, "inner")) << m;
  EXPECT_TRUE(contains(m, "newton")) << m;
  EXPECT_TRUE(contains(m, "gd")) << m;
  EXPECT_TRUE(contains(m, "agd")) << m;
}

TEST(OptionList, StringsWithoutChoicesAcceptAnything) {
  Bound b;
  b.list.set("label", "run 7/b");
  EXPECT_EQ(b.e.label, "run 7/b");
  b.list.set("label", "");
  EXPECT_EQ(b.e.label, "");
}

TEST(OptionList, UnknownKeyMessageNamesTheOwnerAndListsTheKnownKeys) {
  const std::string m = set_error("ratee", "1");
  EXPECT_TRUE(contains(m, "example")) << m;
  EXPECT_TRUE(contains(m, "'ratee'")) << m;
  EXPECT_TRUE(contains(m, "rate, steps, verbose, step, seed, inner, label")) << m;
  Bound b;
  EXPECT_THROW(b.list.get("ratee"), InvalidOptions);
  EXPECT_FALSE(b.list.has("ratee"));
  EXPECT_TRUE(b.list.has("rate"));
}

TEST(OptionList, UnknownKeyOnAnOwnerWithoutOptionsSaysSo) {
  OptionList empty("nothing");
  try {
    empty.set("x", "1");
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_TRUE(contains(e.what(), "nothing")) << e.what();
    EXPECT_TRUE(contains(e.what(), "takes no options")) << e.what();
  }
  EXPECT_TRUE(empty.values().empty());
}

TEST(OptionList, InvalidOptionsIsAKindOfInvalidInput) {
  Bound b;
  EXPECT_THROW(b.list.set("steps", "ten"), InvalidInput);
}

TEST(OptionList, KeysAreTrimmedAndSetAllAppliesEveryPair) {
  Bound b;
  b.list.set(" rate ", "1.5");
  EXPECT_EQ(b.e.rate, 1.5);
  b.list.set_all({{"steps", "3"}, {"verbose", "on"}, {"inner", "agd"}});
  EXPECT_EQ(b.e.steps, 3);
  EXPECT_TRUE(b.e.verbose);
  EXPECT_EQ(b.e.inner, "agd");
  EXPECT_THROW(b.list.set_all({{"steps", "4"}, {"bogus", "1"}}), InvalidOptions);
}

TEST(OptionList, ValuesFormatEveryFieldInDeclarationOrder) {
  Bound b;
  EXPECT_EQ(b.list.key_values(), (KeyValues{{"rate", "0.5"},
                                        {"steps", "10"},
                                        {"verbose", "false"},
                                        {"step", "auto"},
                                        {"seed", "0"},
                                        {"inner", "gd"},
                                        {"label", "none"}}));
  ASSERT_EQ(b.list.fields().size(), 7u);
  EXPECT_EQ(b.list.fields()[5].constraint.choices(), (std::vector<std::string>{"gd", "agd"}));
  EXPECT_EQ(b.list.owner(), "example");
}

TEST(OptionList, ValuesRoundTripThroughSetToIdenticalValues) {
  const double doubles[] = {0.1,
                            1e-300,
                            1.0 / 3.0,
                            2.0 / 3.0,
                            -123456.789,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::epsilon(),
                            1e22,
                            0.0};
  for (double v : doubles) {
    Bound src;
    src.e.rate = v;
    src.e.step = -v / 7.0;
    src.e.steps = -987654321;
    src.e.verbose = true;
    src.e.seed = 123456789012345ull;
    src.e.inner = "agd";
    src.e.label = "a b";
    const KeyValues kv = src.list.key_values();
    Bound dst;
    dst.list.set_all(kv);
    EXPECT_EQ(dst.e.rate, v) << format_double(v);
    ASSERT_TRUE(dst.e.step.has_value());
    EXPECT_EQ(*dst.e.step, -v / 7.0) << format_double(v);
    EXPECT_EQ(dst.e.steps, src.e.steps);
    EXPECT_EQ(dst.e.verbose, true);
    EXPECT_EQ(dst.e.seed, src.e.seed);
    EXPECT_EQ(dst.e.inner, "agd");
    EXPECT_EQ(dst.e.label, "a b");
    EXPECT_EQ(dst.list.key_values(), kv);
  }
}

TEST(OptionListFormatting, FormatDoubleIsShortestRoundTrip) {
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(20.0), "20");
  EXPECT_EQ(format_double(1e-300), "1e-300");
  EXPECT_EQ(format_double(-2.5), "-2.5");
  EXPECT_EQ(format_double(0.0), "0");
  for (double v : {0.1, 1e-300, 1.0 / 3.0, 0.1 + 0.2, 20.000000000000004, 6.02214076e23}) {
    EXPECT_EQ(std::stod(format_double(v)), v) << format_double(v);
  }
  EXPECT_EQ(format_double(0.1 + 0.2), "0.30000000000000004");
}

TEST(OptionListFormatting, FormatShortKeepsSixSignificantDigits) {
  EXPECT_EQ(format_short(20.000000000000004), "20");
  EXPECT_EQ(format_short(1.0 / 3.0), "0.333333");
  EXPECT_EQ(format_short(123456789.0), "1.23457e+08");
  EXPECT_EQ(format_short(1e-7), "1e-07");
  EXPECT_EQ(format_short(-2.5), "-2.5");
  EXPECT_EQ(format_short(100.0), "100");
}

TEST(OptionListViolations, NothingCollectedThrowsNothing) {
  Violations v;
  v.check(true, "never shown");
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(v.list().empty());
  EXPECT_NO_THROW(v.throw_if_any("owner"));
}

TEST(OptionListViolations, ThrowIfAnyJoinsMessagesPrefixedByTheOwner) {
  Violations v;
  v.check(false, "K must be >= 1");
  v.check(true, "not shown");
  v.check(false, "lam must be > 0");
  EXPECT_FALSE(v.empty());
  EXPECT_EQ(v.list().size(), 2u);
  try {
    v.throw_if_any("f2ba");
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_STREQ(e.what(), "f2ba: K must be >= 1; lam must be > 0");
  }
  Violations one;
  one.check(false, "only");
  try {
    one.throw_if_any("x");
    FAIL() << "expected InvalidOptions";
  } catch (const InvalidOptions& e) {
    EXPECT_STREQ(e.what(), "x: only");
  }
}

}  // namespace
}  // namespace bilevel
