#include "bilevel/core/state_archive.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "bilevel/core/error.hpp"
#include "bilevel/core/state_archive_text.hpp"
#include "state_archive_json.hpp"

namespace bilevel {

using json = nlohmann::json;

json exact_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

double exact_number(const json& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  if (!j.is_number()) throw json::type_error::create(302, "a number was expected", &j);
  return j.get<double>();
}

namespace {

std::string joined(const std::vector<std::string>& path, const char* name) {
  std::string out;
  for (const auto& p : path) out += p + ".";
  return out + name;
}

// Saves `value` under `name`, or loads it back through `read`; load errors become one
// InvalidInput line naming the member.
template <class Save, class Load>
void member(StateArchive::Impl& s, const char* name, Save&& save, Load&& load) {
  json& object = *s.stack.back();
  if (!s.loading) {
    object[name] = save();
    return;
  }
  const auto it = object.find(name);
  if (it == object.end())
    throw InvalidInput("checkpoint: the run state lacks '" + joined(s.path, name) + "'");
  try {
    load(*it);
  } catch (const json::exception&) {
    throw InvalidInput("checkpoint: the run state's '" + joined(s.path, name) +
                       "' has the wrong type");
  }
}

// A member JSON holds as it is (integers, booleans, strings and lists of them).
template <class T>
void plain_member(StateArchive::Impl& s, const char* name, T& v) {
  member(s, name, [&] { return json(v); }, [&](const json& j) { v = j.get<T>(); });
}

json vec_to_json(const Vec& v) {
  json a = json::array();
  for (Index i = 0; i < v.size(); ++i) a.push_back(exact_number(v(i)));
  return a;
}

void vec_from_json(const json& j, Vec* v) {
  if (!j.is_array()) throw json::type_error::create(302, "an array was expected", &j);
  if (v->size() != static_cast<Index>(j.size())) v->resize(static_cast<Index>(j.size()));
  for (std::size_t i = 0; i < j.size(); ++i) (*v)(static_cast<Index>(i)) = exact_number(j[i]);
}

}  // namespace

StateArchive::StateArchive() : impl_(std::make_unique<Impl>()) {
  impl_->stack.push_back(&impl_->root);
}
StateArchive::~StateArchive() = default;
StateArchive::StateArchive(StateArchive&&) noexcept = default;
StateArchive& StateArchive::operator=(StateArchive&&) noexcept = default;

bool StateArchive::loading() const { return impl_->loading; }

StateArchive loading_archive(json state) {
  StateArchive a;
  auto& s = a.impl();
  s.loading = true;
  s.root = std::move(state);
  s.stack = {&s.root};
  return a;
}

const json& saved_state(const StateArchive& a) { return const_cast<StateArchive&>(a).impl().root; }

StateArchive& StateArchive::operator()(const char* name, double& v) {
  member(
      *impl_, name, [&] { return exact_number(v); }, [&](const json& j) { v = exact_number(j); });
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, Index& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, int& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::uint64_t& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, bool& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::string& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, Vec& v) {
  member(
      *impl_, name, [&] { return vec_to_json(v); }, [&](const json& j) { vec_from_json(j, &v); });
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, Mat& m) {
  member(
      *impl_, name,
      [&] {
        const Vec flat = m.reshaped();
        return json{{"rows", m.rows()}, {"cols", m.cols()}, {"data", vec_to_json(flat)}};
      },
      [&](const json& j) {
        const Index rows = j.at("rows").get<Index>(), cols = j.at("cols").get<Index>();
        Vec flat;
        vec_from_json(j.at("data"), &flat);
        if (rows < 0 || cols < 0 || flat.size() != rows * cols)
          throw json::type_error::create(302, "matrix size", &j);
        m = flat.reshaped(rows, cols);
      });
  return *this;
}

// The engine state in the standard's text form (every word of mt19937_64's state): exact.
StateArchive& StateArchive::operator()(const char* name, Rng& rng) {
  member(
      *impl_, name,
      [&] {
        std::ostringstream out;
        out << rng;
        return json(out.str());
      },
      [&](const json& j) {
        std::istringstream in(j.get<std::string>());
        Rng restored;
        in >> restored;
        if (in.fail()) throw json::type_error::create(302, "generator state", &j);
        rng = restored;
      });
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::vector<Index>& v) {
  member(
      *impl_, name, [&] { return json(v); },
      [&](const json& j) {
        std::vector<Index> loaded = j.get<std::vector<Index>>();
        v.assign(loaded.begin(), loaded.end());  // keeps the buffer when the size agrees
      });
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::vector<Vec>& v) {
  member(
      *impl_, name,
      [&] {
        json a = json::array();
        for (const Vec& e : v) a.push_back(vec_to_json(e));
        return a;
      },
      [&](const json& j) {
        if (!j.is_array()) throw json::type_error::create(302, "an array was expected", &j);
        if (v.size() != j.size()) v.resize(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) vec_from_json(j[i], &v[i]);
      });
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::vector<std::string>& v) {
  plain_member(*impl_, name, v);
  return *this;
}

StateArchive& StateArchive::operator()(const char* name, std::optional<std::uint64_t>& v) {
  member(
      *impl_, name, [&] { return v ? json(*v) : json(nullptr); },
      [&](const json& j) {
        if (j.is_null()) v.reset();
        else v = j.get<std::uint64_t>();
      });
  return *this;
}

void StateArchive::enter(const char* name) {
  Impl& s = *impl_;
  json& object = *s.stack.back();
  if (!s.loading) {
    object[name] = json::object();
  } else if (!object.contains(name) || !object[name].is_object()) {
    throw InvalidInput("checkpoint: the run state lacks '" + joined(s.path, name) + "'");
  }
  s.stack.push_back(&object[name]);
  s.path.emplace_back(name);
}

void StateArchive::enter_list(const char* name, std::size_t* n) {
  Impl& s = *impl_;
  json& object = *s.stack.back();
  if (!s.loading) {
    object[name] = json::array();
  } else {
    if (!object.contains(name) || !object[name].is_array())
      throw InvalidInput("checkpoint: the run state lacks '" + joined(s.path, name) + "'");
    *n = object[name].size();
  }
  s.stack.push_back(&object[name]);
  s.path.emplace_back(name);
}

void StateArchive::enter_element(std::size_t i) {
  Impl& s = *impl_;
  json& list = *s.stack.back();
  if (!s.loading) list.push_back(json::object());
  json& element = list[i];
  if (!element.is_object())
    throw InvalidInput("checkpoint: the run state's '" + joined(s.path, "") + std::to_string(i) +
                       "' is not an object");
  s.stack.push_back(&element);
  s.path.push_back(std::to_string(i));
}

void StateArchive::leave() {
  impl_->stack.pop_back();
  impl_->path.pop_back();
}

}  // namespace bilevel

namespace bilevel {

std::string archive_text(const StateArchive& a) { return saved_state(a).dump(); }

StateArchive archive_from_text(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw InvalidInput("state archive: the text is not a JSON object");
  return loading_archive(std::move(j));
}

}  // namespace bilevel
