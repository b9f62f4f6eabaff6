// Regenerates the option tables of the docs from the declarations (see
// include/bilevel/io/option_tables.hpp):
//
//   build/bilevel_option_tables --write docs/algorithms.md docs/problems.md
//
// Without --write it only reports which tables differ and exits 1 if any does.
#include "bilevel/io/option_tables.hpp"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"

int main(int argc, char** argv) {
  bool write = false;
  int status = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--write") {
        write = true;
        continue;
      }
      std::ifstream in(arg, std::ios::binary);
      if (!in) throw bilevel::InvalidInput("cannot read '" + arg + "'");
      std::stringstream ss;
      ss << in.rdbuf();
      const bilevel::TableUpdate u =
          bilevel::update_options_tables(ss.str(), bilevel::registry_options_table);
      for (const auto& n : u.unknown) {
        std::cerr << arg << ": no method or problem named '" << n << "'\n";
        status = 1;
      }
      for (const auto& n : u.updated) std::cout << arg << ": table of " << n << " differs\n";
      if (!u.updated.empty()) {
        if (write) bilevel::write_file_atomically(arg, u.text, "docs file");
        else status = 1;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "bilevel_option_tables: " << e.what() << '\n';
    return 2;
  }
  return status;
}
