// Name -> factory for problems and algorithms. The CLI (and later the Python module) finds
// everything here, so a new method or problem is reachable by name once it is registered in
// src/registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/problem.hpp"

namespace bilevel {

// One documented option: name, default value (formatted), help text.
struct OptionDoc {
  std::string name;
  std::string value;
  std::string help;
};

std::vector<OptionDoc> option_docs(const OptionList& list);

struct ProblemEntry {
  std::string name;
  std::string description;
  // Builds the problem from key=value options (throws InvalidInput / InvalidOptions).
  std::function<std::unique_ptr<Problem>(const KeyValues&)> make;
  std::function<std::vector<OptionDoc>()> options;  // defaults and help
};

struct AlgorithmEntry {
  std::string name;
  std::string description;
  std::function<std::unique_ptr<Algorithm>()> make;
};

const std::vector<ProblemEntry>& problem_registry();
const std::vector<AlgorithmEntry>& algorithm_registry();

// Throw InvalidInput naming the unknown name and listing the known ones.
std::unique_ptr<Problem> make_problem(const std::string& name, const KeyValues& options = {});
std::unique_ptr<Algorithm> make_algorithm(const std::string& name,
                                          const KeyValues& options = {});

}  // namespace bilevel
