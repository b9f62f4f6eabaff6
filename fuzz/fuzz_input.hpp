// What the loader fuzz targets share: the loaders read files by path (plain or gzip, through
// zlib), so each input is handed to them as an in-memory file (memfd_create) named by its
// /proc/self/fd path, which costs no disk I/O. Loader errors are bilevel::InvalidInput, the
// documented outcome for a malformed file; anything else (another exception, a crash, a
// sanitizer report) is a finding.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bilevel/core/error.hpp"

namespace bilevel::fuzz {

// An in-memory file holding `size` bytes, closed when the object goes.
class MemoryFile {
 public:
  MemoryFile(const std::uint8_t* data, std::size_t size) {
    fd_ = memfd_create("bilevel-fuzz", 0);
    if (fd_ < 0) std::abort();
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = write(fd_, data + done, size - done);
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_ = -1;
};

// Runs `load`, accepting InvalidInput (a refused file) as a normal outcome.
template <class Fn>
void expect_load_or_invalid_input(Fn&& load) {
  try {
    load();
  } catch (const InvalidInput&) {
  }
}

}  // namespace bilevel::fuzz
