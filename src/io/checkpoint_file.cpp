#include "bilevel/io/checkpoint_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"

namespace bilevel {

void write_checkpoint_file(const Checkpoint& checkpoint, const std::string& path) {
  write_file_atomically(path, checkpoint.text, "checkpoint file");
}

Checkpoint read_checkpoint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InvalidInput("cannot read checkpoint file '" + path + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw InvalidInput("cannot read checkpoint file '" + path + "': " + std::strerror(errno));
  return {text.str(), path};
}

}  // namespace bilevel
