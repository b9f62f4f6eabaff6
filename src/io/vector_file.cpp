#include "bilevel/io/vector_file.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <string_view>

#include "../data/input_file.hpp"
#include "../data/text_fields.hpp"
#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/io/atomic_file.hpp"

namespace bilevel {

namespace {

using data::detail::InputFile;
using data::detail::LineReader;
using data::detail::quoted_excerpt;

constexpr std::string_view kNpyMagic = "\x93NUMPY";
// NumPy itself refuses headers above 10000 bytes unless asked; a larger one is not ours.
constexpr std::size_t kMaxNpyHeader = 1 << 16;

[[noreturn]] void fail(const std::string& what, const std::string& path, const std::string& why) {
  throw InvalidInput(what + " '" + path + "': " + why);
}

// Reads exactly `size` bytes or reports a truncated file.
void read_exact(InputFile& in, void* out, std::size_t size, const std::string& what,
                const std::string& why) {
  if (in.read(out, size) != size) fail(what, in.path(), why);
}

// The .npy header dictionary, e.g. {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }
// parsed as the small Python literal it is: string keys, string / bool / int-tuple values.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<Index> shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what, const std::string& path)
      : s_(text), what_(what), path_(path) {}

  NpyHeader parse() {
    NpyHeader h;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        h.descr = string_literal();
        h.has_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        h.has_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        h.has_shape = true;
      } else {
        bad("unknown key " + quoted_excerpt(key));
      }
      skip_space();
      if (peek() == ',') ++i_;
      else if (peek() != '}') bad("expected ',' or '}'");
    }
    if (!h.has_descr || !h.has_order || !h.has_shape)
      bad("'descr', 'fortran_order' and 'shape' are all required");
    return h;
  }

 private:
  [[noreturn]] void bad(const std::string& why) const {
    fail(what_, path_, "malformed .npy header (" + why + "): " + quoted_excerpt(s_, 80));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string string_literal() {
    skip_space();
    const char quote = peek();
    if (quote != '\'' && quote != '"') bad("expected a quoted string");
    const std::size_t end = s_.find(quote, i_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::size_t n = std::strlen(word);
      if (s_.substr(i_, n) == word) {
        i_ += n;
        return value;
      }
    }
    bad("fortran_order must be True or False");
  }
  std::vector<Index> tuple() {
    expect('(');
    std::vector<Index> dims;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      const std::size_t start = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      Index d = 0;
      if (!parse_integer(s_.substr(start, i_ - start), &d) || d < 0) bad("a shape must hold sizes");
      dims.push_back(d);
      if (dims.size() > 32) bad("more than 32 dimensions");
      skip_space();
      if (peek() == ',') ++i_;
      else if (peek() != ')') bad("expected ',' or ')' in the shape");
    }
    ++i_;
    return dims;
  }

  std::string_view s_;
  const std::string& what_;
  const std::string& path_;
  std::size_t i_ = 0;
};

// std::byteswap is C++23.
std::uint64_t byteswap(std::uint64_t v) { return __builtin_bswap64(v); }
std::uint32_t byteswap(std::uint32_t v) { return __builtin_bswap32(v); }

// The values of a float array in the file's byte order, converted to double. Read in chunks
// into storage that grows with what is there: a header announcing more values than the file
// holds costs only the bytes present (a 200-byte file claiming 1e9 floats is refused once its
// data runs out, not after a 4 GB allocation).
template <typename T>
Vec read_values(InputFile& in, Index n, bool swap, const std::string& what) {
  constexpr Index kChunk = Index{1} << 16;
  std::vector<T> raw;
  while (static_cast<Index>(raw.size()) < n) {
    const std::size_t have = raw.size();
    const std::size_t want = static_cast<std::size_t>(std::min(kChunk, n - static_cast<Index>(have)));
    raw.resize(have + want);
    if (in.read(raw.data() + have, want * sizeof(T)) != want * sizeof(T))
      fail(what, in.path(),
           "the .npy data is shorter than its shape (" + std::to_string(n) + " values)");
  }
  Vec v(n);
  for (Index i = 0; i < n; ++i) {
    T value = raw[static_cast<std::size_t>(i)];
    if (swap) {
      using U = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
      value = std::bit_cast<T>(byteswap(std::bit_cast<U>(value)));
    }
    v(i) = static_cast<double>(value);
  }
  return v;
}

