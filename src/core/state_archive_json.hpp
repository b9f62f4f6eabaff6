// The JSON behind a StateArchive, for the checkpoint code that embeds it in a file.
#pragma once

#include <nlohmann/json.hpp>

#include "bilevel/core/state_archive.hpp"

namespace bilevel {

struct StateArchive::Impl {
  bool loading = false;
  nlohmann::json root = nlohmann::json::object();
  std::vector<nlohmann::json*> stack;  // the object being visited is stack.back()
  std::vector<std::string> path;       // its names, for messages
};

// An archive that loads from `state` (an object saved by another archive).
StateArchive loading_archive(nlohmann::json state);
// What a saving archive holds.
const nlohmann::json& saved_state(const StateArchive& a);

// A double that keeps every bit through JSON text: finite values as numbers (written in their
// shortest round-trip form), NaN and the infinities as the strings "nan", "inf", "-inf".
nlohmann::json exact_number(double v);
// Throws nlohmann::json::exception for anything else.
double exact_number(const nlohmann::json& j);

}  // namespace bilevel
