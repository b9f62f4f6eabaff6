// `learnreg`: learn-to-regularize (f2ba paper section 7.2; f2sa-p paper Example 2.2): one
// log-regularization weight per feature. The lower level trains a multinomial logistic
// regression y = [vec(W); b] (layout in softmax_regression.hpp) with a per-feature ridge, the
// upper level is the validation loss:
//     g(x, y) = (1/n) sum_i CE_i(y; train) + sum_j exp(x_j) ||W_j||^2 + c_bias ||b||^2,
//     f(x, y) = (1/m) sum_j CE_j(y; val),
// where W_j is row j of W: the C class weights of feature j share one regularizer (the
// papers' y' diag(exp(x)) y for a model with one weight per feature, extended to C classes).
// The bias gets a small fixed ridge c_bias instead of none: softmax is invariant to adding
// the same constant to every logit, so an unregularized bias leaves g flat along
// b + t (1, ..., 1) and y*(x) would not be unique.
//
// Finite sums: g has n = n_train components CE_i + regularizer, f has m = n_val.
// Dimensions: dim_x = d features (130k for synthetic text: no dense Hessians there).
// Constants: L_f = (1/2) lambda_max(A~_val'A~_val / m) (softmax Hessian bound 1/2, A~ = [A, 1]);
// mu_g and L_g depend on x through exp(x) (between 2 min(exp(x), c_bias) and the CE bound
// plus 2 max exp(x)), so no global value exists. mu_g is given at the initial point,
// 2 min(reg0, c_bias) (a lower bound wherever exp(x) >= reg0); L_g is not, and the "auto"
// rules that need it estimate ||Hyy g|| there by power iteration (AutoContext::L_g, counted as
// oracle calls of the run).
// Initial point: y0 = 0, x0 = log(reg0) in every coordinate.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/data/dataset.hpp"
#include "bilevel/kernels/kernel_options.hpp"
#include "bilevel/kernels/softmax_regression.hpp"
#include "bilevel/problems/data_split.hpp"

namespace bilevel {

struct LearnregOptions {
  std::string dataset = "australian";
  SplitSizes split;
  DataFiles files;  // train=, val=, test=: the user's own split instead of dataset
  double corrupt = 0.0;
  double reg0 = 1e-3;
  double c_bias = 1e-3;
  bool bias = true;  // false: logits W'a without a bias term (y holds W only)
  std::uint64_t seed = 0;
  KernelOptions kernel;

  void declare(OptionList& o);
};

class Learnreg : public Problem {
 public:
  // Loads o.dataset (only that part: for fashion-mnist, the 60000 training images) and
  // splits it with o.seed. With a shard of several (a distributed run: shard.hpp), loads only
  // this rank's block of each of train, validation and test, and weights its losses and
  // metrics so that their mean over ranks is the whole problem's; the constants are the whole
  // problem's (computed across ranks when the shard is built).
  explicit Learnreg(const LearnregOptions& o, const Shard& shard = {});
  // A caller's own split (o.dataset and o.split ignored; o.corrupt still applies to train).
  Learnreg(data::Dataset train, data::Dataset val, data::Dataset test, const LearnregOptions& o);
  Learnreg& operator=(const Learnreg&) = delete;
  // A fresh problem on the same loaded data (shared, not copied): zero counts, its own models
  // and workspaces (for float32, its own float copy of the features).
  std::unique_ptr<Problem> clone() const override;

  static constexpr const char* kName = "learnreg";
  static constexpr const char* kDescription =
      "learn-to-regularize: one log ridge weight per feature of a multinomial logistic "
      "regression, validation loss; dense or sparse features";
  std::string name() const override { return kName; }
  Index dim_x() const override { return data_->train.num_features(); }
  Index dim_y() const override {
    return o_.bias ? ce_train_->dim() : ce_train_->dim() - data_->train.num_classes;
  }
  Index num_samples(Fn fn) const override {
    return fn == Fn::kF ? data_->val.num_samples() : data_->train.num_samples();
  }
  ProblemConstants constants() const override { return data_->constants; }
  Shard shard() const override { return data_->shard; }
  Vec initial_x() const override { return Vec::Constant(dim_x(), std::log(o_.reg0)); }
  OptionValues option_values() const override;
  // val_loss, val_acc, test_loss, test_acc at the model y (test: NaN without a test set).
  std::vector<std::string> metric_names() const override;
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  bool has_dense_hessian() const override {
    return dim_x() <= kDenseLimit && dim_y() <= kDenseLimit;
  }
  static constexpr Index kDenseLimit = 2000;

  const data::Dataset& train() const { return data_->train; }
  const data::Dataset& val() const { return data_->val; }
  const data::Dataset& test() const { return data_->test; }

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
  // What every clone shares: the split (labels corrupted) and the constants derived from it.
  struct Data {
    data::Dataset train, val, test;
    ProblemConstants constants;
    Shard shard;
    // Shard::weight of each set: 1 for the whole problem.
    double w_train = 1, w_val = 1, w_test = 1;
    bool has_test = false;  // the whole problem has a test set (this rank's block may be empty)
  };

  // A clone: shares other's data.
  Learnreg(const Learnreg& other);
  // Checks and corrupts the split, builds the models and derives the constants.
  void init(data::Dataset train, data::Dataset val, data::Dataset test, const Shard& shard = {},
            const SplitCounts& whole = {}, Index train_first = 0);
  double weight(Fn fn) const { return fn == Fn::kF ? data_->w_val : data_->w_train; }
  // The models of the shared data and the workspaces: each instance its own.
  void build_models();
  const SoftmaxRegression& model(Fn fn) const { return fn == Fn::kF ? *ce_val_ : *ce_train_; }
  // Mean CE of f's or g's rows at y; leaves 1/m in scale_.
  double mean_loss(Fn fn, const Vec& y, const Batch& b) const;
  // scale_[r] = 1/m for the m rows of the batch; returns m.
  Index uniform_scales(Fn fn, const Batch& b) const;
  // The regularizer's y-Hessian is diag(2 exp(x_j) on row j of W, 2 c_bias on b). Its W part
  // goes into the fused pass as a per-feature ridge (ridge_ = 2 exp(x), returned); the bias
  // part is added by add_bias_ridge: out_b += 2 c_bias v_b.
  const Vec& ridge(const Vec& x) const;
  void add_bias_ridge(const Vec& v, Vec* out) const;

  // Without a bias (bias = false) the kernels still work on [W; b]: y is padded with b = 0,
  // which gives exactly the logits W'a, and the results are cut back to W's part. With a
  // bias both return their argument unchanged.
  const Vec& full_y(const Vec& y, Vec* buffer) const;
  void cut(Vec* out) const;

  LearnregOptions o_;
  std::shared_ptr<const Data> data_;
  std::unique_ptr<SoftmaxRegression> ce_train_, ce_val_, ce_test_;
  mutable Vec scale_, work_, ridge_;
  mutable Vec y_full_, v_full_;  // padded arguments (bias = false)
  mutable std::vector<Vec> ys_full_;
};

}  // namespace bilevel
