// libFuzzer target: the vector file reader (bilevel/io/vector_file.hpp) behind --x0 and --y0,
// .npy (versions 1-3, header dictionary, dtypes, shapes) or text, plain or gzip. A vector it
// accepts must survive writing and reading back in both formats, bit for bit.
#include <cstring>
#include <cstdlib>
#include <unistd.h>

#include "bilevel/io/vector_file.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bilevel::fuzz::MemoryFile file(data, size);
  bilevel::Vec v;
  try {
    v = bilevel::read_vector_file(file.path(), "fuzz");
  } catch (const bilevel::InvalidInput&) {
    return 0;
  }
  if (v.size() > 4096) return 0;  // the round trip below writes files: keep it cheap
  for (const char* ext : {".npy", ".txt"}) {
    const std::string path = "/tmp/bilevel-fuzz-vector-" + std::to_string(::getpid()) + ext;
    bilevel::write_vector_file(v, path, "fuzz");
    const bilevel::Vec back = bilevel::read_vector_file(path, "fuzz");
    std::remove(path.c_str());
    if (back.size() != v.size() ||
        (v.size() > 0 &&
         std::memcmp(back.data(), v.data(), static_cast<std::size_t>(v.size()) * 8) != 0))
      std::abort();
  }
  return 0;
}
