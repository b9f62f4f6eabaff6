// libFuzzer target: the option value parsers of the core (core/parse.hpp: parse_number,
// parse_finite, parse_integer, parse_integral, parse_unsigned), memory sizes
// (parse_memory_size), key=value text on a declared option list of every field type
// (OptionList::set), and the complexity lab's sweep specs and option expressions.
#include <string>
#include <string_view>

#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/lab/complexity_sweep.hpp"
#include "fuzz_input.hpp"

namespace {

struct AllTypes {
  double real = 1;
  bilevel::Index count = 1;
  bool flag = false;
  std::uint64_t seed = 0;
  std::string choice = "gd";
  bilevel::Auto step;
  void declare(bilevel::OptionList& o) {
    using C = bilevel::Constraint;
    o.add("real", real, "a real", C::positive())
        .add("count", count, "a count", C::at_least(1))
        .add("flag", flag, "a flag")
        .add("seed", seed, "a seed")
        .add("choice", choice, "a choice", C::one_of({"gd", "agd"}))
        .add("step", step, "a step or auto", C::in_range(0, 1, true, false));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  double d = 0;
  bilevel::Index i = 0;
  std::uint64_t u = 0;
  std::int64_t bytes = 0;
  bilevel::parse_number(text, &d);
  bilevel::parse_finite(text, &d);
  bilevel::parse_integer(text, &i);
  bilevel::parse_integral(text, &i);
  bilevel::parse_unsigned(text, &u);
  bilevel::parse_memory_size(text, &bytes);

  // "key=value" as the CLI's -A and -P give them, on every field type.
  using bilevel::fuzz::expect_load_or_invalid_input;
  const std::size_t eq = text.find('=');
  if (eq != std::string_view::npos) {
    expect_load_or_invalid_input([&] {
      AllTypes o;
      bilevel::OptionList list("fuzz");
      o.declare(list);
      list.set(text.substr(0, eq), text.substr(eq + 1));
      list.violations();
      list.values();
    });
  }
  expect_load_or_invalid_input([&] { bilevel::parse_complexity_sweep(text); });
  expect_load_or_invalid_input([&] { bilevel::evaluate_option_expression(text, "eps", 1e-3); });
  return 0;
}
