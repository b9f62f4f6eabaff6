#include "bilevel/problems/hyperclean.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "bilevel/data/catalog.hpp"
#include "bilevel/core/comm.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void HypercleanOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dataset", dataset,
        "dataset spec: a catalog name (australian, ...) or a file spec (docs/datasets.md)");
  split.declare(o);
  files.declare(o);
  o.add("corrupt", corrupt, "fraction of training labels replaced by another class",
        C::in_range(0, 1))
      .add("weight", weight,
           "per-sample weight of x_i: sigmoid (Kwon), clip to [0, 1] (f2ba), softmax scaled by "
           "n (f2sa-p)",
           C::one_of({"sigmoid", "clip", "softmax"}))
      .add("c", c, "ridge coefficient c of the lower level c ||y||^2", C::positive())
      .add("seed", seed, "seed of the split and the label corruption")
      .rule([this](Violations& v) {
        v.check(!dataset.empty(), "dataset must not be empty");
        files.check(v, dataset, HypercleanOptions{}.dataset, split);
      });
  kernel.declare(o);
}

Hyperclean::Hyperclean(const HypercleanOptions& o, const Shard& shard) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "hyperclean"));
  v.throw_if_any("hyperclean");
  if (std::optional<data::Split> own = own_split(o_.files, shard, "hyperclean")) {
    o_.dataset.clear();  // not used: the summaries echo the files
    init(std::move(own->train), std::move(own->val), std::move(own->test));
    return;
  }
  if (shard.whole()) {
    data::Split s =
        split_dataset(data::load_dataset(o_.dataset), o_.split, o_.seed, "hyperclean");
    init(std::move(s.train), std::move(s.val), std::move(s.test));
    return;
  }
  if (parse_weight_mode(o_.weight) == WeightMode::kSoftmax)
    throw InvalidInput("hyperclean: weight=softmax cannot be split over ranks (every sample's "
                       "weight depends on all of x); use sigmoid or clip");
  ShardSplit s = split_shard(o_.dataset, o_.split, o_.seed, shard, "hyperclean");
  Shard mine = shard;
  mine.x_local = true;  // one weight per training sample: x is split with the samples
  init(std::move(s.local.train), std::move(s.local.val), std::move(s.local.test), mine, s.whole,
       s.train_first);
}

Hyperclean::Hyperclean(data::Dataset train, data::Dataset val, data::Dataset test,
                       const HypercleanOptions& o)
    : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "hyperclean"));
  v.throw_if_any("hyperclean");
  init(std::move(train), std::move(val), std::move(test));
}

Hyperclean::Hyperclean(const Hyperclean& other)
    : Problem(other), o_(other.o_), data_(other.data_), weights_(other.weights_) {
  build_models();
}

std::unique_ptr<Problem> Hyperclean::clone() const {
  return std::unique_ptr<Problem>(new Hyperclean(*this));
}

void Hyperclean::build_models() {
  const auto kernel = o_.kernel.kernel();
  ce_train_ = std::make_unique<SoftmaxRegression>(&data_->train, kernel);
  ce_val_ = std::make_unique<SoftmaxRegression>(&data_->val, kernel);
  if (data_->test.num_samples() > 0)
    ce_test_ = std::make_unique<SoftmaxRegression>(&data_->test, kernel);
  const Index n = data_->train.num_samples(), m = data_->val.num_samples();
  scale_.resize(std::max(n, m));
  work_.resize(std::max(n, m));
}

void Hyperclean::init(data::Dataset train, data::Dataset val, data::Dataset test,
                      const Shard& shard, const SplitCounts& whole, Index train_first) {
  if (train.num_samples() < 1 || val.num_samples() < 1)
    throw InvalidInput("hyperclean: the training and validation sets must not be empty");
  if (train.num_classes < 2)
    throw InvalidInput("hyperclean: the data must have at least 2 classes (got " +
                       std::to_string(train.num_classes) + ")");
  check_compatible(train, val, "validation", "hyperclean");
  check_compatible(train, test, "test", "hyperclean");
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
    d->n_train = whole.n_train;
    d->train_first = train_first;
  } else {
    d->n_train = d->train.num_samples();
  }
  // The whole training set's corruption, on this rank's block of it.
  if (o_.corrupt > 0)
    d->corrupted = data::corrupt_labels_block(&d->train, d->n_train, train_first, o_.corrupt,
                                              corruption_seed(o_.seed));
  data_ = d;

  const Index n = d->train.num_samples();
  weights_ = SampleWeights(parse_weight_mode(o_.weight), n);
  build_models();

  ProblemConstants& k = d->constants;
  const double ridge = 2 * o_.c;
  k.mu_g = ridge;
  k.L_g = weights_.mode() == WeightMode::kSoftmax
              ? 0.5 * ce_train_->max_row_norm_sq() + ridge
              : 0.5 * weights_.max_weight() *
                        ce_train_->gram_lambda_max_bound(shard.comm, whole.n_train) +
                    ridge;
  k.L_f = 0.5 * ce_val_->gram_lambda_max_bound(shard.comm, whole.n_val);
  k.mu_fy = 0.0;  // the validation cross-entropy is convex in y
  // Outer steps: each entry of grad phi(x) carries the 1/n of g's mean, so a step of n moves
  // a sample's weight by O(1) per unit of its per-sample sensitivity. Tuned steps were 0.3 n
  // (australian, 350 samples) and 5 n (Fashion-MNIST, 20000 samples).
  k.x_step = static_cast<double>(d->n_train);
}

