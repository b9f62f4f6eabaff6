#include "bilevel/io/output_files.hpp"

#include <filesystem>

#include "bilevel/core/error.hpp"
#include "bilevel/io/atomic_file.hpp"

namespace bilevel {

namespace {

// One file under two spellings, or under two names of one inode (a hard link).
bool same_file(const std::string& a, const std::string& b) {
  if (canonical_output_path(a) == canonical_output_path(b)) return true;
  std::error_code ec;
  return !is_standard_output(a) && !is_standard_output(b) &&
         std::filesystem::equivalent(a, b, ec) && !ec;
}

}  // namespace

void check_output_files(const std::vector<OutputFile>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputFile& o = outputs[i];
    if (o.path.empty()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      const OutputFile& p = outputs[j];
      if (p.path.empty() || !same_file(o.path, p.path)) continue;
      if (is_standard_output(o.path))
        throw InvalidInput(p.flag + " and " + o.flag +
                           " both write to the standard output ('-'); give one of them a file");
      throw InvalidInput(p.flag + " and " + o.flag + " both name the file '" +
                         canonical_output_path(o.path) + "' ('" + p.path + "' and '" + o.path +
                         "'); give them different files");
    }
  }
  for (const OutputFile& o : outputs)
    if (!o.path.empty()) check_writable(o.path, o.what);
}

bool writes_standard_output(const std::vector<OutputFile>& outputs) {
  for (const OutputFile& o : outputs)
    if (is_standard_output(o.path)) return true;
  return false;
}

}  // namespace bilevel
