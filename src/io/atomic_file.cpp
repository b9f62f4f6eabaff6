#include "bilevel/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "bilevel/core/error.hpp"

namespace bilevel {

namespace {

namespace fs = std::filesystem;

InvalidInput write_error(std::string_view what, const std::string& path,
                         const std::string& reason) {
  return InvalidInput("cannot write " + std::string(what) + " '" + path + "': " + reason);
}

std::string errno_text(int err) { return std::strerror(err); }

// The directory the file will live in ("." for a bare file name).
fs::path directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// Checks that do not need a syscall failure to explain them: the reasons a user can fix.
void check_location(const std::string& path, std::string_view what) {
  if (path.empty()) throw write_error(what, path, "the file name is empty");
  const fs::path dir = directory_of(path);
  std::error_code ec;
  const fs::file_status dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status))
    throw write_error(what, path, "directory '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir_status))
    throw write_error(what, path, "'" + dir.string() + "' is not a directory");
  if (fs::is_directory(fs::status(path, ec)))
    throw write_error(what, path, "it is a directory; give a file name");
}

// Writes all of `content` to `fd`, retrying short writes and interrupted calls.
bool write_all(int fd, std::string_view content, int* err) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

// Creates (or truncates) the temporary file; throws the user-facing error if it cannot.
// O_TRUNC rather than O_EXCL: a leftover with our pid can only be our own stale file.
int open_temporary(const std::string& path, const std::string& tmp, std::string_view what) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;  // read before any allocation can touch it
    throw write_error(what, path, "cannot create temporary file '" + tmp + "': " + errno_text(err));
  }
  return fd;
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void write_file_atomically(const std::string& path, std::string_view content,
                           std::string_view what) {
  check_location(path, what);
  const std::string tmp = temporary_path_for(path);
  const int fd = open_temporary(path, tmp, what);
  int err = 0;
  const bool written = write_all(fd, content, &err);
  // close() reports delayed write errors (e.g. a full disk on NFS): check it too.
  if (::close(fd) != 0 && written) err = errno;
  if (!written || err != 0) {
    ::unlink(tmp.c_str());
    throw write_error(what, path, errno_text(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    throw write_error(what, path, errno_text(err));
  }
}

void check_writable(const std::string& path, std::string_view what) {
  check_location(path, what);
  // Permission bits alone do not tell (read-only mounts, ACLs, root): try the real operation.
  const std::string tmp = temporary_path_for(path);
  ::close(open_temporary(path, tmp, what));
  ::unlink(tmp.c_str());
}

}  // namespace bilevel