Vec read_npy(InputFile& in, const std::string& what) {
  const std::string& path = in.path();
  unsigned char version[2];
  read_exact(in, version, 2, what, "truncated .npy header");
  std::size_t header_len = 0;
  if (version[0] == 1) {
    unsigned char b[2];
    read_exact(in, b, 2, what, "truncated .npy header");
    header_len = b[0] | (std::size_t{b[1]} << 8);
  } else if (version[0] == 2 || version[0] == 3) {
    unsigned char b[4];
    read_exact(in, b, 4, what, "truncated .npy header");
    header_len = b[0] | (std::size_t{b[1]} << 8) | (std::size_t{b[2]} << 16) |
                 (std::size_t{b[3]} << 24);
  } else {
    fail(what, path, ".npy format version " + std::to_string(version[0]) +
                         " is not supported (1, 2 and 3 are)");
  }
  if (header_len > kMaxNpyHeader)
    fail(what, path, ".npy header of " + std::to_string(header_len) + " bytes is too long");
  std::string text(header_len, '\0');
  read_exact(in, text.data(), header_len, what, "truncated .npy header");
  const NpyHeader h = HeaderParser(text, what, path).parse();

  const bool little = h.descr.size() == 3 && (h.descr[0] == '<' || h.descr[0] == '=' ||
                                               h.descr[0] == '|');
  const bool big = h.descr.size() == 3 && h.descr[0] == '>';
  const std::string kind = h.descr.size() == 3 ? h.descr.substr(1) : "";
  if ((!little && !big) || (kind != "f8" && kind != "f4"))
    fail(what, path, "the .npy dtype " + quoted_excerpt(h.descr) +
                         " is not supported; save the array as float64 (or float32)");
  Index n = 1;
  for (Index d : h.shape) n = size_mul(n, d, what + " '" + path + "'");
  const bool vector_shape =
      h.shape.size() == 1 || (h.shape.size() == 2 && (h.shape[0] == 1 || h.shape[1] == 1));
  if (!vector_shape) {
    std::string dims;
    for (Index d : h.shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    fail(what, path, "holds an array of shape (" + dims + "); a vector of shape (n,), (n, 1) "
                     "or (1, n) is needed");
  }
  const std::int64_t item = kind == "f8" ? 8 : 4;
  check_memory(what + " '" + path + "'", bytes_for(n, item + 8));
  const bool swap = big != (std::endian::native == std::endian::big);
  Vec v = kind == "f8" ? read_values<double>(in, n, swap, what) : read_values<float>(in, n, swap, what);
  char extra;
  if (in.read(&extra, 1) != 0)
    fail(what, path, "the .npy file has data after its " + std::to_string(n) + " values");
  for (Index i = 0; i < n; ++i)
    if (!std::isfinite(v(i)))
      fail(what, path, "value " + std::to_string(i + 1) + " is not finite");
  return v;
}

Vec read_text(const std::string& path, const std::string& what) {
  // A number never needs more than a few hundred characters: a longer line is not this format.
  LineReader lines(path, 4096);
  std::vector<double> values;
  std::string_view line;
  while (lines.next(&line)) {
    const std::string_view t = data::detail::trim(line);
    if (t.empty() || t.front() == '#') continue;
    double value = 0;
    if (!parse_number(t, &value))
      throw InvalidInput(what + " " + data::detail::where(lines) + quoted_excerpt(t) +
                         " is not a number (one number per line)");
    if (!std::isfinite(value))
      throw InvalidInput(what + " " + data::detail::where(lines) + "the value is not finite");
    if (values.size() % 4096 == 0)
      check_memory(what + " '" + path + "'", bytes_for(static_cast<Index>(values.size()) + 4096, 16));
    values.push_back(value);
  }
  return Eigen::Map<const Vec>(values.data(), static_cast<Index>(values.size()));
}

void append_u16(std::string* out, std::size_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>((v >> 8) & 0xff));
}

