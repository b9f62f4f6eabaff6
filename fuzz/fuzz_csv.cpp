// libFuzzer target: the CSV loader (bilevel/data/csv.hpp) on arbitrary bytes. The first byte
// picks the delimiter and the label column, so that those paths are fuzzed too.
#include "bilevel/data/csv.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bilevel::data::CsvOptions options;
  const std::uint8_t mode = data[0];
  options.delimiter = (mode & 1) != 0 ? ';' : ',';
  options.label_column = static_cast<int>(mode >> 1) % 5 - 2;  // -2 .. 2
  const bilevel::fuzz::MemoryFile file(data + 1, size - 1);
  bilevel::fuzz::expect_load_or_invalid_input([&] {
    const bilevel::data::Dataset d = bilevel::data::load_csv(file.path(), options);
    d.check();
  });
  return 0;
}
