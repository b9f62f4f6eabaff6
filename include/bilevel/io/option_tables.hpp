// The option tables of docs/algorithms.md and docs/problems.md, generated from the options'
// declarations so that the docs cannot drift from the code.
//
// A generated table sits between two markers in a Markdown file:
//
//   <!-- options: f2ba -->
//   | option | default | meaning |
//   ...
//   <!-- end options -->
//
// where the name is a method or problem of the registry. docs/options.md is generated whole.
// tools/option_tables.cpp rewrites them (`build/bilevel_option_tables --write`), and a test
// fails when the docs differ from the declarations.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bilevel/core/options.hpp"

namespace bilevel {

// Text as a Markdown table cell: a '|' inside a cell would end it, so it is escaped.
std::string markdown_cell(const std::string& s);

// The Markdown table of `docs`: option, default ("auto = <rule>" for auto), meaning (the help
// and, in parentheses, the constraint).
std::string options_table(const std::vector<OptionDoc>& docs);

// The table of a registered method or problem by name; nullopt for an unknown name.
std::optional<std::string> registry_options_table(const std::string& name);

// docs/options.md: every option of the run settings, of every registered method and of every
// registered problem, with their descriptions; generated whole (never edited by hand).
std::string options_reference();

struct TableUpdate {
  std::string text;                  // the file with every marked table regenerated
  std::vector<std::string> updated;  // names whose table changed
  std::vector<std::string> unknown;  // marked names that `table_for` does not know
};

// Regenerates every marked table of a Markdown text. Throws InvalidInput for a marker without
// its end marker.
TableUpdate update_options_tables(
    const std::string& text,
    const std::function<std::optional<std::string>(const std::string&)>& table_for);

}  // namespace bilevel
