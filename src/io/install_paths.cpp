#include "bilevel/io/install_paths.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

// The configured install location (an install path, never a source path): set on this file
// alone by CMakeLists.txt.
#ifndef BILEVEL_INSTALL_SHARE_DIR
#error "BILEVEL_INSTALL_SHARE_DIR (CMAKE_INSTALL_FULL_DATADIR/bilevel) must be defined by the build"
#endif

namespace bilevel {

namespace fs = std::filesystem;

std::string executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return "";
  return exe.parent_path().string();
}

std::string library_dir() {
  // The file this function was loaded from: the executable for a program linked with the
  // static library, the extension module for Python.
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&library_dir), &info) == 0 || info.dli_fname == nullptr)
    return "";
  std::error_code ec;
  const fs::path file = fs::canonical(info.dli_fname, ec);
  return ec ? "" : file.parent_path().string();
}

std::string installed_share_dir() { return BILEVEL_INSTALL_SHARE_DIR; }

SharedFolder find_shared_folder(const std::string& name, const std::string& variable) {
  SharedFolder r;
  r.variable = variable;
  const char* value = std::getenv(variable.c_str());
  if (value != nullptr && *value != '\0') {
    r.path = value;
    r.from_variable = true;
    r.searched = {r.path};
    std::error_code ec;
    r.found = fs::is_directory(r.path, ec);
    return r;
  }
  const fs::path relative = fs::path("share") / "bilevel" / name;
  std::vector<std::string> dirs{executable_dir()};
  if (const std::string lib = library_dir(); lib != dirs[0]) dirs.push_back(lib);
  for (const std::string& binary_dir : dirs) {
    if (binary_dir.empty()) continue;
    const fs::path dir(binary_dir);
    // Lexically: /p/bin/../share/... is shown as /p/share/...
    r.searched.push_back((dir.parent_path() / relative).string());  // installed: bin/../share
    r.searched.push_back((dir / relative).string());                // a build tree, a package
  }
  const std::string installed = (fs::path(installed_share_dir()) / name).string();
  r.searched.push_back(installed);
  for (const std::string& candidate : r.searched) {
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) {
      r.path = candidate;
      r.found = true;
      return r;
    }
  }
  r.path = installed;
  return r;
}

std::string SharedFolder::where_looked() const {
  if (from_variable) return variable + " is set to '" + path + "'";
  std::string text = variable + " is not set; looked in ";
  for (std::size_t i = 0; i < searched.size(); ++i) text += (i == 0 ? "" : ", ") + searched[i];
  return text;
}

}  // namespace bilevel
