#include "bilevel/problems/learnreg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bilevel/core/error.hpp"
#include "bilevel/data/catalog.hpp"

namespace bilevel {

void LearnregOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dataset", dataset,
        "dataset spec: a catalog name (australian, ...) or a file spec (docs/datasets.md)");
  split.declare(o);
  files.declare(o);
  o.add("corrupt", corrupt, "fraction of training labels replaced by another class",
        C::in_range(0, 1))
      .add("reg0", reg0, "initial per-feature regularization weight exp(x0)", C::positive())
      .add("c_bias", c_bias, "fixed ridge coefficient on the bias", C::positive())
      .add("bias", bias,
           "a bias per class in the logits (false: W'a only, the model of the public "
           "learn-to-regularize code)")
      .add("seed", seed, "seed of the split and the label corruption")
      .rule([this](Violations& v) {
        v.check(!dataset.empty(), "dataset must not be empty");
        files.check(v, dataset, LearnregOptions{}.dataset, split);
      });
  kernel.declare(o);
}

Learnreg::Learnreg(const LearnregOptions& o, const Shard& shard) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "learnreg"));
  v.throw_if_any("learnreg");
  if (std::optional<data::Split> own = own_split(o_.files, shard, "learnreg")) {
    o_.dataset.clear();  // not used: the summaries echo the files
    init(std::move(own->train), std::move(own->val), std::move(own->test));
    return;
  }
  if (shard.whole()) {
    data::Split s = split_dataset(data::load_dataset(o_.dataset), o_.split, o_.seed, "learnreg");
    init(std::move(s.train), std::move(s.val), std::move(s.test));
    return;
  }
  ShardSplit s = split_shard(o_.dataset, o_.split, o_.seed, shard, "learnreg");
  init(std::move(s.local.train), std::move(s.local.val), std::move(s.local.test), shard, s.whole,
       s.train_first);
}

Learnreg::Learnreg(data::Dataset train, data::Dataset val, data::Dataset test,
                   const LearnregOptions& o)
    : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "learnreg"));
  v.throw_if_any("learnreg");
  init(std::move(train), std::move(val), std::move(test));
}

Learnreg::Learnreg(const Learnreg& other) : Problem(other), o_(other.o_), data_(other.data_) {
  build_models();
}

std::unique_ptr<Problem> Learnreg::clone() const {
  return std::unique_ptr<Problem>(new Learnreg(*this));
}

void Learnreg::build_models() {
  const auto kernel = o_.kernel.kernel();
  ce_train_ = std::make_unique<SoftmaxRegression>(&data_->train, kernel);
  ce_val_ = std::make_unique<SoftmaxRegression>(&data_->val, kernel);
  if (data_->test.num_samples() > 0)
    ce_test_ = std::make_unique<SoftmaxRegression>(&data_->test, kernel);
  scale_.resize(std::max(data_->train.num_samples(), data_->val.num_samples()));
}

void Learnreg::init(data::Dataset train, data::Dataset val, data::Dataset test,
                    const Shard& shard, const SplitCounts& whole, Index train_first) {
  if (train.num_samples() < 1 || val.num_samples() < 1)
    throw InvalidInput("learnreg: the training and validation sets must not be empty");
  if (train.num_classes < 2)
    throw InvalidInput("learnreg: the data must have at least 2 classes (got " +
                       std::to_string(train.num_classes) + ")");
  check_compatible(train, val, "validation", "learnreg");
  check_compatible(train, test, "test", "learnreg");
  auto d = std::make_shared<Data>();
  d->train = std::move(train);
  d->val = std::move(val);
  d->test = std::move(test);
  d->shard = shard;
  d->has_test = d->test.num_samples() > 0;
  if (!shard.whole()) {
    d->w_train = shard.weight(whole.n_train);
    d->w_val = shard.weight(whole.n_val);
    d->w_test = shard.weight(whole.n_test);
    d->has_test = whole.n_test > 0;
  }
  // The whole training set's corruption, on this rank's block of it.
  const Index n_train = shard.whole() ? d->train.num_samples() : whole.n_train;
  if (o_.corrupt > 0)
    data::corrupt_labels_block(&d->train, n_train, train_first, o_.corrupt,
                               corruption_seed(o_.seed));
  data_ = d;
  build_models();
  d->constants.L_f = 0.5 * ce_val_->gram_lambda_max_bound(shard.comm, whole.n_val);
  d->constants.mu_fy = 0.0;  // the validation cross-entropy is convex in y
  // Hyy g = Hyy CE + diag(2 exp(x_j) on row j of W, 2 c_bias on b), CE convex: at the initial
  // point exp(x) = reg0, so mu_g >= 2 min(reg0, c_bias) there (and wherever exp(x) >= reg0).
  // Without a bias only the W part is left: mu_g >= 2 reg0.
  d->constants.mu_g = o_.bias ? 2 * std::min(o_.reg0, o_.c_bias) : 2 * o_.reg0;
  // The outer step the auto steps take (L_phi is unknown; 1/(L_f (1 + kappa)^2) is about
  // 2e-7 here and moves nothing). x is a log ridge weight, so a step moving it by O(1) is the
  // scale. Measured over 1000 iterations on australian, heart and diabetes: 1 converges for
  // f2ba, aid-cg, stocbio and soba on all three; 3 made soba diverge on heart, 10 on
  // australian and heart (the curvature grows with exp(x), so larger steps fail late).
  d->constants.x_step = 1.0;
}

