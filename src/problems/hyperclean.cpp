#include "bilevel/problems/hyperclean.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "bilevel/data/catalog.hpp"
#include "bilevel/core/error.hpp"

namespace bilevel {

void HypercleanOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dataset", dataset,
        "dataset spec: a catalog name (australian, ...) or a file spec (docs/datasets.md)");
  split.declare(o);
  o.add("corrupt", corrupt, "fraction of training labels replaced by another class",
        C::in_range(0, 1))
      .add("weight", weight,
           "per-sample weight of x_i: sigmoid (Kwon), clip to [0, 1] (f2ba), softmax scaled by "
           "n (f2sa-p)",
           C::one_of({"sigmoid", "clip", "softmax"}))
      .add("c", c, "ridge coefficient c of the lower level c ||y||^2", C::positive())
      .add("seed", seed, "seed of the split and the label corruption")
      .rule([this](Violations& v) { v.check(!dataset.empty(), "dataset must not be empty"); });
  kernel.declare(o);
}

Hyperclean::Hyperclean(const HypercleanOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "hyperclean"));
  v.throw_if_any("hyperclean");
  data::Split s = split_dataset(data::load_dataset(o_.dataset), o_.split, o_.seed, "hyperclean");
  init(std::move(s.train), std::move(s.val), std::move(s.test));
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

void Hyperclean::init(data::Dataset train, data::Dataset val, data::Dataset test) {
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
  if (o_.corrupt > 0)
    d->corrupted = data::corrupt_labels(&d->train, o_.corrupt, corruption_seed(o_.seed));
  data_ = d;

  const Index n = d->train.num_samples();
  weights_ = SampleWeights(parse_weight_mode(o_.weight), n);
  build_models();

  ProblemConstants& k = d->constants;
  const double ridge = 2 * o_.c;
  k.mu_g = ridge;
  k.L_g = weights_.mode() == WeightMode::kSoftmax
              ? 0.5 * ce_train_->max_row_norm_sq() + ridge
              : 0.5 * weights_.max_weight() * ce_train_->gram_lambda_max_bound() + ridge;
  k.L_f = 0.5 * ce_val_->gram_lambda_max_bound();
  k.mu_fy = 0.0;  // the validation cross-entropy is convex in y
  // Outer steps: each entry of grad phi(x) carries the 1/n of g's mean, so a step of n moves
  // a sample's weight by O(1) per unit of its per-sample sensitivity. Tuned steps were 0.3 n
  // (australian, 350 samples) and 5 n (Fashion-MNIST, 20000 samples).
  k.x_step = static_cast<double>(n);
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
  auto evaluate = [&](const SoftmaxRegression& ce, double* loss, double* acc) {
    *acc = ce.losses_at(y, {}, &work_);
    *loss = work_.head(ce.num_samples()).mean();
  };
  evaluate(*ce_val_, &out[0], &out[1]);
  if (ce_test_) evaluate(*ce_test_, &out[2], &out[3]);
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

Index Hyperclean::forward(Fn fn, const Vec& y, const Batch& b) const {
  return model(fn).forward(y, b.indices);
}

void Hyperclean::row_scales(Fn fn, const Vec& x, const Batch& b, Index m) const {
  const double inv_m = 1.0 / static_cast<double>(m);
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
  if (fn == Fn::kF) return work_.head(m).mean();
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
    work_.head(m) /= static_cast<double>(m);
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
      work_.head(m) /= static_cast<double>(m);
      weights_.jacobian_transpose(x, b.indices, work_, out);
      return true;
    case Block::kYX:
      // d/dy <grad_x g, u> = sum_r ((J u)_r / m) grad CE_r.
      weights_.jacobian(x, b.indices, v, &work_);
      scale_.head(m) = work_.head(m) / static_cast<double>(m);
      ce_train_->gradient_at(y, b.indices, scale_, out, nullptr);
      return true;
    case Block::kXX:
      // Hxx g = (1/m) sum_r CE_r Hess_x w_{i_r}: the dense path's hxx, applied to u.
      forward(fn, y, b);
      work_.head(m) = ce_train_->losses().head(m) / static_cast<double>(m);
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
  const double inv_m = 1.0 / static_cast<double>(m);
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
