// make_problem_from_data: a data-driven problem on the caller's own sets is the problem on a
// named dataset when the sets are that dataset's split (the Python module's arrays rely on it).
#include <gtest/gtest.h>

#include "bilevel/core/error.hpp"
#include "bilevel/data/catalog.hpp"
#include "bilevel/io/install_paths.hpp"
#include "bilevel/problems/data_split.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

class ProblemFromData : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(ProblemFromData, EqualsTheNamedDatasetRunOnItsSplit) {
  const auto [problem_name, algo_name] = GetParam();
  const KeyValues options = {{"corrupt", "0.3"}, {"seed", "3"}};
  KeyValues named_options = options;
  named_options.emplace_back("dataset", "heart");
  auto named = make_problem(problem_name, named_options);
  SplitSizes sizes;  // the defaults the named problem resolves
  data::Split parts = split_dataset(data::load_dataset("heart"), sizes, 3, "test");
  auto given = make_problem_from_data(problem_name, options, std::move(parts.train),
                                      std::move(parts.val), std::move(parts.test));
  RunSettings settings;
  settings.stopping.max_iters = 8;
  const auto algo = make_algorithm(algo_name);
  const Result a = algo->solve(*named, settings);
  const Result b = algo->solve(*given, settings);
  testing::expect_same_run(a, b);
}

INSTANTIATE_TEST_SUITE_P(Problems, ProblemFromData,
                         ::testing::Values(std::pair{"hyperclean", "f2ba"},
                                           std::pair{"learnreg", "aid-cg"}));

TEST(ProblemFromDataRefusals, NamesWhatToDrop) {
  data::Split parts = split_dataset(data::load_dataset("heart"), {}, 0, "test");
  auto call = [&](const std::string& name, const KeyValues& kv) {
    return make_problem_from_data(name, kv, parts.train, parts.val, parts.test);
  };
  try {
    call("hyperclean", {{"n_train", "10"}});
    FAIL() << "n_train accepted";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(),
                 "hyperclean: option n_train chooses or splits a dataset, but the train / "
                 "validation / test sets are given; drop n_train");
  }
  try {
    call("quadratic", {});
    FAIL() << "quadratic accepted data";
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(),
                 "problem 'quadratic' takes no data sets; the problems that do: hyperclean, "
                 "learnreg");
  }
  EXPECT_THROW(call("no-such", {}), InvalidInput);
}

TEST(LibraryDir, IsTheExecutablesForAProgramLinkedWithTheLibrary) {
  EXPECT_FALSE(library_dir().empty());
  EXPECT_EQ(library_dir(), executable_dir());
}

}  // namespace
}  // namespace bilevel
