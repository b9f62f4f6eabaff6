// Synthetic sparse text-like data at the scale of 20 Newsgroups (18,846 documents, 130,107
// words, 20 classes): NOT real text. Each document has a class and a bag of words drawn from
// a Zipf-distributed background vocabulary mixed with a Zipf-distributed block of
// class-specific "topic" words; its features are TF-IDF weights (1 + ln count) * idf with the
// smoothed idf ln((1 + n) / (1 + df)) + 1, and each row is L2-normalized, as text pipelines
// usually prepare such data. Deterministic for a seed, with every compiler.
#pragma once

#include <cstdint>

#include "bilevel/data/catalog.hpp"
#include "bilevel/data/dataset.hpp"

namespace bilevel::data {

struct SyntheticTextOptions {
  Index num_samples = 18000;
  Index num_features = 130107;  // vocabulary size
  Index nnz_per_row = 100;      // mean distinct words per document (uniform in [nnz/2, 3nnz/2])
  int num_classes = 20;
  double topic_share = 0.3;  // fraction of a document's tokens drawn from its class's topic
  Index topic_words = 2000;  // words per class topic (fewer if the vocabulary is small)
  std::uint64_t seed = 0;
  // Fraction of documents whose label is replaced by another class drawn uniformly, after
  // their words are drawn from their true class: noisy labels in every part of the data,
  // from a stream of its own (the words do not change with it).
  double label_noise = 0.0;
};

// Throws InvalidInput if a size is < 1, nnz_per_row > num_features / 3, or topic_share or
// label_noise is outside [0, 1]. The full default size takes well under a second.
Dataset make_synthetic_text(const SyntheticTextOptions& options);

// make_synthetic_text(options).subset(choose(num_samples)), bit for bit, without storing the
// other documents: every document is generated (the generator is sequential, and the idf
// weights count all documents) but only the chosen ones' words are kept, so the features take
// about the chosen share of the memory. An empty `choose` is make_synthetic_text.
Dataset make_synthetic_text_rows(const SyntheticTextOptions& options, const RowChooser& choose);

}  // namespace bilevel::data