// A version 1.0 .npy of little-endian doubles with the given shape, C order.
std::string npy_bytes(const std::vector<Index>& shape, const double* data, Index count) {
  std::string dims;
  for (Index d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64
  // and ended by a newline, as NumPy writes it (the data then starts aligned).
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out(kNpyMagic);
  out.push_back('\x01');
  out.push_back('\x00');
  append_u16(&out, header.size());
  out += header;
  const std::size_t offset = out.size();
  out.resize(offset + static_cast<std::size_t>(count) * 8);
  for (Index i = 0; i < count; ++i) {
    std::uint64_t bits = std::bit_cast<std::uint64_t>(data[i]);
    if constexpr (std::endian::native == std::endian::big) bits = byteswap(bits);
    std::memcpy(&out[offset + static_cast<std::size_t>(i) * 8], &bits, 8);
  }
  return out;
}

}  // namespace

Vec read_vector_file(const std::string& path, const std::string& what) {
  bool npy = false;
  {
    InputFile probe(path);
    char magic[6];
    npy = probe.read(magic, 6) == 6 && std::string_view(magic, 6) == kNpyMagic;
    if (npy) return read_npy(probe, what);
  }
  return read_text(path, what);
}

Vec read_vector_file(const std::string& path, const std::string& what, Index dim,
                     const std::string& name) {
  Vec v = read_vector_file(path, what);
  if (v.size() != dim)
    throw InvalidInput(what + " '" + path + "' has " + std::to_string(v.size()) +
                       " values; the problem's " + name + " has dimension " + std::to_string(dim));
  return v;
}

bool is_npy_path(const std::string& path) {
  if (path.size() < 4) return false;
  std::string ext = path.substr(path.size() - 4);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".npy";
}

void write_vector_file(const Vec& v, const std::string& path, const std::string& what) {
  if (is_npy_path(path)) {
    write_file_atomically(path, npy_bytes({v.size()}, v.data(), v.size()), what);
    return;
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(v.size()) * 24);
  for (Index i = 0; i < v.size(); ++i) text += format_double(v(i)) + '\n';
  write_file_atomically(path, text, what);
}

void write_history_file(const std::vector<Index>& iters, const std::vector<Vec>& values,
                        const std::string& path, const std::string& what) {
  const Index rows = static_cast<Index>(iters.size());
  const Index d = values.empty() ? 0 : values.front().size();
  if (is_npy_path(path)) {
    std::vector<double> flat;
    flat.reserve(static_cast<std::size_t>(rows * (d + 1)));
    for (Index r = 0; r < rows; ++r) {
      flat.push_back(static_cast<double>(iters[static_cast<std::size_t>(r)]));
      const Vec& v = values[static_cast<std::size_t>(r)];
      flat.insert(flat.end(), v.data(), v.data() + v.size());
    }
    write_file_atomically(path, npy_bytes({rows, d + 1}, flat.data(), rows * (d + 1)), what);
    return;
  }
  std::string text = "iter";
  for (Index j = 0; j < d; ++j) text += ",v" + std::to_string(j + 1);
  text += '\n';
  for (Index r = 0; r < rows; ++r) {
    text += std::to_string(iters[static_cast<std::size_t>(r)]);
    for (double x : values[static_cast<std::size_t>(r)]) text += ',' + format_double(x);
    text += '\n';
  }
  write_file_atomically(path, text, what);
}

}  // namespace bilevel
