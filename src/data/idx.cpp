#include "bilevel/data/idx.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "input_file.hpp"
#include "label_codes.hpp"

namespace bilevel::data {

namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

std::string hex(std::uint32_t v) {
  std::array<char, 11> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%08x", v);
  return buf.data();
}

std::uint32_t read_big_endian(detail::InputFile& in, const char* what) {
  std::array<unsigned char, 4> b{};
  if (in.read(b.data(), b.size()) != b.size()) {
    throw InvalidInput(in.path() + ": truncated IDX header (no " + what + ")");
  }
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

void expect_magic(detail::InputFile& in, std::uint32_t expected, const char* kind) {
  const std::uint32_t magic = read_big_endian(in, "magic number");
  if (magic != expected) {
    throw InvalidInput(in.path() + ": bad IDX magic number " + hex(magic) + ", expected " +
                       hex(expected) + " (" + kind + ")");
  }
}

// Reads exactly `size` bytes after a header of `header_bytes` and checks that nothing follows
// them. The size comes from an untrusted header: a plain file too short for it is refused from
// its size on disk, and the data is read in chunks, so that memory grows only with the bytes
// actually there (a gzip file announcing 4 GiB in 28 bytes fails after reading them).
std::vector<std::uint8_t> read_body(detail::InputFile& in, Index size, Index header_bytes) {
  const auto truncated = [&](Index got) {
    return InvalidInput(in.path() + ": truncated IDX data: the header announces " +
                        std::to_string(size) + " bytes, the file has " + std::to_string(got));
  };
  if (const std::int64_t on_disk = in.plain_size(); on_disk >= 0 && on_disk - header_bytes < size)
    throw truncated(std::max<std::int64_t>(0, on_disk - header_bytes));
  check_memory(in.path() + ": the IDX header's " + std::to_string(size) + " bytes of data", size);
  constexpr Index kChunk = Index{1} << 20;
  std::vector<std::uint8_t> out;
  Index got = 0;
  while (got < size) {
    const Index want = std::min(kChunk, size - got);
    out.resize(static_cast<std::size_t>(got + want));
    const std::size_t n = in.read(out.data() + got, static_cast<std::size_t>(want));
    got += static_cast<Index>(n);
    if (n < static_cast<std::size_t>(want)) throw truncated(got);
  }
  unsigned char extra = 0;
  if (in.read(&extra, 1) != 0) {
    throw InvalidInput(in.path() + ": data continues past the " + std::to_string(size) +
                       " bytes the IDX header announces (not an IDX file?)");
  }
  return out;
}

// A dimension of the header: 32 bits, refused when 0 (an empty dataset or a corrupt header).
Index read_dimension(detail::InputFile& in, const char* what) {
  const std::uint32_t v = read_big_endian(in, what);
  if (v == 0) throw InvalidInput(in.path() + ": the IDX header's " + what + " is 0");
  return static_cast<Index>(v);
}

std::string existing(const std::string& base) {
  if (std::filesystem::exists(base + ".gz")) return base + ".gz";
  if (std::filesystem::exists(base)) return base;
  throw InvalidInput("IDX: neither " + base + ".gz nor " + base + " exists");
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  detail::InputFile in(path);
  expect_magic(in, kImagesMagic, "3-d unsigned-byte images");
  IdxImages images;
  images.count = read_dimension(in, "image count");
  images.rows = read_dimension(in, "row count");
  images.cols = read_dimension(in, "column count");
  // Each size is below 2^32, so the product of three can overflow 64 bits.
  const std::string what = path + ": IDX images " + std::to_string(images.count) + " x " +
                           std::to_string(images.rows) + " x " + std::to_string(images.cols);
  const Index total = size_mul(size_mul(images.count, images.rows, what), images.cols, what);
  images.pixels = read_body(in, total, 16);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  detail::InputFile in(path);
  expect_magic(in, kLabelsMagic, "1-d unsigned-byte labels");
  const Index count = read_dimension(in, "label count");
  return read_body(in, count, 8);
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::string name) {
  const IdxImages images = read_idx_images(images_path);
  const std::vector<std::uint8_t> raw_labels = read_idx_labels(labels_path);
  if (static_cast<Index>(raw_labels.size()) != images.count) {
    throw InvalidInput(images_path + " has " + std::to_string(images.count) + " images but " +
                       labels_path + " has " + std::to_string(raw_labels.size()) + " labels");
  }
  if (images.count == 0) throw InvalidInput(images_path + ": no images");

  const Index dim = images.rows * images.cols;  // fits: count * rows * cols was checked
  check_memory(images_path + ": " + std::to_string(images.count) + " images of " +
                   std::to_string(dim) + " pixels as doubles",
               bytes_for(static_cast<Index>(images.pixels.size()), sizeof(double)));
  DenseMatrix x(images.count, dim);
  double* out = x.data();  // row-major: image after image, as in the file
  for (std::size_t i = 0; i < images.pixels.size(); ++i) out[i] = images.pixels[i] / 255.0;

  std::vector<std::string> texts;
  texts.reserve(raw_labels.size());
  for (std::uint8_t l : raw_labels) texts.push_back(std::to_string(l));
  detail::LabelCodes codes = detail::encode_labels(texts);

  Dataset d;
  d.name = std::move(name);
  d.features = std::move(x);
  d.labels = std::move(codes.labels);
  d.num_classes = static_cast<int>(codes.class_names.size());
  d.class_names = std::move(codes.class_names);
  return d;
}

Dataset load_idx_prefix(const std::string& prefix, std::string name) {
  const std::string images = existing(prefix + "-images-idx3-ubyte");
  const std::string labels = existing(prefix + "-labels-idx1-ubyte");
  return load_idx(images, labels, name.empty() ? "idx:" + prefix : std::move(name));
}

}  // namespace bilevel::data
