#include "bilevel/data/synthetic_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/random.hpp"
#include "csr.hpp"
#include "shuffle.hpp"

namespace bilevel::data {

namespace {

void validate(const SyntheticTextOptions& o) {
  auto fail = [](const std::string& what) { throw InvalidInput("synthetic-text: " + what); };
  if (o.num_samples < 1) fail("num_samples (n) must be >= 1");
  if (o.num_features < 3) fail("num_features (d) must be >= 3");
  if (o.num_classes < 1) fail("num_classes (classes) must be >= 1");
  if (o.nnz_per_row < 1 || o.nnz_per_row > o.num_features / 3) {
    fail("nnz_per_row (nnz) must be in [1, num_features / 3] = [1, " +
         std::to_string(o.num_features / 3) + "]");
  }
  if (!(o.topic_share >= 0.0 && o.topic_share <= 1.0)) fail("topic_share must be in [0, 1]");
  if (o.topic_words < 1) fail("topic_words must be >= 1");
  if (!(o.label_noise >= 0.0 && o.label_noise <= 1.0)) fail("label_noise must be in [0, 1]");
}

// Cumulative Zipf(1) probabilities over ranks 0..n-1 (p(r) proportional to 1 / (r + 1)).
std::vector<double> zipf_cdf(Index n) {
  std::vector<double> cdf(static_cast<std::size_t>(n));
  double sum = 0;
  for (Index r = 0; r < n; ++r) cdf[static_cast<std::size_t>(r)] = (sum += 1.0 / double(r + 1));
  for (double& c : cdf) c /= sum;
  return cdf;
}

Index draw_rank(const std::vector<double>& cdf, Rng& rng) {
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), uniform01(rng));
  return std::min<Index>(it - cdf.begin(), static_cast<Index>(cdf.size()) - 1);
}

// "synthetic-text: n=.., d=.., nnz=..", what the size errors name.
std::string size_text(const SyntheticTextOptions& o) {
  return "synthetic-text: n=" + std::to_string(o.num_samples) +
         ", d=" + std::to_string(o.num_features) + ", nnz=" + std::to_string(o.nnz_per_row);
}

// The memory of `kept` stored documents: kept x nnz entries (column index, value, token count),
// two arrays of kept and a few arrays of d.
void check_stored_memory(const SyntheticTextOptions& o, Index kept, std::string what) {
  if (kept != o.num_samples) what += " (" + std::to_string(kept) + " documents kept)";
  const Index entries = size_mul(kept, o.nnz_per_row, what);
  check_memory(what, checked_add(checked_add(bytes_for(entries, 3 * sizeof(double)),
                                             bytes_for(kept, 2 * sizeof(double)))
                                     .value_or(INT64_MAX),
                                 bytes_for(o.num_features, 6 * sizeof(double)))
                         .value_or(INT64_MAX));
}

// Draws the documents one after the other: each one's class and its distinct words with their
// token counts. Sequential: a document's draws follow the previous one's on the same generator.
class DocumentSource {
 public:
  // Draws the vocabulary's layout from `rng`, which the documents then continue.
  DocumentSource(const SyntheticTextOptions& o, Rng& rng)
      : o_(o),
        rng_(rng),
        word_of_rank_(static_cast<std::size_t>(o.num_features)),
        last_row_(static_cast<std::size_t>(o.num_features), -1),
        slot_(static_cast<std::size_t>(o.num_features)) {
    const Index d = o.num_features;
    // Word ids are a random permutation of frequency ranks, so frequent words are scattered.
    std::iota(word_of_rank_.begin(), word_of_rank_.end(), Index{0});
    detail::partial_shuffle(std::span<Index>(word_of_rank_), word_of_rank_.size(), rng_);
    // Topics are disjoint blocks of mid-frequency ranks: class words are not the stopwords.
    skip_ = std::min<Index>(100, d / 10);
    topic_size_ = std::max<Index>(1, std::min<Index>(o.topic_words, (d - skip_) / o.num_classes));
    background_cdf_ = zipf_cdf(d);
    topic_cdf_ = zipf_cdf(topic_size_);
    lo_ = std::max<Index>(1, o.nnz_per_row / 2);
    hi_ = std::min<Index>(o.nnz_per_row + o.nnz_per_row / 2, d / 2);
  }

  // Draws document i (i = 0, 1, 2, ... in turn) and returns its class; words() then holds its
  // (word, token count) pairs in increasing word order.
  int next(Index i) {
    const Index d = o_.num_features;
    const int c = static_cast<int>(detail::uniform_index(rng_, o_.num_classes));
    const Index target = lo_ + detail::uniform_index(rng_, hi_ - lo_ + 1);
    const Index topic_start = skip_ + c * topic_size_;
    row_.clear();
    // A cap on the tokens keeps tiny vocabularies from looping long on rare words.
    for (Index tokens = 0; static_cast<Index>(row_.size()) < target && tokens < 50 * target;
         ++tokens) {
      const Index rank = uniform01(rng_) < o_.topic_share
                             ? (topic_start + draw_rank(topic_cdf_, rng_)) % d
                             : draw_rank(background_cdf_, rng_);
      const Index w = word_of_rank_[static_cast<std::size_t>(rank)];
      if (last_row_[static_cast<std::size_t>(w)] != i) {
        last_row_[static_cast<std::size_t>(w)] = i;
        slot_[static_cast<std::size_t>(w)] = static_cast<Index>(row_.size());
        row_.emplace_back(w, 0.0);
      }
      row_[static_cast<std::size_t>(slot_[static_cast<std::size_t>(w)])].second += 1.0;
    }
    std::sort(row_.begin(), row_.end());
    return c;
  }

