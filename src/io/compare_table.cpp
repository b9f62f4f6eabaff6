// The Markdown table of a comparison: what a researcher pastes into notes or a paper draft.
#include <cmath>
#include <cstdio>

#include "bilevel/io/compare_output.hpp"
#include "bilevel/io/option_tables.hpp"

namespace bilevel {

namespace {

// Four significant digits: a table to read, not to compute with (summary.json has every digit).
std::string short_number(double v) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string cell(const Quantiles& q) {
  if (q.n == 0) return "-";
  return short_number(q.median) + " [" + short_number(q.q20) + ", " + short_number(q.q80) + "]";
}

}  // namespace

std::string compare_table(const CompareResult& res) {
  const CompareConfig& c = res.config;
  std::string header = "| method | finished |";
  std::string rule = "|---|---|";
  for (const auto& y : c.y) {
    header += " final " + markdown_cell(y) + " |";
    rule += "---|";
  }
  header += " final " + markdown_cell(c.x) + " |";
  rule += "---|";
  if (c.target) {
    header.append(" ").append(markdown_cell(c.x)).append(" to ")
        .append(markdown_cell(c.target->column)).append(c.target->above ? " >= " : " <= ")
        .append(short_number(c.target->value)).append(" |");
    rule += "---|";
  }
  std::string text = header + '\n' + rule + '\n';
  for (std::size_t e = 0; e < res.entries.size(); ++e) {
    const CompareMethodStats& s = res.stats[e];
    std::string line = "| " + markdown_cell(res.entries[e].label) + " | " + std::to_string(s.finished) +
                       " of " + std::to_string(s.planned) + " |";
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " " + std::string&&.
    for (const auto& q : s.final_y) line.append(" ").append(cell(q)).append(" |");
    line.append(" ").append(cell(s.final_x)).append(" |");
    if (c.target)
      line.append(" ").append(cell(s.x_to_target)).append(" (reached ")
          .append(std::to_string(s.reached)).append(" of ").append(std::to_string(s.planned))
          .append(") |");
    text += line + '\n';
  }
  text += "\nmedian [20%, 80% quantiles] over seeds";
  text += res.interrupted ? "; interrupted: only the runs that finished are counted\n" : "\n";
  return text;
}

}  // namespace bilevel
