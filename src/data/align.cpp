#include <algorithm>
#include <map>
#include <optional>

#include "bilevel/core/parse.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

namespace {

// The union of the sets' class names in loader order; returns, per set, the new id of each
// of its classes.
std::vector<std::vector<int>> union_classes(std::span<Dataset* const> sets,
                                            std::vector<std::string>* names) {
  struct Seen {
    std::string name;
    std::optional<double> value;
  };
  std::vector<Seen> all;
  bool numeric = true;
  for (const Dataset* d : sets)
    for (const std::string& name : d->class_names) {
      double v = 0;
      const bool is_number = parse_number(name, &v);
      numeric = numeric && is_number;
      all.push_back({name, is_number ? std::optional<double>(v) : std::nullopt});
    }
  // The same class: the same value (numeric names) or the same text.
  auto same = [numeric](const Seen& a, const Seen& b) {
    return numeric ? *a.value == *b.value : a.name == b.name;
  };
  std::vector<Seen> unique;
  for (const Seen& s : all)
    if (std::none_of(unique.begin(), unique.end(), [&](const Seen& u) { return same(u, s); }))
      unique.push_back(s);
  std::stable_sort(unique.begin(), unique.end(), [numeric](const Seen& a, const Seen& b) {
    return numeric ? *a.value < *b.value : a.name < b.name;
  });
  names->clear();
  for (const Seen& u : unique) names->push_back(u.name);

  std::vector<std::vector<int>> ids;
  std::size_t k = 0;
  for (const Dataset* d : sets) {
    std::vector<int> map;
    for (std::size_t c = 0; c < d->class_names.size(); ++c, ++k) {
      const auto it = std::find_if(unique.begin(), unique.end(),
                                   [&](const Seen& u) { return same(u, all[k]); });
      map.push_back(static_cast<int>(it - unique.begin()));
    }
    ids.push_back(std::move(map));
  }
  return ids;
}

// Only a sparse set has an implicit width (its largest index): a dense file states its own,
// so a dense set of another width is left as it is and refused as incompatible by the caller.
void widen(Dataset* d, Index cols) {
  if (d->num_features() == cols || !d->is_sparse()) return;
  std::get<SparseMatrix>(d->features).conservativeResize(d->num_samples(), cols);
}

}  // namespace

void align_datasets(std::span<Dataset* const> sets) {
  Index cols = 0;
  for (const Dataset* d : sets)
    if (d->is_sparse()) cols = std::max(cols, d->num_features());
  for (Dataset* d : sets) widen(d, cols);

  std::vector<std::string> names;
  const std::vector<std::vector<int>> ids = union_classes(sets, &names);
  for (std::size_t s = 0; s < sets.size(); ++s) {
    Dataset* d = sets[s];
    for (int& label : d->labels) label = ids[s][static_cast<std::size_t>(label)];
    d->class_names = names;
    d->num_classes = static_cast<int>(names.size());
  }
}

}  // namespace bilevel::data
