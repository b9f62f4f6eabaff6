#include "bilevel/data/csv.hpp"

#include <cmath>
#include <string_view>
#include <utility>

#include "bilevel/core/error.hpp"
#include "bilevel/core/parse.hpp"
#include "input_file.hpp"
#include "label_codes.hpp"
#include "text_fields.hpp"

namespace bilevel::data {

namespace {

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

}  // namespace

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  detail::LineReader in(path);
  std::vector<double> values;  // row-major features
  std::vector<std::string> label_texts;
  std::size_t num_fields = 0;
  std::size_t label_at = 0;
  std::string_view line;
  while (in.next(&line)) {
    if (detail::trim(line).empty()) continue;
    const std::vector<std::string_view> fields = split_fields(line, options.delimiter);
    if (num_fields == 0) {
      // The first line fixes the shape and says whether there is a header.
      num_fields = fields.size();
      if (num_fields < 2) {
        throw InvalidInput(where(in) + "expected at least 2 fields (features and a label), got " +
                           std::to_string(num_fields) + " (wrong delimiter?)");
      }
      const int n = static_cast<int>(num_fields);
      const int col = options.label_column < 0 ? n + options.label_column : options.label_column;
      if (col < 0 || col >= n) {
        throw InvalidInput(path + ": label column " + std::to_string(options.label_column) +
                           " does not exist; the file has " + std::to_string(n) + " columns");
      }
      label_at = static_cast<std::size_t>(col);
      bool header = false;
      for (std::size_t j = 0; j < num_fields; ++j) {
        if (j != label_at && !is_number(fields[j])) header = true;
      }
      if (header) continue;
    }
    if (fields.size() != num_fields) {
      throw InvalidInput(where(in) + "expected " + std::to_string(num_fields) +
                         " fields like the first line, got " + std::to_string(fields.size()));
    }
    for (std::size_t j = 0; j < num_fields; ++j) {
      if (fields[j].empty()) {
        throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " is empty");
      }
      if (j == label_at) {
        label_texts.emplace_back(fields[j]);
        continue;
      }
      double v = 0;
      if (!parse_number(fields[j], &v)) {
        throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " " +
                           detail::quoted_excerpt(fields[j]) + " is not a number");
      }
      if (!std::isfinite(v)) {
        throw InvalidInput(where(in) + "field " + std::to_string(j + 1) + " " +
                           detail::quoted_excerpt(fields[j]) + " is not finite");
      }
      values.push_back(v);
    }
  }
  if (label_texts.empty()) throw InvalidInput(path + ": no samples (empty file?)");

  const auto n = static_cast<Index>(label_texts.size());
  const auto d = static_cast<Index>(num_fields) - 1;
  detail::LabelCodes codes = detail::encode_labels(label_texts);
  Dataset out;
  out.name = options.name.empty() ? "csv:" + path : options.name;
  out.features = DenseMatrix(Eigen::Map<const DenseMatrix>(values.data(), n, d));
  out.labels = std::move(codes.labels);
  out.num_classes = static_cast<int>(codes.class_names.size());
  out.class_names = std::move(codes.class_names);
  return out;
}

}  // namespace bilevel::data
