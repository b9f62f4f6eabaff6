#include "bilevel/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

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

// The file that will be written for the output path, after following a symbolic link.
struct Target {
  std::string path;     // the file renamed over: `path` itself, or the file a link names
  bool exists = false;  // an existing regular file (replaced), or a new path
  struct stat st {};    // the existing file's status
};

// Why a file of this type may not be replaced; empty for a regular file.
std::string refusal_for_type(mode_t mode) {
  if (S_ISREG(mode)) return "";
  if (S_ISDIR(mode)) return "it is a directory; give a file name";
  if (S_ISCHR(mode) || S_ISBLK(mode))
    return "it is a device, not a regular file (use '-' for the standard output)";
  if (S_ISFIFO(mode)) return "it is a FIFO (named pipe), not a regular file";
  if (S_ISSOCK(mode)) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

// Checks the directory and the existing file (if any) of `path`; throws the user-facing error
// for anything that must not be replaced.
Target resolve_target(const std::string& path, std::string_view what) {
  if (path.empty()) throw write_error(what, path, "the file name is empty");
  const fs::path dir = directory_of(path);
  std::error_code ec;
  const fs::file_status dir_status = fs::status(dir, ec);
  if (!fs::exists(dir_status))
    throw write_error(what, path, "directory '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir_status))
    throw write_error(what, path, "'" + dir.string() + "' is not a directory");

  Target t;
  t.path = path;
  if (::lstat(path.c_str(), &t.st) != 0) {
    const int err = errno;
    if (err == ENOENT) return t;  // a new file
    throw write_error(what, path, errno_text(err));
  }
  if (S_ISLNK(t.st.st_mode)) {
    // Follow the link: replacing it by a regular file would silently cut it.
    const fs::path resolved = fs::canonical(path, ec);
    if (ec) {
      const fs::path points_to = fs::read_symlink(path, ec);
      throw write_error(what, path,
                        "it is a symbolic link to a missing file ('" + points_to.string() +
                            "'); create that file or give another name");
    }
    t.path = resolved.string();
    if (::lstat(t.path.c_str(), &t.st) != 0) throw write_error(what, path, errno_text(errno));
  }
  const std::string refusal = refusal_for_type(t.st.st_mode);
  if (!refusal.empty()) throw write_error(what, path, refusal);
  if ((t.st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)
    throw write_error(what, path,
                      "the file is read-only; make it writable (chmod u+w) or remove it to "
                      "replace it");
  // Permission bits alone do not tell (ACLs, read-only mounts): ask with the effective ids.
  if (::faccessat(AT_FDCWD, t.path.c_str(), W_OK, AT_EACCESS) != 0)
    throw write_error(what, path, "the file is not writable: " + errno_text(errno));
  t.exists = true;
  return t;
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

// Creates the temporary file temporary_path_for(target) and returns its descriptor; `*tmp`
// receives its name. O_EXCL | O_NOFOLLOW: a link or anything else planted under that name is
// never opened, let alone truncated; only a regular file of our own is taken for a leftover of
// an earlier process with the same pid, and replaced. The mode 0666 is reduced by the umask,
// as for any new file.
int open_temporary(const Target& target, const std::string& path, std::string_view what,
                   std::string* tmp) {
  *tmp = temporary_path_for(target.path);
  int err = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(tmp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    err = errno;
    struct stat st {};
    const bool own_leftover = err == EEXIST && ::lstat(tmp->c_str(), &st) == 0 &&
                              S_ISREG(st.st_mode) && st.st_uid == ::geteuid();
    if (!own_leftover || ::unlink(tmp->c_str()) != 0) break;
  }
  throw write_error(what, path, "cannot create temporary file '" + *tmp + "': " + errno_text(err));
}

// The replacement gets the replaced file's permission bits, and its owner and group where the
// process may set them (root may; others keep their own, as any new file would).
void copy_metadata(int fd, const Target& target) {
  if (!target.exists) return;
  const bool same_owner = ::fchown(fd, target.st.st_uid, target.st.st_gid) == 0 ||
                          (target.st.st_uid == ::geteuid() && target.st.st_gid == ::getegid());
  // Set-id bits only on a file owned as the original was.
  const mode_t mask = same_owner ? 07777 : 01777;
  (void)::fchmod(fd, target.st.st_mode & mask);
}

void write_standard_output(std::string_view content, std::string_view what) {
  std::cout.write(content.data(), static_cast<std::streamsize>(content.size()));
  std::cout.flush();
  if (!std::cout)
    throw InvalidInput("cannot write " + std::string(what) + " to the standard output");
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid());
}

void write_file_atomically(const std::string& path, std::string_view content,
                           std::string_view what) {
  if (is_standard_output(path)) return write_standard_output(content, what);
  const Target target = resolve_target(path, what);
  std::string tmp;
  const int fd = open_temporary(target, path, what, &tmp);
  copy_metadata(fd, target);
  int err = 0;  // the first failure's errno
  // On disk before the rename: after a crash the target is the old file or the new, whole.
  if (write_all(fd, content, &err) && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
  // close() reports delayed write errors (e.g. a full disk on NFS): check it too.
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(tmp.c_str(), target.path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    throw write_error(what, path, errno_text(err));
  }
}

void check_writable(const std::string& path, std::string_view what) {
  if (is_standard_output(path)) return;
  const Target target = resolve_target(path, what);
  // Permission bits alone do not tell (read-only mounts, ACLs, root): try the real operation.
  std::string tmp;
  ::close(open_temporary(target, path, what, &tmp));
  ::unlink(tmp.c_str());
}

std::string canonical_output_path(const std::string& path) {
  if (is_standard_output(path)) return path;
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  if (ec) return path;
  const fs::path existing = fs::canonical(absolute, ec);  // follows links; fails if missing
  if (!ec) return existing.string();
  const fs::path dir = fs::weakly_canonical(absolute.parent_path(), ec);
  if (ec) return absolute.lexically_normal().string();
  return (dir / absolute.filename()).lexically_normal().string();
}

}  // namespace bilevel
