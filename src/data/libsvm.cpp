#include "bilevel/data/libsvm.hpp"

#include <cmath>
#include <string_view>
#include <utility>

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

}  // namespace

Dataset load_libsvm(const std::string& path, const LibsvmOptions& options) {
  if (options.num_features < 0 || options.num_features > kMaxFeatureIndex) {
    throw InvalidInput(path + ": the number of features must be in [0, " +
                       std::to_string(kMaxFeatureIndex) + "] (0 = from the file)");
  }
  LineReader in(path);
  detail::CsrArrays csr;
  std::vector<std::string> label_texts;
  Index max_index = 0;
  std::string_view line;
  while (in.next(&line)) {
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::string_view rest = line;
    const std::string_view label = detail::next_token(&rest);
    if (label.empty()) continue;  // blank or comment-only line
    double label_value = 0;
    if (!parse_number(label, &label_value)) {
      throw InvalidInput(where(in) + "label " + quoted(label) + " is not a number");
    }
    if (!std::isfinite(label_value)) {
      throw InvalidInput(where(in) + "label " + quoted(label) + " is not finite");
    }
    label_texts.emplace_back(label);

    Index previous = 0;
    bool first = true;
    for (std::string_view token = detail::next_token(&rest); !token.empty();
         token = detail::next_token(&rest), first = false) {
      if (first && token.starts_with("qid:")) continue;  // SVMlight query id: not a feature
      Index index = 0;
      double value = 0;
      parse_pair(in, token, previous, &index, &value);
      if (options.num_features > 0 && index > options.num_features) {
        throw InvalidInput(where(in) + "feature index " + std::to_string(index) +
                           " exceeds the declared " + std::to_string(options.num_features) +
                           " features");
      }
      previous = index;
      csr.column.push_back(index - 1);
      csr.value.push_back(value);
    }
    max_index = std::max(max_index, previous);
    csr.end_row();
  }
  if (label_texts.empty()) throw InvalidInput(path + ": no samples (empty file?)");

  detail::LabelCodes codes = detail::encode_labels(label_texts);
  Dataset d;
  d.name = options.name.empty() ? "libsvm:" + path : options.name;
  d.features = detail::to_sparse(csr, options.num_features > 0 ? options.num_features : max_index);
  d.labels = std::move(codes.labels);
  d.num_classes = static_cast<int>(codes.class_names.size());
  d.class_names = std::move(codes.class_names);
  return d;
}

}  // namespace bilevel::data