  const std::vector<std::pair<Index, double>>& words() const { return row_; }

 private:
  const SyntheticTextOptions& o_;
  Rng& rng_;
  std::vector<Index> word_of_rank_;
  Index skip_ = 0, topic_size_ = 0;
  std::vector<double> background_cdf_, topic_cdf_;
  Index lo_ = 0, hi_ = 0;        // the range of a document's distinct words
  std::vector<Index> last_row_;  // the document that last used a word
  std::vector<Index> slot_;      // its entry in that document's row_
  std::vector<std::pair<Index, double>> row_;
};

// TF-IDF weights (smoothed idf, as scikit-learn's TfidfVectorizer) of the stored rows, then
// unit rows. The document frequencies `df` and `n` count every document, stored or not.
void tf_idf(const std::vector<double>& counts, const std::vector<Index>& df, Index n,
            detail::CsrArrays* csr) {
  std::vector<double> idf(df.size());
  for (std::size_t w = 0; w < idf.size(); ++w) {
    idf[w] = std::log((1.0 + double(n)) / (1.0 + double(df[w]))) + 1.0;
  }
  csr->value.resize(counts.size());
  for (Index i = 0; i < csr->rows(); ++i) {
    const auto begin = static_cast<std::size_t>(csr->row_start[static_cast<std::size_t>(i)]);
    const auto end = static_cast<std::size_t>(csr->row_start[static_cast<std::size_t>(i) + 1]);
    double norm2 = 0;
    for (std::size_t k = begin; k < end; ++k) {
      csr->value[k] = (1.0 + std::log(counts[k])) * idf[static_cast<std::size_t>(csr->column[k])];
      norm2 += csr->value[k] * csr->value[k];
    }
    const double scale = 1.0 / std::sqrt(norm2);
    for (std::size_t k = begin; k < end; ++k) csr->value[k] *= scale;
  }
}

}  // namespace

Dataset make_synthetic_text(const SyntheticTextOptions& o) {
  return make_synthetic_text_rows(o, nullptr);
}

Dataset make_synthetic_text_rows(const SyntheticTextOptions& o, const RowChooser& choose) {
  validate(o);
  const Index n = o.num_samples, d = o.num_features;
  const std::string what = size_text(o);
  // Every document is drawn, whatever is kept: sizes that overflow are refused before choose(n).
  size_mul(n, o.nnz_per_row, what);
  ChosenRows rows(choose, n, "synthetic-text");
  check_stored_memory(o, rows.count(), what);
  Rng rng(o.seed);
  DocumentSource documents(o, rng);
  // Two draws per document, kept or not, so that a document's noise does not depend on
  // which others are kept.
  Rng noise_rng(o.seed ^ 0x6a09e667f3bcc909ULL);

  // Every document counts in the document frequencies; only the kept ones are stored.
  detail::CsrArrays csr;
  csr.row_start.reserve(static_cast<std::size_t>(rows.count()) + 1);
  csr.column.reserve(static_cast<std::size_t>(rows.count() * o.nnz_per_row));
  std::vector<double> counts;  // token count per entry of csr.column
  counts.reserve(csr.column.capacity());
  std::vector<int> labels;
  labels.reserve(static_cast<std::size_t>(rows.count()));
  std::vector<Index> df(static_cast<std::size_t>(d), 0);
  for (Index i = 0; i < n; ++i) {
    int c = documents.next(i);
    const bool flip = uniform01(noise_rng) < o.label_noise;
    const Index other = detail::uniform_index(noise_rng, std::max(1, o.num_classes - 1));
    // Another class, uniformly: the classes after c are shifted down by one.
    if (flip && o.num_classes > 1) c = static_cast<int>(other < c ? other : other + 1);
    const bool kept = rows.keeps(i);
    for (const auto& [w, count] : documents.words()) ++df[static_cast<std::size_t>(w)];
    if (!kept) continue;
    labels.push_back(c);
    for (const auto& [w, count] : documents.words()) {
      csr.column.push_back(w);
      counts.push_back(count);
    }
    csr.end_row();
  }
  tf_idf(counts, df, n, &csr);

  Dataset out;
  out.name = "synthetic-text";
  out.features = detail::to_sparse(csr, d);
  out.labels = std::move(labels);
  out.num_classes = o.num_classes;
  for (int c = 0; c < o.num_classes; ++c) out.class_names.push_back("topic" + std::to_string(c));
  return out;
}

}  // namespace bilevel::data
