// The option tables of docs/algorithms.md and docs/problems.md are generated from the
// declarations (io/option_tables.hpp): a test fails when they drift, and every registered
// method and problem must have its table.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "bilevel/core/error.hpp"
#include "bilevel/io/option_tables.hpp"
#include "bilevel/registry.hpp"

#ifndef BILEVEL_DOCS_DIR
#error "BILEVEL_DOCS_DIR must name the docs/ folder (CMakeLists.txt)"
#endif

namespace bilevel {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(BILEVEL_DOCS_DIR) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kRegenerate = "regenerate with: build/bilevel_option_tables --write";

TEST(DocsTables, MatchTheDeclarations) {
  for (const char* file : {"algorithms.md", "problems.md"}) {
    const TableUpdate u = update_options_tables(read_doc(file), registry_options_table);
    EXPECT_TRUE(u.unknown.empty())
        << file << " marks a table of an unknown name: " << u.unknown.front();
    for (const auto& name : u.updated)
      ADD_FAILURE() << file << ": the table of " << name << " differs from its declarations; "
                    << kRegenerate;
  }
}

// docs/options.md lists every registered method and problem: a new one is documented by
// regenerating it, without editing any page by hand.
TEST(DocsTables, TheOptionReferenceIsUpToDate) {
  EXPECT_TRUE(read_doc("options.md") == options_reference())
      << "docs/options.md differs from the declarations; " << kRegenerate;
  const std::string reference = options_reference();
  for (const auto& e : algorithm_registry())
    EXPECT_NE(reference.find("### " + e.name + "\n"), std::string::npos) << e.name;
  for (const auto& e : problem_registry())
    EXPECT_NE(reference.find("### " + e.name + "\n"), std::string::npos) << e.name;
}

TEST(DocsTables, UpdateRewritesOnlyTheMarkedTables) {
  const std::string text =
      "intro\n<!-- options: a -->\nold\n<!-- end options -->\nmiddle\n"
      "<!-- options: b -->\n<!-- end options -->\n";
  const TableUpdate u = update_options_tables(text, [](const std::string& n) {
    return n == "a" ? std::optional<std::string>("new\n") : std::nullopt;
  });
  EXPECT_EQ(u.text,
            "intro\n<!-- options: a -->\nnew\n<!-- end options -->\nmiddle\n"
            "<!-- options: b -->\n<!-- end options -->\n");
  EXPECT_EQ(u.updated, std::vector<std::string>{"a"});
  EXPECT_EQ(u.unknown, std::vector<std::string>{"b"});
  EXPECT_THROW(update_options_tables("<!-- options: a -->\nno end\n",
                                     [](const std::string&) { return std::nullopt; }),
               InvalidInput);
}

TEST(DocsTables, ShowAutoRulesConstraintsAndEscapePipes) {
  std::vector<OptionDoc> docs = {
      {"eta", "auto", "1/L_phi", "> 0", "outer step", {}},
      {"inner", "gd", "", "gd or agd", "inner solver: gd or agd", {"gd", "agd"}},
      {"tol", "0", "", ">= 0", "stop at ||g|| <= tol", {}}};
  EXPECT_EQ(options_table(docs),
            "| option | default | meaning |\n|---|---|---|\n"
            "| `eta` | auto = 1/L_phi | outer step (> 0) |\n"
            "| `inner` | gd | inner solver: gd or agd |\n"
            "| `tol` | 0 | stop at \\|\\|g\\|\\| <= tol (>= 0) |\n");
}

}  // namespace
}  // namespace bilevel
