#include "bilevel/data/csv.hpp"

#include <cmath>
#include <functional>
#include <iterator>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "input_file.hpp"
#include "label_codes.hpp"
#include "text_fields.hpp"

namespace bilevel::data {

namespace {

using detail::LineReader;
using detail::where;

std::vector<std::string_view> split_fields(std::string_view line, char delimiter) {
  std::vector<std::string_view> fields;
  for (;;) {
    const std::size_t cut = line.find(delimiter);
    fields.push_back(detail::trim(line.substr(0, cut)));
    if (cut == std::string_view::npos) break;
    line.remove_prefix(cut + 1);
  }
  return fields;
}

bool is_number(std::string_view s) {
  double v = 0;
  return parse_number(s, &v);
}

// The shape of a file, fixed by its first non-blank line.
struct Shape {
  std::size_t num_fields = 0;  // 0 until that line is read
  std::size_t label_at = 0;
};

// Fixes the shape from the fields of the first non-blank line; returns whether the line is a
// header (one of its feature fields is not a number).
bool read_shape(const LineReader& in, const std::vector<std::string_view>& fields,
                const CsvOptions& options, Shape* shape) {
  shape->num_fields = fields.size();
  if (shape->num_fields < 2) {
    throw InvalidInput(where(in) + "expected at least 2 fields (features and a label), got " +
                       std::to_string(shape->num_fields) + " (wrong delimiter?)");
  }
  const int n = static_cast<int>(shape->num_fields);
  const int col = options.label_column < 0 ? n + options.label_column : options.label_column;
  if (col < 0 || col >= n) {
    throw InvalidInput(in.path() + ": label column " + std::to_string(options.label_column) +
                       " does not exist; the file has " + std::to_string(n) + " columns");
  }
  shape->label_at = static_cast<std::size_t>(col);
  for (std::size_t j = 0; j < fields.size(); ++j) {
    if (j != shape->label_at && !is_number(fields[j])) return true;
  }
  return false;
}

// Checks a sample line's fields and appends its features to *values unless it is null (the
// line is checked, not kept). Returns its label field.
std::string_view check_sample(const LineReader& in, const std::vector<std::string_view>& fields,
                              const Shape& shape, std::vector<double>* values) {
  if (fields.size() != shape.num_fields) {
    throw InvalidInput(where(in) + "expected " + std::to_string(shape.num_fields) +
                       " fields like the first line, got " + std::to_string(fields.size()));
  }
  for (std::size_t j = 0; j < fields.size(); ++j) {
    if (fields[j].empty()) {
      throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " is empty");
    }
    if (j == shape.label_at) continue;
    double v = 0;
    if (!parse_number(fields[j], &v)) {
      throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " " +
                         detail::quoted_excerpt(fields[j]) + " is not a number");
    }
    if (!std::isfinite(v)) {
      throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " " +
                         detail::quoted_excerpt(fields[j]) + " is not finite");
    }
    if (values != nullptr) values->push_back(v);
  }
  return fields[shape.label_at];
}

// What one pass over a file gathers.
struct Pass {
  Shape shape;
  Index samples = 0;  // sample lines: blank lines and the header are not
  // The distinct label texts of the lines checked, in order of first appearance.
  std::vector<std::string> distinct_labels;
  std::vector<std::string> kept_labels;  // the kept samples' labels and features (row-major)
  std::vector<double> kept_values;
};

// Reads the file once; sample i (counting sample lines only) is stored when keep(i), which is
// asked for every sample in order. With check_all every line is checked, so that its errors are
// those of load_csv; without (a second pass over a file the first one checked) only the kept
// lines are parsed and the others are only told apart from blank lines and the header.
template <class Keep>
Pass read_pass(const std::string& path, const CsvOptions& options, bool check_all, Keep keep) {
  LineReader in(path);
  Pass p;
  std::set<std::string, std::less<>> seen_labels;  // looked up by string_view: no copy per line
  std::string_view line;
  while (in.next(&line)) {
    if (detail::trim(line).empty()) continue;
    if (p.shape.num_fields == 0 &&
        read_shape(in, split_fields(line, options.delimiter), options, &p.shape)) {
      continue;  // the header
    }
    const bool kept = keep(p.samples++);
    if (!kept && !check_all) continue;
    const std::string_view label = check_sample(in, split_fields(line, options.delimiter), p.shape,
                                                kept ? &p.kept_values : nullptr);
    if (check_all && !seen_labels.contains(label)) {
      seen_labels.emplace(label);
      p.distinct_labels.emplace_back(label);
    }
    if (kept) p.kept_labels.emplace_back(label);
  }
  return p;
}

// The dataset of the kept rows. Their label texts are encoded after every distinct label text
// of the file in order of first appearance: the classes, their order and each one's first
// spelling are then those of the whole file, and the tail of the ids is the kept rows' labels.
Dataset kept_dataset(std::string name, const Shape& shape, std::vector<std::string> distinct_labels,
                     Pass&& kept) {
  const auto n = static_cast<Index>(kept.kept_labels.size());
  const auto d = static_cast<Index>(shape.num_fields) - 1;
  const std::size_t num_distinct = distinct_labels.size();
  std::vector<std::string> texts = std::move(distinct_labels);
  texts.insert(texts.end(), std::make_move_iterator(kept.kept_labels.begin()),
               std::make_move_iterator(kept.kept_labels.end()));
  detail::LabelCodes codes = detail::encode_labels(texts);
  Dataset out;
  out.name = std::move(name);
  out.features = DenseMatrix(Eigen::Map<const DenseMatrix>(kept.kept_values.data(), n, d));
  out.labels.assign(codes.labels.begin() + static_cast<std::ptrdiff_t>(num_distinct),
                    codes.labels.end());
  out.num_classes = static_cast<int>(codes.class_names.size());
  out.class_names = std::move(codes.class_names);
  return out;
}

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  return load_csv_rows(path, nullptr, options);
}

Dataset load_csv_rows(const std::string& path, const RowChooser& choose,
                      const CsvOptions& options) {
  std::string name = options.name.empty() ? "csv:" + path : options.name;
  // Every row wanted: one pass keeps them all. Otherwise the first pass keeps none.
  const bool all = !choose;
  Pass whole = read_pass(path, options, true, [all](Index) { return all; });
  if (whole.samples == 0) throw InvalidInput(path + ": no samples (empty file?)");
  if (all) {
    return kept_dataset(std::move(name), whole.shape, std::move(whole.distinct_labels),
                        std::move(whole));
  }
  ChosenRows rows(choose, whole.samples, name);
  Pass chosen = read_pass(path, options, false, [&rows](Index i) { return rows.keeps(i); });
  if (chosen.samples != whole.samples) {
    throw InvalidInput(path + ": the file changed while it was read (" +
                       std::to_string(whole.samples) + " samples, then " +
                       std::to_string(chosen.samples) + ")");
  }
  return kept_dataset(std::move(name), whole.shape, std::move(whole.distinct_labels),
                      std::move(chosen));
}

}  // namespace bilevel::data
