// "Did you mean": the distance, the closeness threshold, and the library's unknown-name
// errors that use it.
#include "bilevel/core/suggest.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/data/catalog.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "";
}

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("lamb", "lam"), 1u);
  EXPECT_EQ(edit_distance("max-iter", "max-iters"), 1u);
  EXPECT_EQ(edit_distance("idt", "itd"), 1u);  // one swap of neighbours, not two substitutions
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // the restricted form: no edit of a swapped pair
}

TEST(EditDistance, IgnoresCase) {
  EXPECT_EQ(edit_distance("k", "K"), 0u);
  EXPECT_EQ(edit_distance("L_F", "L_f"), 0u);
}

TEST(ClosestName, SuggestsPlausibleTyposOnly) {
  const std::vector<std::string> options = {"K", "lam", "eta", "alpha", "max_iters"};
  EXPECT_EQ(closest_name("lamb", options), "lam");
  EXPECT_EQ(closest_name("k", options), "K");
  EXPECT_EQ(closest_name("alhpa", options), "alpha");
  EXPECT_EQ(closest_name("max_iter", options), "max_iters");
  EXPECT_EQ(closest_name("x", options), std::nullopt);  // one letter matches only up to case
  EXPECT_EQ(closest_name("zzzzzz", options), std::nullopt);
  EXPECT_EQ(closest_name("momentum", options), std::nullopt);
  EXPECT_EQ(closest_name("lam", options), std::nullopt);  // a known name is not a typo
  EXPECT_EQ(closest_name("lamb", {}), std::nullopt);
}

TEST(ClosestName, PrefersTheNearestThenTheFirst) {
  EXPECT_EQ(closest_name("f2sb", {"f2ba", "f2sa"}), "f2sa");  // distance 1 beats 2
  EXPECT_EQ(closest_name("f2xa", {"f2ba", "f2sa"}), "f2ba");  // a tie: the first
}

TEST(DidYouMean, FormatsASuffixOrNothing) {
  EXPECT_EQ(did_you_mean("lamb", {"lam", "eta"}), "; did you mean 'lam'?");
  EXPECT_EQ(did_you_mean("zzzz", {"lam", "eta"}), "");
}

TEST(DidYouMean, UnknownOptionKeysGetTheClosestKey) {
  double lam = 1, eta = 2;
  OptionList list("f2ba");
  list.add("lam", lam, "penalty").add("eta", eta, "step");
  const std::string msg = message_of([&] { list.set("lamb", "3"); });
  EXPECT_NE(msg.find("unknown option 'lamb'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("known options: lam, eta"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'lam'?"), std::string::npos) << msg;
  EXPECT_EQ(message_of([&] { list.set("momentum", "3"); }).find("did you mean"), std::string::npos);
}

TEST(DidYouMean, UnknownChoicesGetTheClosestChoice) {
  std::string inner = "gd";
  OptionList list("f2ba");
  list.add("inner", inner, "inner solver", Constraint::one_of({"gd", "agd"}));
  const std::string msg = message_of([&] { list.set("inner", "adg"); });
  EXPECT_NE(msg.find("did you mean 'agd'?"), std::string::npos) << msg;
  EXPECT_EQ(inner, "gd");
}

TEST(DidYouMean, UnknownAlgorithmsAndProblemsGetTheClosestName) {
  const std::string algo = message_of([] { make_algorithm("f2bz"); });
  EXPECT_NE(algo.find("unknown algorithm 'f2bz'"), std::string::npos) << algo;
  EXPECT_NE(algo.find("did you mean 'f2ba'?"), std::string::npos) << algo;
  const std::string problem = message_of([] { make_problem("quadratc"); });
  EXPECT_NE(problem.find("did you mean 'quadratic'?"), std::string::npos) << problem;
  EXPECT_EQ(message_of([] { make_problem("zzzzzzzz"); }).find("did you mean"), std::string::npos);
}

TEST(DidYouMean, UnknownDatasetsGetTheClosestName) {
  const std::string msg = message_of([] { data::load_dataset("australain"); });
  EXPECT_NE(msg.find("unknown dataset 'australain'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'australian'?"), std::string::npos) << msg;
  const std::string part = message_of([] { data::load_dataset("a9a:tset"); });
  EXPECT_NE(part.find("did you mean 'test'?"), std::string::npos) << part;
}

}  // namespace
}  // namespace bilevel
