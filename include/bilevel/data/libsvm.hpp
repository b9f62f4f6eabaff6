// LIBSVM / SVMlight text files: one sample per line, `LABEL INDEX:VALUE INDEX:VALUE ...`.
#pragma once

#include <string>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

// The largest feature index accepted (2^40, about 1.1e12): far above any real dataset, and
// low enough that sizes derived from it (features + 1 bias, times classes, times 8 bytes)
// cannot overflow before the memory checks of the problems refuse them.
inline constexpr Index kMaxFeatureIndex = Index{1} << 40;

struct LibsvmOptions {
  // The number of features. 0 = the largest index used. A larger value is for files whose
  // last features never occur (a9a's test file uses only 122 of its 123); a smaller one than
  // an index used is an error.
  Index num_features = 0;
  std::string name;  // Dataset::name; "" = "libsvm:PATH"
};

// Reads a LIBSVM file into a sparse dataset. Accepted: any numeric label text (+1/-1, 0/1,
// 2/4, multi-class; class ids in increasing numeric order, class_names keep the text),
// 1-based strictly increasing indices, an optional `qid:N` after the label (ignored), '#'
// comments, blank lines, trailing spaces, CRLF, no final newline, a UTF-8 byte order mark,
// gzip when compressed (any name; ".gz" by convention). Throws InvalidInput("PATH:LINE: what
// is wrong") for a malformed line, a non-finite value, an index above kMaxFeatureIndex, a line
// longer than 64 MiB, or a file with no samples; the offending text is quoted short and
// escaped.
Dataset load_libsvm(const std::string& path, const LibsvmOptions& options = {});

// load_libsvm(path, options).subset(choose(n)) without storing the other rows (see
// load_dataset_rows): a first pass checks every line, counts the samples and finds the classes
// and the largest index, a second stores the chosen rows. An empty `choose` is load_libsvm, in
// one pass.
Dataset load_libsvm_rows(const std::string& path, const RowChooser& choose,
                         const LibsvmOptions& options = {});

}  // namespace bilevel::data
