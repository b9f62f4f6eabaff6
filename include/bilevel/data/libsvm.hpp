// LIBSVM / SVMlight text files: one sample per line, `LABEL INDEX:VALUE INDEX:VALUE ...`.
#pragma once

#include <string>

#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

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
// comments, blank lines, trailing spaces, CRLF, no final newline, gzip when compressed
// (any name; ".gz" by convention). Throws InvalidInput("PATH:LINE: what is wrong") for a
// malformed line, a non-finite value, or a file with no samples.
Dataset load_libsvm(const std::string& path, const LibsvmOptions& options = {});

}  // namespace bilevel::data
