// Regenerates the option tables of the docs from the declarations (see
// include/bilevel/io/option_tables.hpp): docs/options.md whole, and the marked tables of
// docs/algorithms.md and docs/problems.md. From the source folder:
//
//   build/bilevel_option_tables --write
//
// Without --write it only reports what differs and exits 1 if anything does. Other files than
// these three may be named after the flag; a file named options.md is generated whole.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"
#include "bilevel/io/option_tables.hpp"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw bilevel::InvalidInput("cannot read '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Regenerates one file; returns true when it differed.
bool regenerate(const std::string& path, bool write) {
  const std::string text = read_text(path);
  std::string generated;
  if (std::filesystem::path(path).filename() == "options.md") {
    generated = bilevel::options_reference();
    if (generated != text) std::cout << path << ": differs from the declarations\n";
  } else {
    const bilevel::TableUpdate u =
        bilevel::update_options_tables(text, bilevel::registry_options_table);
    for (const auto& n : u.unknown)
      throw bilevel::InvalidInput(path + ": no method or problem named '" + n + "'");
    for (const auto& n : u.updated) std::cout << path << ": the table of " << n << " differs\n";
    generated = u.text;
  }
  if (generated == text) return false;
  if (write) bilevel::write_file_atomically(path, generated, "docs file");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  bool write = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--write") write = true;
    else files.push_back(arg);
  }
  if (files.empty()) files = {"docs/options.md", "docs/algorithms.md", "docs/problems.md"};
  try {
    bool differs = false;
    for (const auto& f : files) differs = regenerate(f, write) || differs;
    return differs && !write ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "bilevel_option_tables: " << e.what() << '\n';
    return 2;
  }
}
