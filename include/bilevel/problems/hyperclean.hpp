// `hyperclean`: data hyper-cleaning (f2ba paper section 7.1; f2sa-p paper Example 2.1; Kwon et
// al. slides, corrupted-label experiment). One weight parameter x_i per training sample; the
// lower level trains a multinomial logistic regression y = [vec(W); b] (layout in
// softmax_regression.hpp) on the weighted, partly mislabelled training set, the upper level
// is the loss on a clean validation set:
//     g(x, y) = (1/n) sum_i w_i(x) CE_i(y; train) + c ||y||^2,
//     f(x, y) = (1/m) sum_j CE_j(y; val),
// with w = sigmoid, clip or (scaled) softmax of x (sample_weights.hpp). The ridge term covers
// the bias too: it makes g exactly 2c-strongly convex in y (CE is convex, and softmax is
// invariant to adding a constant to every logit, so an unregularized bias would leave a flat
// direction). A fraction `corrupt` of the training labels is replaced by another class
// (data::corrupt_labels); validation and test labels stay clean.
//
// Finite sums: g has n = n_train components g_i = w_i(x) CE_i + c ||y||^2 (softmax weights
// depend on all of x, so g_i does too), f has m = n_val components; minibatch indices refer
// to those rows and a minibatch oracle is the mean over its components.
//
// Constants (true bounds for every x, y): mu_g = 2c; L_g = (w_max / 2) lambda_max(A~'A~ / n)
// + 2c for sigmoid and clip (w <= 1), where A~ = [A, 1] and 1/2 bounds the softmax Hessian
// diag(p) - pp' (Gershgorin); for softmax weights (which reach n) L_g = (1/2) max_i ||a~_i||^2
// + 2c, since (1/n) sum_i w_i a~_i a~_i' is a convex combination of the a~_i a~_i'. L_f =
// (1/2) lambda_max(A~_val'A~_val / m) (f does not depend on x). lambda_max is exact for up
// to 999 features; above, a power-iteration estimate inflated by 10% (not a proven bound).
// L_phi is unknown.
//
// Initial point: y0 = 0; x0 = 0 for sigmoid (all weights 1/2, where the sigmoid is most
// sensitive; the papers start there) and softmax (weights 1), x0 = 1 for clip (weights 1).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/data/dataset.hpp"
#include "bilevel/kernels/kernel_options.hpp"
#include "bilevel/kernels/softmax_regression.hpp"
#include "bilevel/problems/data_split.hpp"
#include "bilevel/problems/sample_weights.hpp"

namespace bilevel {

struct HypercleanOptions {
  std::string dataset = "australian";
  SplitSizes split;
  DataFiles files;  // train=, val=, test=: the user's own split instead of dataset
  double corrupt = 0.5;
  std::string weight = "sigmoid";
  double c = 1e-3;
  std::uint64_t seed = 0;
  KernelOptions kernel;

  void declare(OptionList& o);
};

class Hyperclean : public Problem {
 public:
  // Loads o.dataset (only that part: for fashion-mnist, the 60000 training images) and
  // splits it with o.seed and corrupts the training labels.
  // With a shard of several (a distributed run: shard.hpp), loads only this rank's block of
  // each of train, validation and test; x is split with the training samples (x_local: this
  // rank's weights only), so the x-step needs no communication. Sigmoid and clip weights
  // only (a softmax weight depends on all of x). The constants are the whole problem's.
  explicit Hyperclean(const HypercleanOptions& o, const Shard& shard = {});
  // A caller's own split. The training labels are corrupted with o.corrupt and o.seed (set
  // corrupt = 0 to use them as given); o.dataset and o.split are ignored. `test` may be empty.
  Hyperclean(data::Dataset train, data::Dataset val, data::Dataset test,
             const HypercleanOptions& o);
  Hyperclean& operator=(const Hyperclean&) = delete;
  // A fresh problem on the same loaded data (shared, not copied): zero counts, its own models
  // and workspaces (for float32, its own float copy of the features).
  std::unique_ptr<Problem> clone() const override;

