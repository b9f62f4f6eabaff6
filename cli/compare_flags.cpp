// The config of `bilevel compare` from its flags, over the --config file when there is one.
#include "compare_flags.hpp"

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/parse.hpp"
#include "bilevel/io/compare_config.hpp"
#include "run_arguments.hpp"

namespace bilevel::cli {

namespace {

std::vector<std::string> split_commas(const std::string& flag, const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    if (item.empty())
      throw InvalidInput(flag + " '" + text + "' has an empty item; give a,b,c");
    items.push_back(std::move(item));
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

// "algo:rest" -> {"algo", "rest"}; "rest" (no ':' before the first '=') -> {"", "rest"}.
std::pair<std::string, std::string> split_algo(const std::string& text) {
  const std::size_t eq = text.find('=');
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || (eq != std::string::npos && colon > eq)) return {"", text};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

// The methods a -A or -G applies to: those of `algo`, or all for "".
std::vector<CompareMethod*> methods_of(CompareConfig& c, const std::string& algo,
                                       const std::string& flag, const std::string& text) {
  std::vector<CompareMethod*> found;
  std::string known;
  for (auto& m : c.methods) {
    if (algo.empty() || m.algo == algo) found.push_back(&m);
    known += (known.empty() ? "" : ", ") + m.algo;
  }
  if (found.empty())
    throw InvalidInput(flag + " '" + text + "' names algorithm '" + algo +
                       "', which is not among the methods compared (" + known + ")");
  return found;
}

void set_option(KeyValues& kv, const std::string& key, const std::string& value) {
  for (auto& [k, v] : kv)
    if (k == key) {
      v = value;
      return;
    }
  kv.emplace_back(key, value);
}

std::vector<std::uint64_t> seeds_of(const std::string& text) {
  std::vector<std::uint64_t> seeds;
  if (text.find(',') == std::string::npos) {
    const Index n = parse_integer_flag("--seeds", text, 1, "a count N >= 1 (seeds 0..N-1) or a list such as 0,3,7");
    if (n > 100000) throw InvalidInput("--seeds '" + text + "' is too many; give at most 100000");
    for (Index k = 0; k < n; ++k) seeds.push_back(static_cast<std::uint64_t>(k));
    return seeds;
  }
  for (const auto& item : split_commas("--seeds", text)) {
    std::uint64_t s = 0;
    if (!parse_unsigned(item, &s))
      throw InvalidInput("--seeds '" + text + "': '" + item + "' is not a seed (0 to 2^64-1)");
    seeds.push_back(s);
  }
  return seeds;
}

CompareTarget target_of(const std::string& text) {
  CompareTarget t;
  std::size_t at = text.find(">=");
  std::size_t skip = 2;
  if (at != std::string::npos) {
    t.above = true;
  } else if ((at = text.find("<=")) == std::string::npos) {
    at = text.find('=');
    skip = 1;
  }
  if (at == std::string::npos || at == 0 || !parse_finite(text.substr(at + skip), &t.value))
    throw InvalidInput("--target '" + text +
                       "' is not COLUMN=VALUE (reached at or below; also COLUMN<=VALUE, "
                       "COLUMN>=VALUE), e.g. --target val_loss=0.5");
  t.column = text.substr(0, at);
  return t;
}

// The budget flags over the config's values, parsed and checked as `run` parses them.
void apply_budget(const CompareArguments& a, CompareConfig& c) {
  RunArguments ra;
  auto pick = [](const std::string& flag, std::string from_config) {
    return flag.empty() ? from_config : flag;
  };
  ra.max_iters = pick(a.max_iters, std::to_string(c.budget.max_iters));
  ra.max_oracle_calls = pick(a.max_oracle_calls, std::to_string(c.budget.max_oracle_calls));
  ra.time_limit_s = pick(a.time_limit_s, format_double(c.budget.time_limit_s));
  ra.tol = pick(a.tol, format_double(c.budget.tol));
  ra.log_every = pick(a.log_every, std::to_string(c.log_every));
  ra.max_memory = a.max_memory.empty() ? "auto" : a.max_memory;
  ra.no_diagnostics = a.no_diagnostics || !c.diagnostics;
  const RunSettings s = run_settings(ra);
  c.budget = s.stopping;
  c.log_every = s.log_every;
  c.diagnostics = s.diagnostics;
}

}  // namespace

CompareConfig compare_config_from(const CompareArguments& a) {
  CompareConfig c;
  if (!a.config_path.empty()) c = read_compare_config(a.config_path);
  if (!a.problem.empty()) c.problem = a.problem;
  for (const auto& [k, v] : parse_key_values(a.problem_options, "-P"))
    set_option(c.problem_options, k, v);
  if (!a.algos.empty()) {
    c.methods.clear();
    for (const auto& list : a.algos)
      for (const auto& algo : split_commas("--algo", list)) c.methods.push_back({"", algo, {}, {}});
  }
  if (c.problem.empty() || c.methods.empty())
    throw InvalidInput("compare needs --config FILE, or --problem NAME and --algo A,B,...");
  for (const auto& text : a.algo_options) {
    const auto [algo, kv] = split_algo(text);
    const KeyValues one = parse_key_values({kv}, "-A");
    for (CompareMethod* m : methods_of(c, algo, "-A", text)) set_option(m->options, one[0].first, one[0].second);
  }
  for (const auto& text : a.grids) {
    const auto [algo, spec] = split_algo(text);
    const GridAxis axis = parse_grid_axis(spec);
    for (CompareMethod* m : methods_of(c, algo, "-G", text)) {
      std::erase_if(m->grid, [&](const GridAxis& g) { return g.key == axis.key; });
      m->grid.push_back(axis);
    }
  }
  if (!a.seeds.empty()) c.seeds = seeds_of(a.seeds);
  apply_budget(a, c);
  if (!a.x.empty()) c.x = a.x;
  if (!a.y.empty()) {
    c.y.clear();
    for (const auto& list : a.y)
      for (const auto& col : split_commas("--y", list)) c.y.push_back(col);
  }
  if (!a.target.empty()) c.target = target_of(a.target);
  if (!a.grid_points.empty())
    c.grid_points = parse_integer_flag("--grid-points", a.grid_points, 1, "an integer >= 1");
  if (!a.jobs.empty()) c.jobs = parse_integer_flag("--jobs", a.jobs, 1, "an integer >= 1");
  return c;
}

}  // namespace bilevel::cli
