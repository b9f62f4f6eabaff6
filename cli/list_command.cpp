#include "list_command.hpp"

#include <algorithm>
#include <vector>

#include "bilevel/data/catalog.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/suggest.hpp"
#include "bilevel/registry.hpp"

namespace bilevel::cli {

namespace {

// Past this width the help text goes on its own line, so one long default cannot push every
// other option's help far to the right.
constexpr std::size_t kMaxSettingWidth = 28;
// Lines are wrapped to fit a 100-column terminal.
constexpr std::size_t kLineWidth = 100;

// Writes `text` word-wrapped; the first line continues from column `column`, later lines
// start at column `indent`.
void write_wrapped(const std::string& text, std::size_t column, std::size_t indent,
                   std::ostream& out) {
  std::size_t pos = 0;
  bool line_empty = true;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    if (!line_empty && column + 1 + word.size() > kLineWidth) {
      out << '\n' << std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    line_empty = false;
  }
  out << '\n';
}

// "K=10", "alpha=auto = 1/L_g"; the help gains the constraint: "(>= 1)".
void print_options(const std::vector<OptionDoc>& docs, std::ostream& out) {
  if (docs.empty()) {
    out << "    (no options)\n";
    return;
  }
  std::size_t width = 0;
  for (const auto& d : docs) {
    const std::size_t w = d.name.size() + 1 + d.value.size();
    if (w <= kMaxSettingWidth) width = std::max(width, w);
  }
  for (const auto& d : docs) {
    const std::string setting = d.name + "=" + d.value;
    out << "    " << setting;
    if (setting.size() > width)
      out << "\n    " << std::string(width, ' ');
    else
      out << std::string(width - setting.size(), ' ');
    out << "  ";
    const std::string help = d.full_help(/*with_rule=*/true);
    write_wrapped(help, 4 + width + 2, 4 + width + 2, out);
  }
}

void print_entry(const std::string& name, const std::string& description,
                 const std::vector<OptionDoc>& docs, std::ostream& out, bool show_options = true) {
  out << "  " << name << "  ";
  write_wrapped(description, 2 + name.size() + 2, 2 + name.size() + 2, out);
  if (show_options) print_options(docs, out);
}

void list_algorithms(std::ostream& out) {
  out << "Algorithms (bilevel run --algo NAME [-A key=value]...; defaults shown):\n";
  for (const auto& e : algorithm_registry()) {
    out << '\n';
    print_entry(e.name, e.description, e.make()->option_docs(), out);
  }
}

void list_problems(std::ostream& out) {
  out << "Problems (bilevel run --problem NAME [-P key=value]...; defaults shown):\n";
  for (const auto& e : problem_registry()) {
    out << '\n';
    print_entry(e.name, e.description, e.options ? e.options() : std::vector<OptionDoc>{}, out);
  }
}

// Under each entry: whether its files are on this machine, so a user learns before a run (not
// after a long load) that a dataset needs installing. The status line is not wrapped, so that
// it can be grepped whole, paths included; what to install follows, wrapped.
void print_availability(const data::DatasetInfo& info, std::ostream& out) {
  switch (info.source) {
    case data::DatasetSource::kGenerated:
      out << "    always available (generated when loaded)\n";
      return;
    case data::DatasetSource::kUserFiles:
      out << "    your own files, read when loaded\n";
      return;
    case data::DatasetSource::kFiles:
      break;
  }
  if (info.available()) {
    out << "    available: " << info.location << '\n';
    return;
  }
  out << "    NOT AVAILABLE: " << info.missing << " is missing from " << info.location << '\n';
  out << "      ";
  write_wrapped(info.how_to_get, 6, 6, out);
}

void list_datasets(std::ostream& out) {
  out << "Datasets (bilevel run --problem hyperclean|learnreg -P dataset=NAME; availability on "
         "this machine):\n";
  for (const data::DatasetInfo& info : data::list_datasets()) {
    out << '\n';
    print_entry(info.name, info.description, {}, out, /*show_options=*/false);
    print_availability(info, out);
  }
}

}  // namespace

void list_registry(const std::string& what, std::ostream& out) {
  if (what == "algorithms") {
    list_algorithms(out);
  } else if (what == "problems") {
    list_problems(out);
  } else if (what == "datasets") {
    list_datasets(out);
  } else if (what.empty()) {
    list_algorithms(out);
    out << '\n';
    list_problems(out);
    out << '\n';
    list_datasets(out);
  } else {
    throw InvalidInput("cannot list '" + what + "'; use 'bilevel list algorithms', " +
                       "'bilevel list problems', 'bilevel list datasets' or 'bilevel list' for " +
                       "all three" + did_you_mean(what, {"algorithms", "problems", "datasets"}));
  }
}

}  // namespace bilevel::cli
