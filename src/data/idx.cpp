#include "bilevel/data/idx.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <utility>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "input_file.hpp"

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

// Reading in chunks bounds what a read holds beyond its result.
constexpr Index kChunk = Index{1} << 20;

// The data after an IDX header, `size` bytes, read in pieces at increasing offsets. A plain
// file is read at the pieces' offsets (pread), so the bytes between them are never read; a
// gzip one (or a pipe) is decompressed through them, as it cannot seek. The size comes from an
// untrusted header: a plain file too short for it is refused from its size on disk before
// anything is read, any other when its data ends.
class Body {
 public:
  Body(detail::InputFile& in, Index size, Index header_bytes)
      : in_(in), size_(size), header_bytes_(header_bytes), on_disk_(in.plain_size()) {
    if (on_disk_ < 0) return;
    if (on_disk_ - header_bytes_ < size_) {
      throw truncated(std::max<Index>(0, on_disk_ - header_bytes_));
    }
    fd_ = ::open(in_.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw InvalidInput(in_.path() + ": cannot open (" + std::strerror(errno) + ")");
  }
  ~Body() {
    if (fd_ >= 0) ::close(fd_);
  }
  Body(const Body&) = delete;
  Body& operator=(const Body&) = delete;

  // Reads the `bytes` bytes at offset `at` of the data; `at` is at or after the end of the
  // previous read.
  void read(Index at, std::uint8_t* out, Index bytes) {
    if (fd_ >= 0) {
      read_at(at, out, bytes);
      return;
    }
    skip_to(at);
    const std::size_t got = in_.read(out, static_cast<std::size_t>(bytes));
    position_ += static_cast<Index>(got);
    if (got < static_cast<std::size_t>(bytes)) throw truncated(position_);
  }

  // Checks that the file ends where the data does.
  void finish() {
    bool more = false;
    if (fd_ >= 0) {
      more = on_disk_ - header_bytes_ > size_;
    } else {
      skip_to(size_);
      unsigned char extra = 0;
      more = in_.read(&extra, 1) != 0;
    }
    if (more) {
      throw InvalidInput(in_.path() + ": data continues past the " + std::to_string(size_) +
                         " bytes the IDX header announces (not an IDX file?)");
    }
  }

 private:
  InvalidInput truncated(Index got) const {
    return InvalidInput(in_.path() + ": truncated IDX data: the header announces " +
                        std::to_string(size_) + " bytes, the file has " + std::to_string(got));
  }

  void read_at(Index at, std::uint8_t* out, Index bytes) {
    Index done = 0;
    while (done < bytes) {
      const ssize_t got = ::pread(fd_, out + done, static_cast<std::size_t>(bytes - done),
                                  static_cast<off_t>(header_bytes_ + at + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw InvalidInput(in_.path() + ": cannot read (" + std::strerror(errno) + ")");
      if (got == 0) throw truncated(at + done);  // shorter than when it was measured
      done += static_cast<Index>(got);
    }
  }

  // Decompresses up to offset `at` of the data, dropping the bytes.
  void skip_to(Index at) {
    if (position_ < at) scratch_.resize(static_cast<std::size_t>(std::min(kChunk, at - position_)));
    while (position_ < at) {
      const auto want = static_cast<std::size_t>(std::min<Index>(kChunk, at - position_));
      const std::size_t got = in_.read(scratch_.data(), want);
      position_ += static_cast<Index>(got);
      if (got < want) throw truncated(position_);
    }
  }

  detail::InputFile& in_;
  Index size_, header_bytes_;
  std::int64_t on_disk_;  // the plain file's size, -1 when it is not one
  int fd_ = -1;           // a plain file, opened again for pread
  Index position_ = 0;    // otherwise: the bytes of the data consumed so far
  std::vector<std::uint8_t> scratch_;
};

// Reads exactly `size` bytes after a header of `header_bytes` and checks that nothing follows
// them. Memory grows only with the bytes actually there (a gzip file announcing 4 GiB in 28
// bytes fails after reading them).
std::vector<std::uint8_t> read_body(detail::InputFile& in, Index size, Index header_bytes) {
  Body body(in, size, header_bytes);
  check_memory(in.path() + ": the IDX header's " + std::to_string(size) + " bytes of data", size);
  std::vector<std::uint8_t> out;
  for (Index got = 0; got < size; got += kChunk) {
    const Index want = std::min(kChunk, size - got);
    out.resize(static_cast<std::size_t>(got + want));
    body.read(got, out.data() + got, want);
  }
  body.finish();
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

// The header of an images file (magic number and sizes), pixels not read.
IdxImages read_images_header(detail::InputFile& in) {
  expect_magic(in, kImagesMagic, "3-d unsigned-byte images");
  IdxImages images;
  images.count = read_dimension(in, "image count");
  images.rows = read_dimension(in, "row count");
  images.cols = read_dimension(in, "column count");
  return images;
}

// The bytes of the pixels the header announces. Each size is below 2^32, so the product of
// three can overflow 64 bits.
Index size_of(const IdxImages& images, const std::string& path) {
  const std::string what = path + ": IDX images " + std::to_string(images.count) + " x " +
                           std::to_string(images.rows) + " x " + std::to_string(images.cols);
  return size_mul(size_mul(images.count, images.rows, what), images.cols, what);
}

// The kept images as rows of pixels scaled to [0, 1], in order. A run of consecutive kept
// images is one read (all of them when every image is kept), in chunks of about kChunk bytes
// so that the bytes held beside the doubles stay small.
DenseMatrix read_pixels(Body& body, const ChosenRows& rows, Index dim) {
  DenseMatrix x(rows.count(), dim);
  const Index per_read = std::max<Index>(1, kChunk / dim);
  std::vector<std::uint8_t> bytes;
  for (Index k = 0; k < rows.count();) {
    Index run = 1;
    while (k + run < rows.count() && run < per_read && rows[k + run] == rows[k] + run) ++run;
    bytes.resize(static_cast<std::size_t>(run * dim));
    body.read(rows[k] * dim, bytes.data(), run * dim);
    double* out = x.data() + k * dim;  // row-major: kept image after kept image
    for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] / 255.0;
    k += run;
  }
  return x;
}

// A labels file as load_idx_rows needs it: every label is read, for the classes; only the
// kept rows' are held.
struct Labels {
  Index count = 0;
  std::array<bool, 256> present{};  // the label values that occur in the file
  std::vector<std::uint8_t> kept;   // the labels of the kept rows that the file has
};

Labels read_labels(const std::string& path, const ChosenRows& rows) {
  detail::InputFile in(path);
  expect_magic(in, kLabelsMagic, "1-d unsigned-byte labels");
  Labels labels;
  labels.count = read_dimension(in, "label count");
  Body body(in, labels.count, 8);
  std::vector<std::uint8_t> chunk;
  Index k = 0;  // the first kept row not yet taken
  for (Index start = 0; start < labels.count; start += kChunk) {
    const Index size = std::min(kChunk, labels.count - start);
    chunk.resize(static_cast<std::size_t>(size));
    body.read(start, chunk.data(), size);
    for (const std::uint8_t value : chunk) labels.present[value] = true;
    for (; k < rows.count() && rows[k] < start + size; ++k) {
      labels.kept.push_back(chunk[static_cast<std::size_t>(rows[k] - start)]);
    }
  }
  body.finish();
  return labels;
}

}  // namespace

IdxImages read_idx_images(const std::string& path) {
  detail::InputFile in(path);
  IdxImages images = read_images_header(in);
  images.pixels = read_body(in, size_of(images, path), 16);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  detail::InputFile in(path);
  expect_magic(in, kLabelsMagic, "1-d unsigned-byte labels");
  const Index count = read_dimension(in, "label count");
  return read_body(in, count, 8);
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path, std::string name) {
  return load_idx_rows(images_path, labels_path, std::move(name), nullptr);
}

Dataset load_idx_rows(const std::string& images_path, const std::string& labels_path,
                      std::string name, const RowChooser& choose) {
  detail::InputFile images_in(images_path);
  const IdxImages header = read_images_header(images_in);
  Body images(images_in, size_of(header, images_path), 16);
  const ChosenRows rows(choose, header.count, name.empty() ? images_path : name);
  const Index dim = header.rows * header.cols;  // fits: count * rows * cols was checked
  check_memory(images_path + ": " + std::to_string(rows.count()) + " images of " +
                   std::to_string(dim) + " pixels as doubles",
               bytes_for(rows.count() * dim, sizeof(double)));
  DenseMatrix x = read_pixels(images, rows, dim);
  images.finish();

  const Labels labels = read_labels(labels_path, rows);
  if (labels.count != header.count) {
    throw InvalidInput(images_path + " has " + std::to_string(header.count) + " images but " +
                       labels_path + " has " + std::to_string(labels.count) + " labels");
  }
  // Class ids in increasing order of the label values present in the whole file, named by
  // their decimal text (what encode_labels gives for the decimal texts of all labels).
  std::array<int, 256> id_of{};
  Dataset d;
  for (std::size_t value = 0; value < labels.present.size(); ++value) {
    if (!labels.present[value]) continue;
    id_of[value] = static_cast<int>(d.class_names.size());
    d.class_names.push_back(std::to_string(value));
  }
  d.labels.reserve(labels.kept.size());
  for (const std::uint8_t value : labels.kept) d.labels.push_back(id_of[value]);
  d.name = std::move(name);
  d.features = std::move(x);
  d.num_classes = static_cast<int>(d.class_names.size());
  return d;
}

Dataset load_idx_prefix(const std::string& prefix, std::string name) {
  return load_idx_prefix_rows(prefix, nullptr, std::move(name));
}

Dataset load_idx_prefix_rows(const std::string& prefix, const RowChooser& choose,
                             std::string name) {
  const std::string images = existing(prefix + "-images-idx3-ubyte");
  const std::string labels = existing(prefix + "-labels-idx1-ubyte");
  return load_idx_rows(images, labels, name.empty() ? "idx:" + prefix : std::move(name), choose);
}

}  // namespace bilevel::data
