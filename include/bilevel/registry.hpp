// Name -> factory for problems and algorithms. The CLI (and later the Python module) finds
// everything here, so a new method or problem is reachable by name once it has its line in
// src/registry.cpp (its name, description and options come from its own class).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/complexity_bounds.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel {

struct ProblemEntry {
  std::string name;
  std::string description;
  // Builds the problem from key=value options (throws InvalidInput / InvalidOptions).
  std::function<std::unique_ptr<Problem>(const KeyValues&)> make;
  // Builds one rank's shard (shard.hpp) for a distributed run; null for a problem that is not
  // a finite sum it can split (a distributed run then replicates the whole problem).
  std::function<std::unique_ptr<Problem>(const KeyValues&, const Shard&)> make_shard;
  // Builds the problem on a caller's own train / validation / test sets (test may be empty)
  // instead of loading and splitting its `dataset`; null for a problem that takes no data.
  std::function<std::unique_ptr<Problem>(const KeyValues&, data::Dataset train,
                                         data::Dataset val, data::Dataset test)>
      make_from_data;
  std::function<std::vector<OptionDoc>()> options;  // defaults and help
  // The lower bounds the problem class states (P::lower_bounds), if any.
  std::function<std::vector<ComplexityBound>(std::string_view key, bool stochastic)>
      lower_bounds;
};

struct AlgorithmEntry {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<Algorithm>()> make;  // with default options
};

const std::vector<ProblemEntry>& problem_registry();
const std::vector<AlgorithmEntry>& algorithm_registry();

// Throw InvalidInput naming the unknown name and listing the known ones.
// With a shard of several ranks, this rank's shard of a problem that has make_shard, else
// the whole problem.
std::unique_ptr<Problem> make_problem(const std::string& name, const KeyValues& options = {},
                                      const Shard& shard = {});
// The problem `name` on the caller's own sets (ProblemEntry::make_from_data): what the Python
// module's arrays become. The options that choose and split a dataset (dataset, n_train,
// n_val, n_test) are refused, since the sets replace them; the others (corrupt, c, seed, ...)
// apply as usual. Throws InvalidInput for a problem that takes no data, naming those that do.
std::unique_ptr<Problem> make_problem_from_data(const std::string& name, const KeyValues& options,
                                                data::Dataset train, data::Dataset val,
                                                data::Dataset test);
std::unique_ptr<Algorithm> make_algorithm(const std::string& name,
                                          const KeyValues& options = {});

}  // namespace bilevel
