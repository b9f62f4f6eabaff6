#include "label_codes.hpp"

#include <cmath>
#include <map>
#include <string_view>

#include "bilevel/core/parse.hpp"
#include "text_fields.hpp"

namespace bilevel::data::detail {

namespace {

bool all_numeric(const std::vector<std::string>& texts, std::vector<double>* values) {
  values->resize(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (!parse_number(texts[i], &(*values)[i]) || !std::isfinite((*values)[i])) return false;
  }
  return true;
}

// Ids in the map's key order; names from the map's values.
template <class Key>
LabelCodes number_in_key_order(std::map<Key, std::string>& names_by_key,
                               const std::vector<Key>& keys) {
  LabelCodes codes;
  std::map<Key, int> id_by_key;
  for (auto& [key, name] : names_by_key) {
    id_by_key.emplace(key, static_cast<int>(codes.class_names.size()));
    codes.class_names.push_back(name);
  }
  codes.labels.reserve(keys.size());
  for (const Key& key : keys) codes.labels.push_back(id_by_key.at(key));
  return codes;
}

}  // namespace

LabelCodes encode_labels(const std::vector<std::string>& texts) {
  std::vector<double> values;
  if (all_numeric(texts, &values)) {
    std::map<double, std::string> names;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      names.emplace(values[i], texts[i]);  // keeps the first spelling of each value
    }
    return number_in_key_order(names, values);
  }
  std::map<std::string, std::string> names;
  for (const std::string& t : texts) names.emplace(t, t);
  return number_in_key_order(names, texts);
}

}  // namespace bilevel::data::detail
