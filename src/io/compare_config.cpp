#include "bilevel/io/compare_config.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "bilevel/core/error.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/suggest.hpp"

namespace bilevel {

namespace {

using Json = nlohmann::ordered_json;

// Where the parser is: the source and the path inside it, for one-line messages.
struct Where {
  const std::string& source;
  std::string path;

  Where at(const std::string& key) const {
    return {source, path.empty() ? key : path + "." + key};
  }
  Where at(std::size_t index) const { return {source, path + "[" + std::to_string(index) + "]"}; }
  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidInput("config " + source + ": " + (path.empty() ? "" : path + ": ") + what);
  }
};

const char* type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::binary: return "binary data";
    case Json::value_t::discarded: return "nothing";
    default: return "a number";
  }
}

// Refuses keys of `j` (an object) outside `known`, suggesting the nearest.
void check_keys(const Json& j, const Where& w, const std::vector<std::string>& known) {
  if (!j.is_object()) w.fail(std::string("must be an object, not ") + type_name(j));
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      w.fail("unknown key '" + key + "'; known: " + list + did_you_mean(key, known));
    }
  }
}

std::string as_string(const Json& j, const Where& w) {
  if (!j.is_string()) w.fail(std::string("must be a string, not ") + type_name(j));
  return j.get<std::string>();
}

bool as_bool(const Json& j, const Where& w) {
  if (!j.is_boolean()) w.fail(std::string("must be true or false, not ") + type_name(j));
  return j.get<bool>();
}

double as_finite(const Json& j, const Where& w) {
  if (!j.is_number()) w.fail(std::string("must be a number, not ") + type_name(j));
  return j.get<double>();  // JSON has no inf or nan
}

// An integer >= min (an integral float such as 1e5 included, as on the command line).
Index as_integer(const Json& j, const Where& w, Index min) {
  Index v = 0;
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<Index>::max())) w.fail("is too large");
    v = static_cast<Index>(u);
  } else if (j.is_number_integer()) {
    v = j.get<Index>();
  } else if (j.is_number_float()) {
    const double d = j.get<double>();
    if (d != std::floor(d) || std::fabs(d) > 9e15) w.fail("must be an integer");
    v = static_cast<Index>(d);
  } else {
    w.fail(std::string("must be an integer, not ") + type_name(j));
  }
  if (v < min) w.fail("must be at least " + std::to_string(min));
  return v;
}

std::uint64_t as_seed(const Json& j, const Where& w) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  return static_cast<std::uint64_t>(as_integer(j, w, 0));
}

// An option value: the text it stands for ("0.3" for 0.3, "true" for true).
std::string option_text(const Json& j, const Where& w) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_unsigned()) return std::to_string(j.get<std::uint64_t>());
  if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
  if (j.is_number_float()) return format_double(j.get<double>());
  w.fail(std::string("must be a string, a number or a boolean, not ") + type_name(j));
}

KeyValues key_values(const Json& j, const Where& w) {
  if (!j.is_object()) w.fail(std::string("must be an object, not ") + type_name(j));
  KeyValues kv;
  for (const auto& item : j.items()) kv.emplace_back(item.key(), option_text(item.value(), w.at(item.key())));
  return kv;
}

std::vector<GridAxis> grid_axes(const Json& j, const Where& w) {
  if (!j.is_object()) w.fail(std::string("must be an object, not ") + type_name(j));
  std::vector<GridAxis> grid;
  for (const auto& item : j.items()) {
    const Where wa = w.at(item.key());
    if (!item.value().is_array() || item.value().empty())
      wa.fail("must be a non-empty array of values");
    GridAxis axis{item.key(), {}};
    for (std::size_t i = 0; i < item.value().size(); ++i)
      axis.values.push_back(option_text(item.value()[i], wa.at(i)));
    grid.push_back(std::move(axis));
  }
  return grid;
}

CompareMethod method_of(const Json& j, const Where& w) {
  check_keys(j, w, {"algo", "label", "options", "grid"});
  CompareMethod m;
  if (!j.contains("algo")) w.fail("needs \"algo\" (see 'bilevel list algorithms')");
  m.algo = as_string(j["algo"], w.at("algo"));
  if (j.contains("label")) m.label = as_string(j["label"], w.at("label"));
  if (j.contains("options")) m.options = key_values(j["options"], w.at("options"));
  if (j.contains("grid")) m.grid = grid_axes(j["grid"], w.at("grid"));
  return m;
}

void read_budget(const Json& j, const Where& w, Stopping* s) {
  check_keys(j, w, {"max_iters", "max_oracle_calls", "time_limit_s", "tol"});
  if (j.contains("max_iters")) s->max_iters = as_integer(j["max_iters"], w.at("max_iters"), 0);
  if (j.contains("max_oracle_calls"))
    s->max_oracle_calls = as_integer(j["max_oracle_calls"], w.at("max_oracle_calls"), 0);
  if (j.contains("time_limit_s")) {
    s->time_limit_s = as_finite(j["time_limit_s"], w.at("time_limit_s"));
    if (s->time_limit_s < 0) w.at("time_limit_s").fail("must be >= 0");
  }
  if (j.contains("tol")) {
    s->tol = as_finite(j["tol"], w.at("tol"));
    if (s->tol < 0) w.at("tol").fail("must be >= 0");
  }
}

