// IDX loader: hand-written files round-trip; bad magic, truncation and mismatches are rejected.
#include <cstdint>

#include "bilevel/data/idx.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::TempDir;

void put_u32(std::string* out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

std::string images_file(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                        const std::vector<std::uint8_t>& pixels, std::uint32_t magic = 0x803) {
  std::string s;
  put_u32(&s, magic);
  put_u32(&s, count);
  put_u32(&s, rows);
  put_u32(&s, cols);
  s.append(pixels.begin(), pixels.end());
  return s;
}

std::string labels_file(const std::vector<std::uint8_t>& labels, std::uint32_t magic = 0x801) {
  std::string s;
  put_u32(&s, magic);
  put_u32(&s, static_cast<std::uint32_t>(labels.size()));
  s.append(labels.begin(), labels.end());
  return s;
}

// Three 2x3 images with labels 7, 1, 7.
const std::vector<std::uint8_t> kPixels = {0,  255, 51, 102, 0, 1, 10, 20, 30,
                                           40, 50,  60, 255, 0, 0, 0,  0,  128};
const std::vector<std::uint8_t> kLabels = {7, 1, 7};

TEST(IdxFormat, HandWrittenFilesRoundTrip) {
  TempDir dir;
  const std::string images = dir.write("x-images-idx3-ubyte", images_file(3, 2, 3, kPixels));
  const std::string labels = dir.write("x-labels-idx1-ubyte", labels_file(kLabels));
  const IdxImages raw = read_idx_images(images);
  EXPECT_EQ(raw.count, 3);
  EXPECT_EQ(raw.rows, 2);
  EXPECT_EQ(raw.cols, 3);
  EXPECT_EQ(raw.pixels, kPixels);
  EXPECT_EQ(read_idx_labels(labels), kLabels);

  const Dataset d = load_idx(images, labels, "tiny");
  EXPECT_FALSE(d.is_sparse());
  ASSERT_EQ(d.num_samples(), 3);
  ASSERT_EQ(d.num_features(), 6);
  for (Index i = 0; i < 3; ++i) {
    for (Index j = 0; j < 6; ++j) {
      EXPECT_DOUBLE_EQ(d.dense()(i, j), kPixels[static_cast<std::size_t>(i * 6 + j)] / 255.0);
    }
  }
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"1", "7"}));
  EXPECT_EQ(d.labels, (std::vector<int>{1, 0, 1}));
  d.check();
}

TEST(IdxFormat, GzipAndPlainGiveTheSameDataAndPrefixPrefersGz) {
  TempDir dir;
  dir.write_gz("z-images-idx3-ubyte.gz", images_file(3, 2, 3, kPixels));
  dir.write_gz("z-labels-idx1-ubyte.gz", labels_file(kLabels));
  dir.write("p-images-idx3-ubyte", images_file(3, 2, 3, kPixels));
  dir.write("p-labels-idx1-ubyte", labels_file(kLabels));
  const Dataset gz = load_idx_prefix(dir.path("z"));
  const Dataset plain = load_idx_prefix(dir.path("p"));
  EXPECT_EQ(gz.dense(), plain.dense());
  EXPECT_EQ(gz.labels, plain.labels);
  expect_invalid([&] { load_idx_prefix(dir.path("q")); }, {dir.path("q") + "-images"});
}

TEST(IdxFormat, BadMagicIsRejected) {
  TempDir dir;
  const std::string images = dir.write("i", images_file(3, 2, 3, kPixels, 0x801));
  const std::string labels = dir.write("l", labels_file(kLabels, 0x803));
  expect_invalid([&] { read_idx_images(images); }, {images, "magic", "0x00000801"});
  expect_invalid([&] { read_idx_labels(labels); }, {labels, "magic", "0x00000803"});
  const std::string text = dir.write("t", "1 1:2\n");
  expect_invalid([&] { read_idx_images(text); }, {text});
}

TEST(IdxFormat, TruncationIsRejected) {
  TempDir dir;
  std::string full = images_file(3, 2, 3, kPixels);
  const std::string short_body = dir.write("i", full.substr(0, full.size() - 1));
  expect_invalid([&] { read_idx_images(short_body); }, {short_body, "truncated"});
  const std::string short_header = dir.write("h", full.substr(0, 10));
  expect_invalid([&] { read_idx_images(short_header); }, {short_header, "truncated"});
  const std::string labels = labels_file(kLabels);
  const std::string short_labels = dir.write_gz("l.gz", labels.substr(0, labels.size() - 2));
  expect_invalid([&] { read_idx_labels(short_labels); }, {short_labels, "truncated"});
  const std::string extra = dir.write("e", full + "x");
  expect_invalid([&] { read_idx_images(extra); }, {extra, "past the"});
}

TEST(IdxFormat, CountMismatchIsRejected) {
  TempDir dir;
  const std::string images = dir.write("i", images_file(3, 2, 3, kPixels));
  const std::string labels = dir.write("l", labels_file({7, 1}));
  expect_invalid([&] { load_idx(images, labels, "x"); }, {images, labels, "3 images", "2 labels"});
}

}  // namespace
}  // namespace bilevel::data
