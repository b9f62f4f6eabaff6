#include "python_tool.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bilevel/core/error.hpp"
#include "bilevel/io/install_paths.hpp"

extern char** environ;

namespace bilevel::cli {

namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The last non-empty line of `path` (what a tool that fails cleanly prints), or "".
std::string last_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace

std::string python_tool_path(const std::string& name) {
  const SharedFolder tools = find_shared_folder("tools", "BILEVEL_TOOLS_DIR");
  const fs::path path = fs::path(tools.path) / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw InvalidInput("cannot find the tool " + name + " in '" + tools.path +
                       "'; set BILEVEL_TOOLS_DIR to the folder of bilevel's tools (tools/ in "
                       "the sources, share/bilevel/tools when installed; " +
                       tools.where_looked() + ")");
  return path.string();
}

void run_python_tool(const std::string& name, const std::vector<std::string>& args,
                     const std::string& what) {
  const std::string python = env_or("BILEVEL_PYTHON", "/usr/bin/python3");
  const std::string script = python_tool_path(name);
  std::vector<std::string> words = {python, script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  // The tool's stderr goes to a file, so that only its last line (its one-line error) is
  // reported, in our own one-line format.
  const std::string err_file =
      (fs::temp_directory_path() / ("bilevel_tool." + std::to_string(::getpid()) + ".stderr"))
          .string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    std::remove(err_file.c_str());
    throw InvalidInput(what + ": cannot run " + python + " (" + std::strerror(spawn_error) +
                       "); install python3 and python3-matplotlib or set BILEVEL_PYTHON");
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string last = last_line_of(err_file);
  std::remove(err_file.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::ostringstream why;
  why << what << ": " << python << " " << name;
  if (WIFEXITED(status))
    why << " exited with status " << WEXITSTATUS(status);
  else
    why << " was killed by signal " << WTERMSIG(status);
  if (!last.empty()) why << " (" << last << ")";
  throw InvalidInput(why.str());
}

}  // namespace bilevel::cli
