// Vector files (--x0, --y0, --save-x, --save-y, --save-history): text and .npy round-trip bit
// for bit, NumPy's other layouts are read, and every malformed file is one clear error.
#include "bilevel/io/vector_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "bilevel/core/error.hpp"

namespace bilevel {
namespace {

namespace fs = std::filesystem;

class VectorFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bilevel_vector_file_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
  }
  std::string error_of(const std::string& name) const {
    try {
      read_vector_file(path(name), "--x0 file");
    } catch (const InvalidInput& e) {
      return e.what();
    }
    return "accepted";
  }
  fs::path dir_;
};

// Values whose decimal or binary form is easy to get wrong.
Vec awkward_values() {
  Vec v(8);
  v << 0.1, -0.0, 1e-310, std::numeric_limits<double>::max(), -1.0 / 3.0,
      std::numeric_limits<double>::min(), 123456789.125, 2.0 / 3.0;
  return v;
}

bool same_bits(const Vec& a, const Vec& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * 8) == 0;
}

TEST_F(VectorFile, TextAndNpyRoundTripBitForBit) {
  const Vec v = awkward_values();
  for (const char* name : {"x.txt", "x.npy", "x.NPY", "x"}) {
    write_vector_file(v, path(name), "--save-x file");
    EXPECT_TRUE(same_bits(read_vector_file(path(name), "--x0 file"), v)) << name;
  }
  EXPECT_TRUE(is_npy_path("a.npy"));
  EXPECT_FALSE(is_npy_path("a.npy.txt"));
}

// The .npy NumPy writes for np.save(f, np.arange(3.0)): a 128-byte-aligned v1.0 header.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data,
                char major = 1) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape +
                       ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += major;
  out += '\0';
  const std::size_t n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>(n >> 8);
  if (major != 1) out += std::string(2, '\0');
  return out + header + data;
}

std::string le_doubles(std::initializer_list<double> values) {
  std::string out;
  for (double v : values) out.append(reinterpret_cast<const char*>(&v), 8);
  return out;
}

TEST_F(VectorFile, ReadsNumpyLayouts) {
  write_bytes("col.npy", npy("<f8", "(3, 1)", le_doubles({1, 2, 3})));
  EXPECT_EQ(read_vector_file(path("col.npy"), "f"), Vec::LinSpaced(3, 1, 3));
  write_bytes("row.npy", npy("<f8", "(1, 3)", le_doubles({1, 2, 3}), 2));
  EXPECT_EQ(read_vector_file(path("row.npy"), "f"), Vec::LinSpaced(3, 1, 3));
  float f[2] = {0.5f, -2.0f};
  write_bytes("f4.npy", npy("<f4", "(2,)", std::string(reinterpret_cast<char*>(f), 8)));
  EXPECT_EQ(read_vector_file(path("f4.npy"), "f"), (Vec(2) << 0.5, -2.0).finished());
  std::string big = le_doubles({1.5});
  std::reverse(big.begin(), big.end());
  write_bytes("be.npy", npy(">f8", "(1,)", big));
  EXPECT_EQ(read_vector_file(path("be.npy"), "f")(0), 1.5);
  write_bytes("empty.npy", npy("<f8", "(0,)", ""));
  EXPECT_EQ(read_vector_file(path("empty.npy"), "f").size(), 0);
}

TEST_F(VectorFile, TextSkipsBlankAndCommentLines) {
  write_bytes("x.txt", "\xEF\xBB\xBF# from a notebook\r\n1\r\n\r\n  -2.5 \r\n3e2");
  EXPECT_EQ(read_vector_file(path("x.txt"), "f"), (Vec(3) << 1, -2.5, 300).finished());
}

TEST_F(VectorFile, MalformedFilesAreOneClearError) {
  write_bytes("two.txt", "1\n2 3\n");
  EXPECT_EQ(error_of("two.txt"),
            "--x0 file " + path("two.txt") + ":2: '2 3' is not a number (one number per line)");
  write_bytes("nan.txt", "1\nnan\n");
  EXPECT_EQ(error_of("nan.txt"), "--x0 file " + path("nan.txt") + ":2: the value is not finite");
  write_bytes("i8.npy", npy("<i8", "(1,)", le_doubles({1})));
  EXPECT_NE(error_of("i8.npy").find("dtype '<i8' is not supported"), std::string::npos);
  write_bytes("2d.npy", npy("<f8", "(2, 2)", le_doubles({1, 2, 3, 4})));
  EXPECT_NE(error_of("2d.npy").find("shape (2, 2); a vector"), std::string::npos);
  write_bytes("short.npy", npy("<f8", "(3,)", le_doubles({1, 2})));
  EXPECT_NE(error_of("short.npy").find("shorter than its shape (3 values)"), std::string::npos);
  write_bytes("long.npy", npy("<f8", "(1,)", le_doubles({1, 2})));
  EXPECT_NE(error_of("long.npy").find("data after its 1 values"), std::string::npos);
  write_bytes("inf.npy", npy("<f8", "(1,)", le_doubles({1.0 / 0.0})));
  EXPECT_NE(error_of("inf.npy").find("value 1 is not finite"), std::string::npos);
  write_bytes("header.npy", std::string("\x93NUMPY\x01\x00\x05\x00{'a':", 15));
  EXPECT_NE(error_of("header.npy").find("malformed .npy header"), std::string::npos);
  write_bytes("v9.npy", std::string("\x93NUMPY\x09\x00", 8));
  EXPECT_NE(error_of("v9.npy").find("format version 9 is not supported"), std::string::npos);
  // A shape whose size overflows is refused before any allocation.
  write_bytes("huge.npy", npy("<f8", "(4611686018427387904, 4)", ""));
  EXPECT_NE(error_of("huge.npy").find("overflows"), std::string::npos) << error_of("huge.npy");
  // A small file whose header announces 1e9 floats (within the memory budget of a large
  // machine) is refused once its bytes run out, without allocating for the announced size.
  write_bytes("claims.npy", npy("<f4", "(1000000000,)", le_doubles({1, 2})));
  EXPECT_NE(error_of("claims.npy").find("shorter than its shape (1000000000 values)"),
            std::string::npos)
      << error_of("claims.npy");
  write_bytes("big.npy", npy("<f8", "(1000000000000,)", ""));
  EXPECT_NE(error_of("big.npy").find("memory"), std::string::npos) << error_of("big.npy");
  EXPECT_NE(error_of("missing.npy").find("missing.npy"), std::string::npos);
}

TEST_F(VectorFile, DimensionIsChecked) {
  write_vector_file(Vec::Ones(3), path("x.txt"), "f");
  try {
    read_vector_file(path("x.txt"), "--x0 file", 4, "x");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()), "--x0 file '" + path("x.txt") +
                                         "' has 3 values; the problem's x has dimension 4");
  }
}

TEST_F(VectorFile, HistoryRowsStartWithTheIteration) {
  const std::vector<Index> iters = {0, 10};
  const std::vector<Vec> xs = {Vec::Zero(2), (Vec(2) << 0.1, -1).finished()};
  write_history_file(iters, xs, path("h.csv"), "f");
  std::ifstream in(path("h.csv"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "iter,v1,v2\n0,0,0\n10,0.1,-1\n");
  write_history_file(iters, xs, path("h.npy"), "f");
  std::ifstream npy_in(path("h.npy"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(npy_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  EXPECT_EQ(bytes.size() % 8, 0u);
  EXPECT_EQ(bytes.size(), 128u + 6 * 8);  // a 128-byte header, 2 x 3 doubles
}

}  // namespace
}  // namespace bilevel
