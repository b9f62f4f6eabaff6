// Loaders against hostile files (issue 14, "Loaders"): every reproducer of the issue is refused
// with one short line, or loaded correctly, without allocating what the file only announces.

#include <cstdint>
#include <string>

#include "bilevel/core/memory_budget.hpp"
#include "bilevel/data/csv.hpp"
#include "bilevel/data/idx.hpp"
#include "bilevel/data/libsvm.hpp"
#include "bilevel/registry.hpp"
#include "data_test_support.hpp"

namespace bilevel::data {
namespace {

using testing::expect_invalid;
using testing::TempDir;

using testing::peak_rss_mb;

std::string be32(std::uint32_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
  return s;
}

std::string idx_images_header(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  return be32(0x803) + be32(count) + be32(rows) + be32(cols);
}

// An 8-line file whose largest index is 1e8 took 2.9 GB (Eigen's sparse assignment reserved
// 2 x cols entries); the features are now stored as read.
TEST(HostileLibsvm, LargeFeatureIndexCostsOnlyItsEntries) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 4; ++i) text += "+1 1:0.5 100000000:1\n-1 2:1\n";
  const std::string path = dir.write("wide", text);
  const double before = peak_rss_mb();
  const Dataset d = load_libsvm(path);
  EXPECT_EQ(d.num_features(), 100000000);
  EXPECT_EQ(d.sparse().nonZeros(), 12);
  EXPECT_LT(peak_rss_mb() - before, 100.0);
}

// 9223372036854775807 crashed (d + 1 overflowed); indices above 2^40 are refused on their line.
TEST(HostileLibsvm, IndexBeyondTheLimitIsRefusedOnItsLine) {
  TempDir dir;
  const std::string path = dir.write("huge", "+1 1:1\n-1 9223372036854775807:1\n");
  expect_invalid([&] { load_libsvm(path); },
                 {path + ":2:", "9223372036854775807", "largest accepted", "1099511627776"});
}

// Index 1e12 loads (8 entries) but a problem on it would need terabytes: refused by the model.
TEST(HostileLibsvm, ProblemOnATrillionFeaturesIsRefusedBeforeAllocating) {
  TempDir dir;
  const std::string path = dir.write("trillion", "+1 1000000000000:1\n-1 1:1\n+1 2:1\n-1 3:1\n");
  const double before = peak_rss_mb();
  expect_invalid(
      [&] {
        make_problem(
            "hyperclean",
            {{"dataset", "libsvm:" + path}, {"n_train", "2"}, {"n_val", "1"}, {"n_test", "1"}});
      },
      {"1000000000000 features", "of memory"});
  EXPECT_LT(peak_rss_mb() - before, 100.0);
}

// libsvm:/dev/zero read an endless line into memory. The same stream, 80 MiB of NUL bytes
// (gzip: 80 kB on disk), is refused at the line limit.
TEST(HostileText, EndlessLineIsRefusedAtTheLineLimit) {
  TempDir dir;
  const std::string zeros = dir.write_gz("zeros.gz", std::string(std::size_t{80} << 20, '\0'));
  expect_invalid([&] { load_libsvm(zeros); }, {zeros + ":1:", "line longer than 67108864 bytes"});
  expect_invalid([&] { load_csv(zeros); }, {zeros + ":1:", "line longer than"});
}

// A 1 GB token became a 1 GB message, with NUL and binary bytes printed raw.
TEST(HostileText, MessagesQuoteAShortEscapedExcerpt) {
  TempDir dir;
  const std::string token = std::string("\x01\xff", 2) + std::string(1 << 20, 'x');
  const std::string libsvm = dir.write("bin", "+1 1:" + std::string(1, '\0') + token + "\n");
  try {
    load_libsvm(libsvm);
    ADD_FAILURE() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    const std::string msg = e.what();
    EXPECT_LT(msg.size(), 300u) << msg.substr(0, 300);
    EXPECT_NE(msg.find("'\\x00\\x01\\xffxxx"), std::string::npos) << msg;
    EXPECT_NE(msg.find("...'"), std::string::npos) << msg;
    for (char c : msg) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << static_cast<int>(c);
  }
  // (On the first line a non-number would make the line a header.)
  const std::string csv = dir.write("bin.csv", "2,3,1\n1," + token + ",0\n");
  expect_invalid([&] { load_csv(csv); }, {csv + ":2:", "'\\x01\\xffxxx", "...'"});
}

// A CSV starting with a UTF-8 BOM silently lost its first data row (taken for a header).
TEST(HostileText, ByteOrderMarkIsSkipped) {
  TempDir dir;
  const std::string csv = dir.write("bom.csv",
                                    "\xEF\xBB\xBF"
                                    "1,2,0\n3,4,1\n");
  const Dataset c = load_csv(csv);
  ASSERT_EQ(c.num_samples(), 2);
  EXPECT_EQ(c.dense()(0, 0), 1.0);
  const std::string libsvm = dir.write("bom.svm", "\xEF\xBB\xBF+1 1:1\n-1 2:1\n");
  EXPECT_EQ(load_libsvm(libsvm).num_samples(), 2);
}

// A label file announcing 0xFFFFFFFF labels in 28 bytes zero-filled 4 GiB before saying
// "truncated"; plain files are measured first, gzip ones read in chunks.
TEST(HostileIdx, LabelCountBeyondTheFileIsRefusedWithoutAllocatingIt) {
  TempDir dir;
  const std::string body = be32(0x801) + be32(0xFFFFFFFF) + std::string(20, '\x01');
  const std::string plain = dir.write("labels", body);
  const std::string gz = dir.write_gz("labels.gz", body);
  const double before = peak_rss_mb();
  expect_invalid([&] { read_idx_labels(plain); },
                 {plain, "truncated", "4294967295 bytes", "the file has 20"});
  expect_invalid([&] { read_idx_labels(gz); }, {gz, "truncated", "the file has 20"});
  EXPECT_LT(peak_rss_mb() - before, 100.0);
}

TEST(HostileIdx, HugeOrWrappingOrZeroDimensionsAreRefusedFromTheHeader) {
  TempDir dir;
  const double before = peak_rss_mb();
  const std::string all_max =
      dir.write("max", idx_images_header(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF));
  expect_invalid([&] { read_idx_images(all_max); }, {all_max, "overflows"});
  // 2^31 x 2^31 x 4 = 2^64 wraps to 0 in 64-bit arithmetic.
  const std::string wraps = dir.write("wraps", idx_images_header(0x80000000, 0x80000000, 4));
  expect_invalid([&] { read_idx_images(wraps); }, {wraps, "overflows"});
  const std::string zero_rows = dir.write("zero", idx_images_header(2, 0, 28));
  expect_invalid([&] { read_idx_images(zero_rows); }, {zero_rows, "row count is 0"});
  // Plausible sizes that the gzip data does not hold: refused from the memory budget or
  // after reading the real bytes, never by filling the announced size.
  const std::string big = dir.write_gz("big.gz", idx_images_header(60000, 0xFFFF, 0xFFFF));
  expect_invalid([&] { read_idx_images(big); }, {big});
  EXPECT_LT(peak_rss_mb() - before, 100.0);
}

}  // namespace
}  // namespace bilevel::data