OptionValues Hyperclean::option_values() const { return bilevel::option_values(o_, name()); }

Vec Hyperclean::sample_weights(const Vec& x) const {
  weights_.prepare(x);
  Vec w(dim_x());
  for (Index i = 0; i < w.size(); ++i) w(i) = weights_.weight(x, i);
  return w;
}

std::vector<std::string> Hyperclean::metric_names() const {
  return {"val_loss", "val_acc", "test_loss", "test_acc", "flagged_corrupt"};
}

std::vector<double> Hyperclean::metrics(const Vec& x, const Vec& y) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> out(5, kNaN);
  // A shard's share (Shard::weight times its block's mean): the mean over ranks is the whole
  // set's loss and accuracy.
  auto evaluate = [&](const SoftmaxRegression& ce, double weight, double* loss, double* acc) {
    *acc = weight * ce.losses_at(y, {}, &work_);
    *loss = weight * work_.head(ce.num_samples()).mean();
  };
  evaluate(*ce_val_, data_->w_val, &out[0], &out[1]);
  if (ce_test_) evaluate(*ce_test_, data_->w_test, &out[2], &out[3]);
  else if (data_->has_test) out[2] = out[3] = 0.0;  // this rank's test block is empty
  if (!data_->shard.whole()) {
    out[4] = sharded_flagged_corrupt(x);
    return out;
  }
  if (!data_->corrupted.empty()) {
    const Vec w = sample_weights(x);
    std::vector<Index> order(static_cast<std::size_t>(w.size()));
    std::iota(order.begin(), order.end(), Index{0});
    const auto k = static_cast<std::ptrdiff_t>(data_->corrupted.size());
    std::nth_element(order.begin(), order.begin() + k - 1, order.end(), [&](Index a, Index b) {
      return w(a) < w(b) || (w(a) == w(b) && a < b);
    });
    Index hits = 0;
    for (auto it = order.begin(); it != order.begin() + k; ++it)
      if (std::binary_search(data_->corrupted.begin(), data_->corrupted.end(), *it)) ++hits;
    out[4] = static_cast<double>(hits) / static_cast<double>(k);
  }
  return out;
}

double Hyperclean::sharded_flagged_corrupt(const Vec& x) const {
  // The metric ranks the whole training set's weights: every rank gathers them (and which
  // rows are corrupted) into vectors of n_train entries, its block filled and zeros
  // elsewhere, summed over ranks (uncounted, like every metric).
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Comm* comm = data_->shard.comm;
  if (!comm) return kNaN;  // a shard built without its ranks cannot see the others
  const Index n = data_->n_train, first = data_->train_first;
  Vec all = Vec::Zero(2 * n);
  all.segment(first, dim_x()) = sample_weights(x);
  for (Index row : data_->corrupted) all(n + first + row) = 1.0;
  comm->uncounted_sum({all.data(), static_cast<std::size_t>(all.size())});
  const auto k = static_cast<Index>(all.tail(n).sum());
  if (k == 0) return kNaN;
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  std::nth_element(order.begin(), order.begin() + k - 1, order.end(), [&](Index a, Index b) {
    return all(a) < all(b) || (all(a) == all(b) && a < b);
  });
  Index hits = 0;
  for (auto it = order.begin(); it != order.begin() + k; ++it)
    if (all(n + *it) > 0.5) ++hits;
  return static_cast<double>(hits) / static_cast<double>(k);
}

Index Hyperclean::forward(Fn fn, const Vec& y, const Batch& b) const {
  return model(fn).forward(y, b.indices);
}

double Hyperclean::rows_divisor(Fn fn, Index m) const {
  return static_cast<double>(m) / (fn == Fn::kF ? data_->w_val : data_->w_train);
}

void Hyperclean::row_scales(Fn fn, const Vec& x, const Batch& b, Index m) const {
  const double inv_m = 1.0 / rows_divisor(fn, m);
  if (fn == Fn::kF) {
    scale_.head(m).setConstant(inv_m);
    return;
  }
  weights_.prepare(x);
  for (Index r = 0; r < m; ++r)
    scale_(r) = weights_.weight(x, b.full() ? r : b.indices[r]) * inv_m;
}

