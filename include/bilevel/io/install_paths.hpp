// Where the files that ship with bilevel are found at run time: the datasets of data/ and the
// plotting tools of tools/, installed as share/bilevel/data and share/bilevel/tools. No source
// path is compiled into the binaries.
//
// find_shared_folder("data", "BILEVEL_DATA_DIR") (the same for "tools", BILEVEL_TOOLS_DIR)
// takes, in order:
//   1. $BILEVEL_DATA_DIR when set and not empty: that folder and no other, as given (a folder
//      that does not exist then makes every shipped file missing, with the variable named);
//   2. <exe dir>/../share/bilevel/data, <exe dir> being the running executable's folder
//      (/proc/self/exe): an installed bilevel, bin/ beside share/;
//   3. <exe dir>/share/bilevel/data: a build tree, where CMake links share/bilevel/data and
//      share/bilevel/tools to the source folders (CMakeLists.txt), so build/bilevel and
//      build/bilevel_tests find them from any build directory;
//   2b, 3b. the same two beside the file the library was loaded from, when that is not the
//      executable: the Python module's extension (bilevel/_bilevel*.so), whose package holds
//      share/bilevel/data (a link to the sources in a build tree, a copy when pip-installed);
//   4. <datadir>/bilevel/data, the install location configured when the library was built
//      (CMAKE_INSTALL_FULL_DATADIR, e.g. /usr/local/share): for programs linked against an
//      installed library that live elsewhere.
// Without the variable, the first of 2-4 that is an existing folder is taken.
#pragma once

#include <string>
#include <vector>

namespace bilevel {

struct SharedFolder {
  std::string path;  // the folder found; when none is, the install location (4)
  bool found = false;  // path is an existing folder
  std::string variable;       // the environment variable consulted first
  bool from_variable = false;  // path is the variable's value
  std::vector<std::string> searched;  // the folders looked at, in order

  // For messages, naming the variable and where the search looked:
  // "BILEVEL_DATA_DIR is set to '/x'", or
  // "BILEVEL_DATA_DIR is not set; looked in /a/share/bilevel/data, /b, /c".
  std::string where_looked() const;
};

// share/bilevel/<name> ("data" or "tools") found as described above; `variable` overrides.
SharedFolder find_shared_folder(const std::string& name, const std::string& variable);

// The folder of the running executable (from /proc/self/exe), or "" when it is unknown.
std::string executable_dir();
// The folder of the binary this library was loaded from (dladdr): the executable's for a
// program linked with it, the extension module's for Python; "" when unknown.
std::string library_dir();

// The install location of bilevel's shared files compiled into the library:
// CMAKE_INSTALL_FULL_DATADIR/bilevel (e.g. /usr/local/share/bilevel).
std::string installed_share_dir();

}  // namespace bilevel