const Vec& Learnreg::full_y(const Vec& y, Vec* buffer) const {
  if (o_.bias) return y;
  const Index c = data_->train.num_classes;
  buffer->resize(y.size() + c);
  buffer->head(y.size()) = y;
  buffer->tail(c).setZero();
  return *buffer;
}

void Learnreg::cut(Vec* out) const {
  if (!o_.bias) out->conservativeResize(dim_y());
}

OptionValues Learnreg::option_values() const { return bilevel::option_values(o_, name()); }

std::vector<std::string> Learnreg::metric_names() const {
  return {"val_loss", "val_acc", "test_loss", "test_acc"};
}

std::vector<double> Learnreg::metrics(const Vec&, const Vec& y_in) const {
  const Vec& y = full_y(y_in, &y_full_);
  std::vector<double> out(4, std::numeric_limits<double>::quiet_NaN());
  // A shard's share (Shard::weight times its block's mean): the mean over ranks is the whole
  // set's loss and accuracy.
  auto evaluate = [&](const SoftmaxRegression& ce, double weight, double* loss, double* acc) {
    *acc = weight * ce.losses_at(y, {}, &work_);
    *loss = weight * work_.head(ce.num_samples()).mean();
  };
  evaluate(*ce_val_, data_->w_val, &out[0], &out[1]);
  if (ce_test_) evaluate(*ce_test_, data_->w_test, &out[2], &out[3]);
  else if (data_->has_test) out[2] = out[3] = 0.0;  // this rank's test block is empty
  return out;
}

Index Learnreg::uniform_scales(Fn fn, const Batch& b) const {
  const Index m = b.size(num_samples(fn));
  scale_.head(m).setConstant(weight(fn) / static_cast<double>(m));
  return m;
}

double Learnreg::mean_loss(Fn fn, const Vec& y, const Batch& b) const {
  const Index m = uniform_scales(fn, b);
  model(fn).losses_at(y, b.indices, &work_);
  return weight(fn) * work_.head(m).mean();
}

const Vec& Learnreg::ridge(const Vec& x) const {
  ridge_ = 2.0 * x.array().exp();  // Eigen's SIMD exp: d of them per gradient (130k on text)
  return ridge_;
}

void Learnreg::add_bias_ridge(const Vec& v, Vec* out) const {
  const Index c = data_->train.num_classes;
  out->tail(c) += 2.0 * o_.c_bias * v.tail(c);
}

double Learnreg::do_value(Fn fn, const Vec& x, const Vec& y_in, const Batch& b) const {
  const Vec& y = full_y(y_in, &y_full_);
  const double loss = mean_loss(fn, y, b);
  if (fn == Fn::kF) return loss;
  const Index d = dim_x(), c = data_->train.num_classes;
  const auto w = SoftmaxRegression::weights(y, d, c);
  return loss + x.array().exp().matrix().dot(w.rowwise().squaredNorm()) +
         o_.c_bias * y.tail(c).squaredNorm();
}

void Learnreg::do_grad(Fn fn, const Vec& x, const Vec& y_in, const Batch& b, Vec* gx,
                       Vec* gy) const {
  const Vec& y = full_y(y_in, &y_full_);
  if (gy) {
    uniform_scales(fn, b);
    // The regularizer is quadratic in y: its gradient is its Hessian applied to y.
    model(fn).gradient_at(y, b.indices, scale_, gy, nullptr, fn == Fn::kG ? &ridge(x) : nullptr);
    if (fn == Fn::kG) add_bias_ridge(y, gy);
    cut(gy);
  }
  if (!gx) return;
  if (fn == Fn::kF) {
    gx->setZero(dim_x());
    return;
  }
  const auto w = SoftmaxRegression::weights(y, dim_x(), data_->train.num_classes);
  *gx = (x.array().exp() * w.rowwise().squaredNorm().array()).matrix();
}

