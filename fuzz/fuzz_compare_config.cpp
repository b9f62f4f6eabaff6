// libFuzzer target: the JSON config of `bilevel compare` (io/compare_config.hpp). Any text is
// either a config or one InvalidInput line; a config that parses writes back (config.json)
// and reads again to the same JSON.
#include <cstdlib>
#include <string>
#include <string_view>

#include "bilevel/io/compare_config.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > bilevel::kMaxCompareConfigBytes) return 0;  // read_compare_config refuses these
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  bilevel::fuzz::expect_load_or_invalid_input([&] {
    const bilevel::CompareConfig c = bilevel::parse_compare_config(text, "fuzz");
    const auto json = bilevel::compare_config_json(c);
    const std::string dumped =
        json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    // Labels and options with invalid UTF-8 are replaced when written: compare only clean ones.
    if (dumped == json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::ignore) &&
        bilevel::compare_config_json(bilevel::parse_compare_config(dumped, "fuzz")) != json)
      std::abort();
  });
  return 0;
}
