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

}  // namespace

Dataset make_synthetic_text(const SyntheticTextOptions& o) {
  validate(o);
  const Index n = o.num_samples, d = o.num_features;
  {
    // n x nnz entries (column index, value, token count) and a few arrays of d.
    const std::string what = "synthetic-text: n=" + std::to_string(n) + ", d=" + std::to_string(d) +
                             ", nnz=" + std::to_string(o.nnz_per_row);
    const Index entries = size_mul(n, o.nnz_per_row, what);
    check_memory(what, checked_add(checked_add(bytes_for(entries, 3 * sizeof(double)),
                                               bytes_for(n, 2 * sizeof(double)))
                                       .value_or(INT64_MAX),
                                   bytes_for(d, 6 * sizeof(double)))
                           .value_or(INT64_MAX));
  }
  Rng rng(o.seed);

  // Word ids are a random permutation of frequency ranks, so frequent words are scattered.
  std::vector<Index> word_of_rank(static_cast<std::size_t>(d));
  std::iota(word_of_rank.begin(), word_of_rank.end(), Index{0});
  detail::partial_shuffle(std::span<Index>(word_of_rank), word_of_rank.size(), rng);
  // Topics are disjoint blocks of mid-frequency ranks: class words are not the stopwords.
  const Index skip = std::min<Index>(100, d / 10);
  const Index topic_size =
      std::max<Index>(1, std::min<Index>(o.topic_words, (d - skip) / o.num_classes));
  const std::vector<double> background_cdf = zipf_cdf(d);
  const std::vector<double> topic_cdf = zipf_cdf(topic_size);

  detail::CsrArrays csr;
  csr.row_start.reserve(static_cast<std::size_t>(n) + 1);
  csr.column.reserve(static_cast<std::size_t>(n * o.nnz_per_row));
  std::vector<double> counts;  // token count per entry of csr.column
  counts.reserve(csr.column.capacity());
  std::vector<int> labels(static_cast<std::size_t>(n));
  std::vector<Index> last_row(static_cast<std::size_t>(d), -1);  // row that last used a word
  std::vector<Index> slot(static_cast<std::size_t>(d));          // its entry in that row
  std::vector<Index> df(static_cast<std::size_t>(d), 0);

  const Index lo = std::max<Index>(1, o.nnz_per_row / 2);
  const Index hi = std::min<Index>(o.nnz_per_row + o.nnz_per_row / 2, d / 2);
  std::vector<std::pair<Index, double>> row;
  for (Index i = 0; i < n; ++i) {
    const int c = static_cast<int>(detail::uniform_index(rng, o.num_classes));
    labels[static_cast<std::size_t>(i)] = c;
    const Index target = lo + detail::uniform_index(rng, hi - lo + 1);
    const Index topic_start = skip + c * topic_size;
    row.clear();
    // A cap on the tokens keeps tiny vocabularies from looping long on rare words.
    for (Index tokens = 0; static_cast<Index>(row.size()) < target && tokens < 50 * target;
         ++tokens) {
      const Index rank = uniform01(rng) < o.topic_share
                             ? (topic_start + draw_rank(topic_cdf, rng)) % d
                             : draw_rank(background_cdf, rng);
      const Index w = word_of_rank[static_cast<std::size_t>(rank)];
      if (last_row[static_cast<std::size_t>(w)] != i) {
        last_row[static_cast<std::size_t>(w)] = i;
        slot[static_cast<std::size_t>(w)] = static_cast<Index>(row.size());
        row.emplace_back(w, 0.0);
      }
      row[static_cast<std::size_t>(slot[static_cast<std::size_t>(w)])].second += 1.0;
    }
    std::sort(row.begin(), row.end());
    for (const auto& [w, count] : row) {
      csr.column.push_back(w);
      counts.push_back(count);
      ++df[static_cast<std::size_t>(w)];
    }
    csr.end_row();
  }

  // TF-IDF weights (smoothed idf, as scikit-learn's TfidfVectorizer), then unit rows.
  std::vector<double> idf(static_cast<std::size_t>(d));
  for (std::size_t w = 0; w < idf.size(); ++w) {
    idf[w] = std::log((1.0 + double(n)) / (1.0 + double(df[w]))) + 1.0;
  }
  csr.value.resize(counts.size());
  for (Index i = 0; i < n; ++i) {
    const auto begin = static_cast<std::size_t>(csr.row_start[static_cast<std::size_t>(i)]);
    const auto end = static_cast<std::size_t>(csr.row_start[static_cast<std::size_t>(i) + 1]);
    double norm2 = 0;
    for (std::size_t k = begin; k < end; ++k) {
      csr.value[k] = (1.0 + std::log(counts[k])) * idf[static_cast<std::size_t>(csr.column[k])];
      norm2 += csr.value[k] * csr.value[k];
    }
    const double scale = 1.0 / std::sqrt(norm2);
    for (std::size_t k = begin; k < end; ++k) csr.value[k] *= scale;
  }

  Dataset out;
  out.name = "synthetic-text";
  out.features = detail::to_sparse(csr, d);
  out.labels = std::move(labels);
  out.num_classes = o.num_classes;
  for (int c = 0; c < o.num_classes; ++c) out.class_names.push_back("topic" + std::to_string(c));
  return out;
}

}  // namespace bilevel::data
