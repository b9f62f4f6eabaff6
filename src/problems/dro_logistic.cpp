#include "bilevel/problems/dro_logistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "bilevel/core/error.hpp"
#include "bilevel/data/catalog.hpp"

namespace bilevel {

namespace {

// The features are held dense, with (d+1) x (d+1) Gram matrices: meant for small LIBSVM sets.
constexpr Index kMaxFeatures = 1000;

// [features, 1] of a dataset, one row per sample, and its labels mapped to -1 / +1.
void design(const data::Dataset& d, Mat* a, Vec* b) {
  const Index n = d.num_samples(), p = d.num_features();
  a->resize(n, p + 1);
  if (d.is_sparse()) a->leftCols(p) = Mat(d.sparse());
  else a->leftCols(p) = d.dense();
  a->col(p).setOnes();
  b->resize(n);
  for (Index i = 0; i < n; ++i) (*b)(i) = d.labels[static_cast<std::size_t>(i)] == 1 ? 1.0 : -1.0;
}

// log(1 + exp(-z)) without overflow.
double logistic_loss(double z) { return std::log1p(std::exp(-std::abs(z))) + std::max(-z, 0.0); }
// 1 / (1 + exp(z)) = sigmoid(-z), without overflow.
double sigmoid_neg(double z) {
  if (z >= 0) {
    const double e = std::exp(-z);
    return e / (1 + e);
  }
  return 1 / (1 + std::exp(z));
}

// Mean loss and accuracy of the classifier x on (a, b).
void evaluate(const Mat& a, const Vec& b, const Vec& x, double* loss, double* acc) {
  const Vec z = b.cwiseProduct(a * x);
  double l = 0, correct = 0;
  for (Index i = 0; i < z.size(); ++i) {
    l += logistic_loss(z(i));
    correct += z(i) > 0 ? 1 : 0;
  }
  *loss = l / static_cast<double>(z.size());
  *acc = correct / static_cast<double>(z.size());
}

}  // namespace

void DroLogisticOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dataset", dataset,
        "a binary dataset: australian, breast-cancer, heart, diabetes, a9a, or a file spec "
        "(docs/datasets.md); at most 1000 features")
      .add("n_train", n_train, "training samples = dim y (0 = all that the test set leaves)",
           C::non_negative())
      .add("n_test", n_test, "test samples (0 = no test set)", C::integer_at_least(0),
           {"a quarter of the dataset", nullptr})
      .add("seed", seed, "seed of the train / test split")
      // Resolved by the problem itself when it is built (its n_train is known only then).
      .add("lam1", lam1, "chi-square penalty lam1/2 ||n y - 1||^2 on the weights", C::positive(),
           {"1/n_train", nullptr})
      .add("lam2", lam2, "weight of the nonconvex regularizer", C::non_negative())
      .add("alpha", alpha, "shape alpha of the regularizer alpha w^2 / (1 + alpha w^2)",
           C::positive())
      .rule([this](Violations& v) { v.check(!dataset.empty(), "dataset must not be empty"); });
}

DroLogistic::DroLogistic(const DroLogisticOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, kName));
  v.throw_if_any(kName);

  const data::Dataset d = data::load_dataset(o_.dataset);
  if (d.num_classes != 2)
    throw InvalidInput(std::string(kName) + ": dataset '" + o_.dataset + "' has " +
                       std::to_string(d.num_classes) + " classes; a binary dataset is needed");
  if (d.num_features() > kMaxFeatures)
    throw InvalidInput(std::string(kName) + ": dataset '" + o_.dataset + "' has " +
                       std::to_string(d.num_features()) + " features; at most " +
                       std::to_string(kMaxFeatures) + " (the features are held dense)");
  const Index total = d.num_samples();
  const Index n_test = o_.n_test ? static_cast<Index>(*o_.n_test) : total / 4;
  const Index n_train = o_.n_train > 0 ? o_.n_train : total - n_test;
  if (n_train < 2 || n_train + n_test > total)
    throw InvalidOptions(std::string(kName) + ": n_train + n_test = " + std::to_string(n_train) +
                         " + " + std::to_string(n_test) + " must fit in the dataset's " +
                         std::to_string(total) + " samples with n_train >= 2");
  const data::Split s = data::split(d, n_train, 0, n_test, o_.seed);
  design(s.train, &a_, &b_);
  design(s.test, &a_test_, &b_test_);

  lam1_ = o_.lam1 ? *o_.lam1 : 1.0 / n();
  const double nn = n(), c = concavity(), reg = 2 * o_.lam2 * o_.alpha;
  const Mat gram = a_.transpose() * a_;
  const double lam_a =
      Eigen::SelfAdjointEigenSolver<Mat>(gram, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff();
  constants_.mu_g = c;
  constants_.L_g = c;
  constants_.L_phi = (0.25 / nn + (kLossCurvatureBound + 1) / c) * lam_a + reg;
  constants_.L_f =
      std::max((0.25 / nn + kLossCurvatureBound / c) * lam_a + reg, c) + std::sqrt(lam_a);
  // rho_phi (header): each weight of Hess P changes at rate <= (c1/n + c2/c) |<a~_i, dx>|, so
  // ||Hess P(x) - Hess P(x')|| <= (c1/n + c2/c) max_i ||a~_i|| lam_A ||x - x'||; R adds
  // lam2 alpha^(3/2) max |h'''| with h(t) = t^2/(1 + t^2).
  const double max_row = a_.rowwise().norm().maxCoeff();
  constants_.rho_phi = (kWeightSlopeUniform / nn + kWeightSlopeLoss / c) * max_row * lam_a +
                       o_.lam2 * std::pow(o_.alpha, 1.5) * kRegularizerThirdDerivative;
}

