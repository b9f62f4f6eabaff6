// What the compare tests share: comparing runs.csv files whose time column alone may differ.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace bilevel::testing {

// Each line of a compare runs.csv without its time_s field (the 5th: method,algo,seed,iter,
// time_s,...), the only field two runs of one comparison may disagree on.
inline std::vector<std::string> runs_without_time(const std::string& csv) {
  std::vector<std::string> lines;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, ',');) fields.push_back(f);
    if (fields.size() > 4) fields.erase(fields.begin() + 4);
    std::string joined;
    for (const auto& f : fields) joined += f + ',';
    lines.push_back(joined);
  }
  return lines;
}

}  // namespace bilevel::testing
