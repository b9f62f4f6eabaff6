// Where the shipped datasets and tools are found at run time (bilevel/io/install_paths.hpp):
// the environment variable alone when set; else beside the executable, installed layout
// first, then the build tree (where this test runs: CMake links <build>/share/bilevel/data
// and .../tools to the sources), then the configured install location.
#include "bilevel/io/install_paths.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace bilevel {
namespace {

namespace fs = std::filesystem;

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class EnvFor {
 public:
  EnvFor(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~EnvFor() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(InstallPaths, ExecutableDirHoldsTheRunningProgram) {
  const std::string dir = executable_dir();
  ASSERT_FALSE(dir.empty());
  EXPECT_TRUE(fs::exists(fs::path(dir) / "bilevel_tests")) << dir;
}

TEST(InstallPaths, TheVariableAloneDecidesWhenSet) {
  const std::string nowhere = "/nonexistent/bilevel-data";
  EnvFor env("BILEVEL_DATA_DIR", nowhere);
  const SharedFolder f = find_shared_folder("data", "BILEVEL_DATA_DIR");
  EXPECT_EQ(f.path, nowhere);
  EXPECT_TRUE(f.from_variable);
  EXPECT_FALSE(f.found);
  EXPECT_EQ(f.searched, std::vector<std::string>{nowhere});
  EXPECT_EQ(f.where_looked(), "BILEVEL_DATA_DIR is set to '" + nowhere + "'");
}

// Without the variable (unset or empty): the installed layout, the build tree, the install
// location, in this order; here the build tree's links are found.
TEST(InstallPaths, WithoutTheVariableTheBuildTreeLinksAreFound) {
  for (const std::optional<std::string>& value :
       {std::optional<std::string>(), std::optional<std::string>("")}) {
    SCOPED_TRACE(value ? "empty" : "unset");
    EnvFor data_env("BILEVEL_DATA_DIR", value);
    EnvFor tools_env("BILEVEL_TOOLS_DIR", value);
    const fs::path exe = executable_dir();
    for (const auto& [name, variable, file] :
         {std::tuple{"data", "BILEVEL_DATA_DIR", "heart_scale"},
          std::tuple{"tools", "BILEVEL_TOOLS_DIR", "plot_traces.py"}}) {
      SCOPED_TRACE(name);
      const SharedFolder f = find_shared_folder(name, variable);
      const fs::path relative = fs::path("share") / "bilevel" / name;
      const std::vector<std::string> expected = {
          (exe.parent_path() / relative).string(), (exe / relative).string(),
          (fs::path(installed_share_dir()) / name).string()};
      EXPECT_EQ(f.searched, expected);
      EXPECT_FALSE(f.from_variable);
      ASSERT_TRUE(f.found);
      // The first existing candidate: the build tree's, unless an installed bilevel happens
      // to sit next to the build directory.
      EXPECT_EQ(f.path, fs::is_directory(expected[0]) ? expected[0] : expected[1]);
      EXPECT_TRUE(fs::exists(fs::path(f.path) / file)) << f.path;
      const std::string looked = f.where_looked();
      EXPECT_TRUE(contains(looked, std::string(variable) + " is not set; looked in ")) << looked;
      for (const std::string& candidate : expected) EXPECT_TRUE(contains(looked, candidate));
    }
  }
}

TEST(InstallPaths, InstallLocationIsAnAbsoluteSharePath) {
  const fs::path installed = installed_share_dir();
  EXPECT_TRUE(installed.is_absolute()) << installed;
  EXPECT_EQ(installed.filename(), "bilevel");
}

}  // namespace
}  // namespace bilevel
