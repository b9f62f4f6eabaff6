#include "bilevel/data/libsvm.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "csr.hpp"
#include "input_file.hpp"
#include "label_codes.hpp"
#include "text_fields.hpp"

namespace bilevel::data {

namespace {

using detail::LineReader;
using detail::where;

std::string quoted(std::string_view s) { return detail::quoted_excerpt(s); }

// Parses one `INDEX:VALUE` token, checking it follows `previous` (0 before the first).
void parse_pair(const LineReader& in, std::string_view token, Index previous, Index* index,
                double* value) {
  const std::size_t colon = token.find(':');
  if (colon == std::string_view::npos) {
    throw InvalidInput(where(in) + "expected INDEX:VALUE, got " + quoted(token) + " (missing ':')");
  }
  const std::string_view index_text = token.substr(0, colon);
  const std::string_view value_text = token.substr(colon + 1);
  if (!parse_integer(index_text, index)) {
    throw InvalidInput(where(in) + "feature index " + quoted(index_text) + " in " + quoted(token) +
                       " is not an integer");
  }
  if (*index < 1) {
    throw InvalidInput(where(in) + "feature index " + std::to_string(*index) + " in " +
                       quoted(token) + " is not >= 1 (indices are 1-based)");
  }
  if (*index > kMaxFeatureIndex) {
    throw InvalidInput(where(in) + "feature index " + std::to_string(*index) + " in " +
                       quoted(token) + " is above the largest accepted, " +
                       std::to_string(kMaxFeatureIndex));
  }
  if (*index <= previous) {
    throw InvalidInput(where(in) + "feature index " + std::to_string(*index) + " in " +
                       quoted(token) + " does not follow " + std::to_string(previous) +
                       " (indices must be strictly increasing)");
  }
  if (!parse_number(value_text, value)) {
    throw InvalidInput(where(in) + "value " + quoted(value_text) + " in " + quoted(token) +
                       " is not a number");
  }
  if (!std::isfinite(*value)) {
    throw InvalidInput(where(in) + "value " + quoted(value_text) + " in " + quoted(token) +
                       " is not finite");
  }
}

// A sample line's label token, the rest of the line (its comment cut) left in *rest; "" for a
// blank or comment-only line, which is no sample.
std::string_view label_token(std::string_view line, std::string_view* rest) {
  if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
    line = line.substr(0, hash);
  }
  *rest = line;
  return detail::next_token(rest);
}

void check_label(const LineReader& in, std::string_view label) {
  double label_value = 0;
  if (!parse_number(label, &label_value)) {
    throw InvalidInput(where(in) + "label " + quoted(label) + " is not a number");
  }
  if (!std::isfinite(label_value)) {
    throw InvalidInput(where(in) + "label " + quoted(label) + " is not finite");
  }
}

// Checks the features after a sample's label and appends them to *csr unless it is null (the
// line is checked, not kept). Returns the sample's largest index, 0 when it has none.
Index parse_features(const LineReader& in, std::string_view rest, Index num_features,
                     detail::CsrArrays* csr) {
  Index previous = 0;
  bool first = true;
  for (std::string_view token = detail::next_token(&rest); !token.empty();
       token = detail::next_token(&rest), first = false) {
    if (first && token.starts_with("qid:")) continue;  // SVMlight query id: not a feature
    Index index = 0;
    double value = 0;
    parse_pair(in, token, previous, &index, &value);
    if (num_features > 0 && index > num_features) {
      throw InvalidInput(where(in) + "feature index " + std::to_string(index) +
                         " exceeds the declared " + std::to_string(num_features) + " features");
    }
    previous = index;
    if (csr != nullptr) {
      csr->column.push_back(index - 1);
      csr->value.push_back(value);
    }
  }
  return previous;
}

// What one pass over a file gathers.
struct Pass {
  Index samples = 0;    // sample lines: blank and comment-only lines are not
  Index max_index = 0;  // the largest feature index of the lines checked
  // The distinct label texts of the lines checked, in order of first appearance.
  std::vector<std::string> distinct_labels;
  std::vector<std::string> kept_labels;  // the kept samples' label texts and features
  detail::CsrArrays kept;
};

// Reads the file once; sample i (counting sample lines only) is stored when keep(i), which is
// asked for every sample in order. With check_all every line is checked, so that its errors are
// those of load_libsvm; without (a second pass over a file the first one checked) only the
// kept lines are parsed and the others are only told apart from blank and comment lines.
template <class Keep>
Pass read_pass(const std::string& path, Index num_features, bool check_all, Keep keep) {
  LineReader in(path);
  Pass p;
  std::set<std::string, std::less<>> seen_labels;  // looked up by string_view: no copy per line
  std::string_view line;
  while (in.next(&line)) {
    std::string_view rest;
    const std::string_view label = label_token(line, &rest);
    if (label.empty()) continue;
    const bool kept = keep(p.samples++);
    if (!kept && !check_all) continue;
    check_label(in, label);
    if (check_all && !seen_labels.contains(label)) {
      seen_labels.emplace(label);
      p.distinct_labels.emplace_back(label);
    }
    const Index last = parse_features(in, rest, num_features, kept ? &p.kept : nullptr);
    p.max_index = std::max(p.max_index, last);
    if (kept) {
      p.kept_labels.emplace_back(label);
      p.kept.end_row();
    }
  }
  return p;
}

// The dataset of the kept rows. Their label texts are encoded after every distinct label text
// of the file in order of first appearance: the classes, their order and each one's first
// spelling are then those of the whole file, and the tail of the ids is the kept rows' labels.
Dataset kept_dataset(std::string name, Index num_features, std::vector<std::string> distinct_labels,
                     Pass&& kept) {
  const std::size_t num_distinct = distinct_labels.size();
  std::vector<std::string> texts = std::move(distinct_labels);
  texts.insert(texts.end(), std::make_move_iterator(kept.kept_labels.begin()),
               std::make_move_iterator(kept.kept_labels.end()));
  detail::LabelCodes codes = detail::encode_labels(texts);
  Dataset d;
  d.name = std::move(name);
  d.features = detail::to_sparse(kept.kept, num_features);
  d.labels.assign(codes.labels.begin() + static_cast<std::ptrdiff_t>(num_distinct),
                  codes.labels.end());
  d.num_classes = static_cast<int>(codes.class_names.size());
  d.class_names = std::move(codes.class_names);
  return d;
}

}  // namespace