double Hyperclean::do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const {
  const Index m = b.size(num_samples(fn));
  model(fn).losses_at(y, b.indices, &work_);
  if (fn == Fn::kF) return data_->w_val * work_.head(m).mean();
  row_scales(fn, x, b, m);
  return scale_.head(m).dot(work_.head(m)) + o_.c * y.squaredNorm();
}

void Hyperclean::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                         Vec* gy) const {
  const Index m = b.size(num_samples(fn));
  if (fn == Fn::kF) {
    if (gy) {
      row_scales(fn, x, b, m);
      ce_val_->gradient_at(y, b.indices, scale_, gy, nullptr);
    }
    if (gx) gx->setZero(dim_x());
    return;
  }
  row_scales(fn, x, b, m);
  // The per-sample losses come out of the same pass (grad_x needs them).
  if (gy) {
    ce_train_->gradient_at(y, b.indices, scale_, gy, gx ? &work_ : nullptr);
    *gy += 2 * o_.c * y;
  } else {
    ce_train_->losses_at(y, b.indices, &work_);
  }
  if (gx) {
    // d/dx (1/m) sum_r w_i(x) CE_r = J' (CE / m).
    work_.head(m) /= rows_divisor(fn, m);
    weights_.jacobian_transpose(x, b.indices, work_, gx);
  }
}

void Hyperclean::do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                                 std::span<const Batch> batches,
                                 std::span<Vec* const> outs) const {
  if (!all_full(batches)) return Problem::do_grad_y_multi(fn, x, ys, batches, outs);
  const Index m = num_samples(fn);
  row_scales(fn, x, Batch{}, m);
  model(fn).gradients_at(ys, {}, scale_, outs, nullptr);
  if (fn == Fn::kG)
    for (std::size_t k = 0; k < ys.size(); ++k) *outs[k] += 2 * o_.c * *ys[k];
}

bool Hyperclean::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                        const Batch& b, Vec* out) const {
  const Index m = b.size(num_samples(fn));
  if (block == Block::kYY) {
    row_scales(fn, x, b, m);
    model(fn).hvp_at(y, b.indices, scale_, v, out);
    if (fn == Fn::kG) *out += 2 * o_.c * v;
    return true;
  }
  // f, the validation loss, does not depend on x.
  if (fn == Fn::kF) {
    out->setZero(block == Block::kYX ? dim_y() : dim_x());
    return true;
  }
  weights_.prepare(x);
  switch (block) {
    case Block::kXY:
      // d/dx <grad_y g, v> = J' (<grad CE_r, v> / m).
      ce_train_->directional_at(y, b.indices, v, &work_);
      work_.head(m) /= rows_divisor(fn, m);
      weights_.jacobian_transpose(x, b.indices, work_, out);
      return true;
    case Block::kYX:
      // d/dy <grad_x g, u> = sum_r ((J u)_r / m) grad CE_r.
      weights_.jacobian(x, b.indices, v, &work_);
      scale_.head(m) = work_.head(m) / rows_divisor(fn, m);
      ce_train_->gradient_at(y, b.indices, scale_, out, nullptr);
      return true;
    case Block::kXX:
      // Hxx g = (1/m) sum_r CE_r Hess_x w_{i_r}: the dense path's hxx, applied to u.
      forward(fn, y, b);
      work_.head(m) = ce_train_->losses().head(m) / rows_divisor(fn, m);
      weights_.weighted_hessian_product(x, b.indices, work_, v, out);
      return true;
    case Block::kYY:
      break;
  }
  return false;
}

bool Hyperclean::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx,
                            Mat* hxy, Mat* hyy) const {
  const Index m = forward(fn, y, b);
  const double inv_m = 1.0 / rows_divisor(fn, m);
  if (fn == Fn::kF) {
    if (hxx) hxx->setZero(dim_x(), dim_x());
    if (hxy) hxy->setZero(dim_x(), dim_y());
    if (hyy) {
      scale_.head(m).setConstant(inv_m);
      ce_val_->hessian(b.indices, scale_, hyy);
    }
    return true;
  }
  row_scales(fn, x, b, m);
  if (hyy) {
    ce_train_->hessian(b.indices, scale_, hyy);
    hyy->diagonal().array() += 2 * o_.c;
  }
  if (hxy) {
    Mat grads, jac;
    ce_train_->per_sample_gradients(b.indices, &grads);
    weights_.jacobian_matrix(x, b.indices, &jac);
    hxy->noalias() = inv_m * (jac.transpose() * grads);
  }
  if (hxx) {
    work_.head(m) = ce_train_->losses().head(m) * inv_m;
    weights_.weighted_hessian(x, b.indices, work_, hxx);
  }
  return true;
}

}  // namespace bilevel