  static constexpr const char* kName = "hyperclean";
  static constexpr const char* kDescription =
      "data hyper-cleaning: per-sample weights (sigmoid, clip or softmax of x) on a partly "
      "mislabelled training set, multinomial logistic regression, validation loss";
  std::string name() const override { return kName; }
  Index dim_x() const override { return data_->train.num_samples(); }
  Index dim_y() const override { return ce_train_->dim(); }
  Index num_samples(Fn fn) const override {
    return fn == Fn::kF ? data_->val.num_samples() : data_->train.num_samples();
  }
  ProblemConstants constants() const override { return data_->constants; }
  Shard shard() const override { return data_->shard; }
  Vec initial_x() const override { return weights_.initial_point(); }
  OptionValues option_values() const override;
  // val_loss, val_acc, test_loss, test_acc at the model y, and flagged_corrupt: among the
  // k training samples with the lowest weights w(x), k = number of corrupted labels, the
  // fraction that are corrupted (1 = perfect cleaning, about `corrupt` = no better than
  // chance; NaN without corruption).
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  // Dense blocks only while dim_x and dim_y are at most kDenseLimit.
  bool has_dense_hessian() const override {
    return dim_x() <= kDenseLimit && dim_y() <= kDenseLimit;
  }
  static constexpr Index kDenseLimit = 2000;

  const data::Dataset& train() const { return data_->train; }
  const data::Dataset& val() const { return data_->val; }
  const data::Dataset& test() const { return data_->test; }
  // Training rows whose labels were corrupted, in increasing order.
  const std::vector<Index>& corrupted() const { return data_->corrupted; }
  // The weights w(x) of every training sample.
  Vec sample_weights(const Vec& x) const;

 protected:
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  // Full batches: one pass over the data for every y (F2BA's y and z sequences).
  void do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                       std::span<const Batch> batches, std::span<Vec* const> outs) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  // What every clone shares: the split, the corrupted rows and the constants derived from them.
  struct Data {
    data::Dataset train, val, test;
    std::vector<Index> corrupted;
    ProblemConstants constants;
    Shard shard;
    double w_train = 1, w_val = 1, w_test = 1;  // Shard::weight of each set
    bool has_test = false;   // the whole problem has a test set
    Index n_train = 0;       // the whole training set's size
    Index train_first = 0;   // this rank's first training row in it
  };

  // A clone: shares other's data.
  Hyperclean(const Hyperclean& other);
  // Checks and corrupts the split, builds the models and derives the constants.
  void init(data::Dataset train, data::Dataset val, data::Dataset test, const Shard& shard = {},
            const SplitCounts& whole = {}, Index train_first = 0);
  // m / Shard::weight: what a mean over m rows of fn divides by (m for the whole problem).
  double rows_divisor(Fn fn, Index m) const;
  // flagged_corrupt of the whole training set, across ranks.
  double sharded_flagged_corrupt(const Vec& x) const;
  // The models of the shared data and the workspaces: each instance its own.
  void build_models();
  // Runs the reference forward pass of f's or g's data at y; returns the number of rows m.
  Index forward(Fn fn, const Vec& y, const Batch& b) const;
  const SoftmaxRegression& model(Fn fn) const { return fn == Fn::kF ? *ce_val_ : *ce_train_; }
  // scale_[r] = the weight of row r in fn's mean: w_i(x) / m for g, 1 / m for f.
  void row_scales(Fn fn, const Vec& x, const Batch& b, Index m) const;

  HypercleanOptions o_;
  std::shared_ptr<const Data> data_;
  SampleWeights weights_;
  std::unique_ptr<SoftmaxRegression> ce_train_, ce_val_, ce_test_;
  mutable Vec scale_, work_;  // per-row coefficients (sized for the larger of n and m)
};

}  // namespace bilevel
