// CSV files: one sample per line, numeric features, the label in one column.
#pragma once

#include <string>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

struct CsvOptions {
  // The label's column, 0-based; negative counts from the end (-1 = the last column).
  int label_column = -1;
  char delimiter = ',';
  std::string name;  // Dataset::name; "" = "csv:PATH"
};

// Reads a CSV file into a dense dataset. The first non-blank line is a header (skipped) when
// one of its feature fields is not a number. Labels may be numbers (class ids in increasing
// numeric order) or text (lexicographic order); class_names keep the text. Blank lines are
// skipped; CRLF, spaces around fields, a missing final newline, a UTF-8 byte order mark and
// gzip compression are accepted. Throws InvalidInput("PATH:LINE: ...") on a non-numeric or
// non-finite feature (quoted short and escaped), an empty field, a line with a different
// number of fields than the first, or a line longer than 64 MiB.
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

// load_csv(path, options).subset(choose(n)) without storing the other rows (see
// load_dataset_rows): a first pass checks every line, counts the samples and finds the classes,
// a second stores the chosen rows. An empty `choose` is load_csv, in one pass.
Dataset load_csv_rows(const std::string& path, const RowChooser& choose,
                      const CsvOptions& options = {});

}  // namespace bilevel::data