void Learnreg::do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys_in,
                               std::span<const Batch> batches, std::span<Vec* const> outs) const {
  if (!all_full(batches)) return Problem::do_grad_y_multi(fn, x, ys_in, batches, outs);
  std::vector<const Vec*> padded(ys_in.begin(), ys_in.end());
  if (!o_.bias) {
    ys_full_.resize(ys_in.size());
    for (std::size_t k = 0; k < ys_in.size(); ++k) padded[k] = &full_y(*ys_in[k], &ys_full_[k]);
  }
  const std::span<const Vec* const> ys(padded);
  uniform_scales(fn, Batch{});
  model(fn).gradients_at(ys, {}, scale_, outs, nullptr, fn == Fn::kG ? &ridge(x) : nullptr);
  for (std::size_t k = 0; k < ys.size(); ++k) {
    if (fn == Fn::kG) add_bias_ridge(*ys[k], outs[k]);
    cut(outs[k]);
  }
}

// Neither cross product touches the data: the regularizer is the only x-dependent term.
bool Learnreg::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y_in, const Vec& v_in,
                      const Batch& b, Vec* out) const {
  const Index d = dim_x(), c = data_->train.num_classes;
  const Vec& y = full_y(y_in, &y_full_);
  switch (block) {
    case Block::kYY: {
      const Vec& v = full_y(v_in, &v_full_);
      uniform_scales(fn, b);
      model(fn).hvp_at(y, b.indices, scale_, v, out, fn == Fn::kG ? &ridge(x) : nullptr);
      if (fn == Fn::kG) add_bias_ridge(v, out);
      cut(out);
      return true;
    }
    case Block::kXY: {
      const Vec& v = full_y(v_in, &v_full_);
      if (fn == Fn::kF) {
        out->setZero(dim_x());
        return true;
      }
      // d/dx_j <grad_y g, v> = 2 exp(x_j) <W_j, V_j>.
      const auto w = SoftmaxRegression::weights(y, d, c);
      const auto vw = SoftmaxRegression::weights(v, d, c);
      *out = 2.0 * (x.array().exp() * w.cwiseProduct(vw).rowwise().sum().array()).matrix();
      return true;
    }
    case Block::kYX: {
      out->setZero(dim_y());
      if (fn == Fn::kF) return true;
      // d/dy <grad_x g, u> = (2 u_j exp(x_j) W_j) on the weights, 0 on the bias.
      const auto w = SoftmaxRegression::weights(y, d, c);
      out->setZero(ce_train_->dim());
      auto ow = SoftmaxRegression::weights(out, d, c);
      ow = 2.0 * ((v_in.array() * x.array().exp()).matrix().asDiagonal() * w);
      cut(out);
      return true;
    }
    case Block::kXX: break;  // derived by differences
  }
  return false;
}

bool Learnreg::do_hessian(Fn fn, const Vec& x, const Vec& y_in, const Batch& b, Mat* hxx,
                          Mat* hxy, Mat* hyy) const {
  const Index d = dim_x(), c = data_->train.num_classes;
  const Vec& y = full_y(y_in, &y_full_);
  if (hyy) {
    uniform_scales(fn, b);
    model(fn).forward(y, b.indices);
    model(fn).hessian(b.indices, scale_, hyy);
    if (fn == Fn::kG) {
      for (Index j = 0; j < d; ++j)
        hyy->diagonal().segment(j * c, c).array() += 2.0 * std::exp(x(j));
      hyy->diagonal().tail(c).array() += 2.0 * o_.c_bias;
    }
    // The W block: the bias rows and columns of a model without a bias are not variables.
    if (!o_.bias) hyy->conservativeResize(dim_y(), dim_y());
  }
  if (hxx) hxx->setZero(d, d);
  if (hxy) hxy->setZero(d, dim_y());
  if (fn == Fn::kF) return true;
  const auto w = SoftmaxRegression::weights(y, d, c);
  if (hxx) hxx->diagonal() = (x.array().exp() * w.rowwise().squaredNorm().array()).matrix();
  if (hxy)
    for (Index j = 0; j < d; ++j)
      for (Index k = 0; k < c; ++k) (*hxy)(j, j * c + k) = 2.0 * std::exp(x(j)) * w(j, k);
  return true;
}

}  // namespace bilevel