Dataset load_libsvm(const std::string& path, const LibsvmOptions& options) {
  return load_libsvm_rows(path, nullptr, options);
}

Dataset load_libsvm_rows(const std::string& path, const RowChooser& choose,
                         const LibsvmOptions& options) {
  if (options.num_features < 0 || options.num_features > kMaxFeatureIndex) {
    throw InvalidInput(path + ": the number of features must be in [0, " +
                       std::to_string(kMaxFeatureIndex) + "] (0 = from the file)");
  }
  std::string name = options.name.empty() ? "libsvm:" + path : options.name;
  // Every row wanted: one pass keeps them all. Otherwise the first pass keeps none.
  const bool all = !choose;
  Pass whole = read_pass(path, options.num_features, true, [all](Index) { return all; });
  if (whole.samples == 0) throw InvalidInput(path + ": no samples (empty file?)");
  const Index num_features = options.num_features > 0 ? options.num_features : whole.max_index;
  if (all) {
    return kept_dataset(std::move(name), num_features, std::move(whole.distinct_labels),
                        std::move(whole));
  }

  ChosenRows rows(choose, whole.samples, name);
  Pass chosen =
      read_pass(path, options.num_features, false, [&rows](Index i) { return rows.keeps(i); });
  if (chosen.samples != whole.samples) {
    throw InvalidInput(path + ": the file changed while it was read (" +
                       std::to_string(whole.samples) + " samples, then " +
                       std::to_string(chosen.samples) + ")");
  }
  return kept_dataset(std::move(name), num_features, std::move(whole.distinct_labels),
                      std::move(chosen));
}

}  // namespace bilevel::data
