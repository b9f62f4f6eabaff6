// libFuzzer target: the IDX loader (bilevel/data/idx.hpp), plain or gzip. The first byte
// picks what is read: an image file, a label file, or both as a dataset (the rest of the
// input cut in two at the position the second byte gives).
#include "bilevel/data/idx.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0] % 3;
  data += 1;
  size -= 1;
  using bilevel::fuzz::expect_load_or_invalid_input;
  using bilevel::fuzz::MemoryFile;
  if (mode == 0) {
    const MemoryFile file(data, size);
    expect_load_or_invalid_input([&] { bilevel::data::read_idx_images(file.path()); });
  } else if (mode == 1) {
    const MemoryFile file(data, size);
    expect_load_or_invalid_input([&] { bilevel::data::read_idx_labels(file.path()); });
  } else {
    const std::size_t cut = std::min<std::size_t>(size - 1, data[0]) + 1;
    const MemoryFile images(data + 1, cut - 1), labels(data + cut, size - cut);
    expect_load_or_invalid_input([&] {
      const bilevel::data::Dataset d =
          bilevel::data::load_idx(images.path(), labels.path(), "fuzz");
      d.check();
    });
  }
  return 0;
}
