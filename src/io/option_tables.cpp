#include "bilevel/io/option_tables.hpp"

#include "bilevel/core/error.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {

namespace {

constexpr std::string_view kBegin = "<!-- options: ";
constexpr std::string_view kBeginClose = " -->";
constexpr std::string_view kEnd = "<!-- end options -->";

}  // namespace

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string options_table(const std::vector<OptionDoc>& docs) {
  std::string out = "| option | default | meaning |\n|---|---|---|\n";
  for (const OptionDoc& d : docs) {
    const std::string value = d.value == "auto" && !d.auto_rule.empty() ? "auto = " + d.auto_rule
                              : d.value.empty()                         ? "(empty)"
                                                                        : d.value;
    const std::string meaning = d.full_help(/*with_rule=*/false);
    out += "| `" + d.name + "` | " + markdown_cell(value) + " | " + markdown_cell(meaning) + " |\n";
  }
  return out;
}

std::optional<std::string> registry_options_table(const std::string& name) {
  for (const auto& e : algorithm_registry())
    if (e.name == name) return options_table(e.make()->option_docs());
  for (const auto& e : problem_registry())
    if (e.name == name) return options_table(e.options());
  return std::nullopt;
}

std::string options_reference() {
  std::string out =
      "# Option reference\n\n"
      "Every option of `bilevel run`'s settings, of each method (`-A key=value`) and of each "
      "problem (`-P key=value`), with its default, its constraint and, for `auto`, the rule "
      "that resolves it when a run starts. This page is generated from the declarations in "
      "the code (`build/bilevel_option_tables --write`); a test fails when it is out of date. "
      "The methods and problems themselves are described in [algorithms.md](algorithms.md) and "
      "[problems.md](problems.md).\n\n"
      "## Run settings\n\n"
      "The settings of every run (`RunSettings` in C++; the flags `--max-iters`, "
      "`--max-oracle-calls`, `--time-limit`, `--tol`, `--seed`, `--log-every`, "
      "`--no-diagnostics`, `--min-eig` and `--max-memory` of `bilevel run`).\n\n";
  out += options_table(option_docs(RunSettings{}, "run"));
  out += "\n## Methods\n";
  for (const auto& e : algorithm_registry())
    out += "\n### " + e.name + "\n\n" + e.description + ".\n\n" +
           options_table(e.make()->option_docs());
  out += "\n## Problems\n";
  for (const auto& e : problem_registry())
    out += "\n### " + e.name + "\n\n" + e.description + ".\n\n" + options_table(e.options());
  return out;
}

TableUpdate update_options_tables(
    const std::string& text,
    const std::function<std::optional<std::string>(const std::string&)>& table_for) {
  TableUpdate out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t begin = text.find(kBegin, pos);
    if (begin == std::string::npos) break;
    const std::size_t name_start = begin + kBegin.size();
    const std::size_t name_end = text.find(kBeginClose, name_start);
    const std::size_t line_end = text.find('\n', name_start);
    if (name_end == std::string::npos || line_end == std::string::npos || name_end > line_end)
      throw InvalidInput("options table marker without its closing '-->' on the same line");
    const std::string name = text.substr(name_start, name_end - name_start);
    const std::size_t end = text.find(kEnd, line_end);
    if (end == std::string::npos)
      throw InvalidInput("options table of '" + name + "' has no '" + std::string(kEnd) + "'");
    out.text += text.substr(pos, line_end + 1 - pos);
    const std::string current = text.substr(line_end + 1, end - line_end - 1);
    const std::optional<std::string> table = table_for(name);
    if (!table) {
      out.unknown.push_back(name);
      out.text += current;
    } else {
      if (*table != current) out.updated.push_back(name);
      out.text += *table;
    }
    pos = end;
  }
  out.text += text.substr(pos);
  return out;
}

}  // namespace bilevel
