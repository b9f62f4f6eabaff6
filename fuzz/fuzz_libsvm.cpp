// libFuzzer target: the LIBSVM loader (bilevel/data/libsvm.hpp) on arbitrary bytes, plain or
// gzip (zlib decides from the first bytes).
#include "bilevel/data/libsvm.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bilevel::fuzz::MemoryFile file(data, size);
  bilevel::fuzz::expect_load_or_invalid_input([&] {
    const bilevel::data::Dataset d = bilevel::data::load_libsvm(file.path());
    d.check();
  });
  return 0;
}