CompareTarget target_of(const Json& j, const Where& w) {
  check_keys(j, w, {"column", "value", "direction"});
  if (!j.contains("column") || !j.contains("value")) w.fail("needs \"column\" and \"value\"");
  CompareTarget t;
  t.column = as_string(j["column"], w.at("column"));
  t.value = as_finite(j["value"], w.at("value"));
  if (j.contains("direction")) {
    const std::string d = as_string(j["direction"], w.at("direction"));
    if (d != "below" && d != "above") w.at("direction").fail("must be \"below\" or \"above\"");
    t.above = d == "above";
  }
  return t;
}

}  // namespace

CompareConfig parse_compare_config(std::string_view text, const std::string& source) {
  const Where top{source, ""};
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, ...": the part after "] ".
    const auto close = what.find("] ");
    top.fail("is not valid JSON (" + (close == std::string::npos ? what : what.substr(close + 2)) +
             ")");
  }
  check_keys(j, top,
             {"problem", "methods", "seeds", "budget", "log_every", "diagnostics", "x", "y",
              "grid_points", "target", "jobs"});
  CompareConfig c;
  if (!j.contains("problem")) top.fail("needs \"problem\": {\"name\": ...}");
  const Where wp = top.at("problem");
  check_keys(j["problem"], wp, {"name", "options"});
  if (!j["problem"].contains("name")) wp.fail("needs \"name\" (see 'bilevel list problems')");
  c.problem = as_string(j["problem"]["name"], wp.at("name"));
  if (j["problem"].contains("options"))
    c.problem_options = key_values(j["problem"]["options"], wp.at("options"));

  if (!j.contains("methods")) top.fail("needs \"methods\": [{\"algo\": ...}, ...]");
  const Where wm = top.at("methods");
  if (!j["methods"].is_array() || j["methods"].empty())
    wm.fail("must be a non-empty array of methods");
  for (std::size_t i = 0; i < j["methods"].size(); ++i)
    c.methods.push_back(method_of(j["methods"][i], wm.at(i)));

  if (j.contains("seeds")) {
    const Json& s = j["seeds"];
    const Where ws = top.at("seeds");
    c.seeds.clear();
    if (s.is_array()) {
      for (std::size_t i = 0; i < s.size(); ++i) c.seeds.push_back(as_seed(s[i], ws.at(i)));
      if (c.seeds.empty()) ws.fail("must list at least one seed");
    } else {
      const Index n = as_integer(s, ws, 1);
      if (n > 100000) ws.fail("at most 100000 seeds");
      for (Index k = 0; k < n; ++k) c.seeds.push_back(static_cast<std::uint64_t>(k));
    }
  }
  if (j.contains("budget")) read_budget(j["budget"], top.at("budget"), &c.budget);
  if (j.contains("log_every")) c.log_every = as_integer(j["log_every"], top.at("log_every"), 1);
  if (j.contains("diagnostics")) c.diagnostics = as_bool(j["diagnostics"], top.at("diagnostics"));
  if (j.contains("x")) c.x = as_string(j["x"], top.at("x"));
  if (j.contains("y")) {
    const Json& y = j["y"];
    const Where wy = top.at("y");
    if (y.is_string()) {
      c.y.push_back(y.get<std::string>());
    } else if (y.is_array()) {
      for (std::size_t i = 0; i < y.size(); ++i) c.y.push_back(as_string(y[i], wy.at(i)));
    } else {
      wy.fail(std::string("must be a column name or an array of them, not ") + type_name(y));
    }
  }
  if (j.contains("grid_points"))
    c.grid_points = as_integer(j["grid_points"], top.at("grid_points"), 1);
  if (j.contains("target") && !j["target"].is_null())
    c.target = target_of(j["target"], top.at("target"));
  if (j.contains("jobs")) c.jobs = as_integer(j["jobs"], top.at("jobs"), 1);
  return c;
}

CompareConfig read_compare_config(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InvalidInput("cannot read config file '" + path + "': " + ec.message());
  if (size > kMaxCompareConfigBytes)
    throw InvalidInput("config file '" + path + "' has " + std::to_string(size) +
                       " bytes, more than the " + std::to_string(kMaxCompareConfigBytes) +
                       " a comparison's config may have; is it the right file?");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput("cannot read config file '" + path + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_compare_config(text, "'" + path + "'");
}

nlohmann::ordered_json compare_config_json(const CompareConfig& c) {
  auto options = [](const KeyValues& kv) {
    Json o = Json::object();
    for (const auto& [k, v] : kv) o[k] = v;
    return o;
  };
  Json methods = Json::array();
  for (const auto& m : c.methods) {
    Json e = {{"algo", m.algo}, {"label", m.label}, {"options", options(m.options)}};
    if (!m.grid.empty()) {
      Json g = Json::object();
      for (const auto& a : m.grid) g[a.key] = a.values;
      e["grid"] = g;
    }
    methods.push_back(e);
  }
  Json out = {
      {"problem", {{"name", c.problem}, {"options", options(c.problem_options)}}},
      {"methods", methods},
      {"seeds", c.seeds},
      {"budget",
       {{"max_iters", c.budget.max_iters},
        {"max_oracle_calls", c.budget.max_oracle_calls},
        {"time_limit_s", c.budget.time_limit_s},
        {"tol", c.budget.tol}}},
      {"log_every", c.log_every},
      {"diagnostics", c.diagnostics},
      {"x", c.x},
      {"y", c.y},
      {"grid_points", c.grid_points},
      {"target", nullptr},
      {"jobs", c.jobs},
  };
  if (c.target)
    out["target"] = {{"column", c.target->column},
                     {"value", c.target->value},
                     {"direction", c.target->above ? "above" : "below"}};
  return out;
}

}  // namespace bilevel
