#include "bilevel/data/idx.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "bilevel/core/error.hpp"
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

// Reads exactly out->size() bytes and checks that nothing follows them.
void read_body(detail::InputFile& in, std::vector<std::uint8_t>* out) {
  const std::size_t got = in.read(out->data(), out->size());
  if (got != out->size()) {
    throw InvalidInput(in.path() + ": truncated IDX data: the header announces " +
                       std::to_string(out->size()) + " bytes, the file has " + std::to_string(got));
  }
  unsigned char extra = 0;
  if (in.read(&extra, 1) != 0) {
    throw InvalidInput(in.path() + ": data continues past the " + std::to_string(out->size()) +
                       " bytes the IDX header announces (not an IDX file?)");
  }
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
  images.count = read_big_endian(in, "image count");
  images.rows = read_big_endian(in, "row count");
  images.cols = read_big_endian(in, "column count");
  // The sizes are 32-bit, so their product fits in 64 bits; refuse absurd ones before
  // allocating (2^34 bytes = 16 GiB is far beyond any IDX dataset).
  const Index total = images.count * images.rows * images.cols;
  if (total > (Index{1} << 34)) {
    throw InvalidInput(path + ": IDX header announces " + std::to_string(total) +
                       " pixels, more than this loader accepts (corrupt header?)");
  }
  images.pixels.resize(static_cast<std::size_t>(total));
  read_body(in, &images.pixels);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  detail::InputFile in(path);
  expect_magic(in, kLabelsMagic, "1-d unsigned-byte labels");
  std::vector<std::uint8_t> labels(read_big_endian(in, "label count"));
  read_body(in, &labels);
  return labels;
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::string name) {
  const IdxImages images = read_idx_images(images_path);
  const std::vector<std::uint8_t> raw_labels = read_idx_labels(labels_path);
  if (static_cast<Index>(raw_labels.size()) != images.count) {
    throw InvalidInput(images_path + " has " + std::to_string(images.count) + " images but " +
                       labels_path + " has " + std::to_string(raw_labels.size()) + " labels");
  }
  if (images.count == 0) throw InvalidInput(images_path + ": no images");

  const Index dim = images.rows * images.cols;
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