OptionValues DroLogistic::option_values() const { return bilevel::option_values(o_, name()); }

Vec DroLogistic::initial_y() const { return Vec::Constant(dim_y(), 1.0 / n()); }

std::vector<std::string> DroLogistic::metric_names() const {
  return {"train_loss", "train_acc", "test_loss", "test_acc"};
}

std::vector<double> DroLogistic::metrics(const Vec& x, const Vec&) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> out(4, kNaN);
  evaluate(a_, b_, x, &out[0], &out[1]);
  if (a_test_.rows() > 0) evaluate(a_test_, b_test_, x, &out[2], &out[3]);
  return out;
}

void DroLogistic::losses(const Vec& x, Vec* l, Vec* s) const {
  const Vec z = b_.cwiseProduct(a_ * x);
  if (l) *l = z.unaryExpr([](double t) { return logistic_loss(t); });
  if (s) *s = z.unaryExpr([](double t) { return sigmoid_neg(t); });
}

double DroLogistic::regularizer(const Vec& x) const {
  const Index d = x.size() - 1;  // the bias is not regularized
  double r = 0;
  for (Index j = 0; j < d; ++j) {
    const double u = o_.alpha * x(j) * x(j);
    r += u / (1 + u);
  }
  return o_.lam2 * r;
}

Vec DroLogistic::regularizer_grad(const Vec& x) const {
  Vec g = Vec::Zero(x.size());
  for (Index j = 0; j + 1 < x.size(); ++j) {
    const double q = 1 + o_.alpha * x(j) * x(j);
    g(j) = o_.lam2 * 2 * o_.alpha * x(j) / (q * q);
  }
  return g;
}

Vec DroLogistic::regularizer_curvature(const Vec& x) const {
  Vec h = Vec::Zero(x.size());
  for (Index j = 0; j + 1 < x.size(); ++j) {
    const double u = o_.alpha * x(j) * x(j), q = 1 + u;
    h(j) = o_.lam2 * 2 * o_.alpha * (1 - 3 * u) / (q * q * q);
  }
  return h;
}

double DroLogistic::max_value(const Vec& x) const {
  Vec l;
  losses(x, &l, nullptr);
  return l.mean() + l.squaredNorm() / (2 * concavity()) + regularizer(x);
}

double DroLogistic::F_value(const Vec& x, const Vec& y) const {
  Vec l;
  losses(x, &l, nullptr);
  const Vec dev = n() * y - Vec::Ones(y.size());
  return y.dot(l) - 0.5 * lam1_ * dev.squaredNorm() + regularizer(x);
}

void DroLogistic::F_grad(const Vec& x, const Vec& y, Vec* gx, Vec* gy) const {
  Vec l, s;
  losses(x, gy ? &l : nullptr, gx ? &s : nullptr);
  // grad_x sum_i y_i l_i = -sum_i y_i s_i b_i a~_i.
  if (gx) *gx = regularizer_grad(x) - a_.transpose() * y.cwiseProduct(s).cwiseProduct(b_);
  if (gy) *gy = l - lam1_ * n() * (n() * y - Vec::Ones(y.size()));
}

void DroLogistic::F_hyy(const Vec&, const Vec&, const Vec& v, Vec* out) const {
  *out = -concavity() * v;
}

void DroLogistic::F_hxy(const Vec& x, const Vec&, const Vec& v, Vec* out) const {
  // d/dx <grad_y F, v> = sum_i v_i grad l_i.
  Vec s;
  losses(x, nullptr, &s);
  *out = -(a_.transpose() * v.cwiseProduct(s).cwiseProduct(b_));
}

void DroLogistic::F_hyx(const Vec& x, const Vec&, const Vec& u, Vec* out) const {
  // Entry i: <grad l_i, u>.
  Vec s;
  losses(x, nullptr, &s);
  *out = -s.cwiseProduct(b_).cwiseProduct(a_ * u);
}

void DroLogistic::F_hessian(const Vec& x, const Vec& y, Mat* hxx, Mat* hxy, Mat* hyy) const {
  Vec s;
  losses(x, nullptr, &s);
  if (hxx) {
    const Vec w = y.cwiseProduct(s).cwiseProduct(Vec::Ones(s.size()) - s);
    *hxx = a_.transpose() * w.asDiagonal() * a_;
    hxx->diagonal() += regularizer_curvature(x);
  }
  if (hxy) *hxy = -(a_.transpose() * s.cwiseProduct(b_).asDiagonal());
  if (hyy) *hyy = -concavity() * Mat::Identity(dim_y(), dim_y());
}

bool DroLogistic::maximizer(const Vec& x, Vec* y) const {
  Vec l;
  losses(x, &l, nullptr);
  *y = (Vec::Constant(l.size(), lam1_ * n()) + l) / concavity();
  return true;
}

bool DroLogistic::closed_form_hessian_phi(const Vec& x, Mat* h) const {
  Vec ys, s;
  maximizer(x, &ys);
  losses(x, nullptr, &s);
  Vec w(s.size());
  for (Index i = 0; i < s.size(); ++i) w(i) = ys(i) * s(i) * (1 - s(i)) + s(i) * s(i) / concavity();
  *h = a_.transpose() * w.asDiagonal() * a_;
  h->diagonal() += regularizer_curvature(x);
  return true;
}

}  // namespace bilevel
