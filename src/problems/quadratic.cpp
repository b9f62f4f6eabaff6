#include "bilevel/problems/quadratic.hpp"

#include <cmath>

#include "bilevel/core/checked_size.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {

void QuadraticOptions::declare(OptionList& o) {
  using C = Constraint;
  o.add("dx", dx, "dimension of x", C::at_least(1))
      .add("dy", dy, "dimension of y", C::at_least(1))
      .add("n_f", n_f, "number of components of f", C::at_least(1))
      .add("n_g", n_g, "number of components of g", C::at_least(1))
      .add("mu", mu, "smallest eigenvalue of G_yy: strong convexity of g in y", C::positive())
      .add("L", L, "largest eigenvalue of G_yy: smoothness of g in y (>= mu); kappa = L/mu")
      .add("mu_f", mu_f, "smallest eigenvalue of f's joint Hessian (may be <= 0; > 0 makes phi "
                         "strongly convex)")
      .add("L_f", L_f, "largest eigenvalue of f's joint Hessian (>= mu_f)", C::positive())
      .add("hetero", hetero, "spread of the components around the mean",
           C::in_range(0, 1, false, true))
      .add("sigma", sigma, "std of additive Gaussian gradient noise, E||xi||^2 = sigma^2",
           C::non_negative())
      .add("seed", seed, "seed of the random instance (not the run's --seed)")
      .rule([this](Violations& v) {
        v.check(L >= mu, "L must be >= mu (got L=" + format_double(L) + ", mu=" +
                             format_double(mu) + ")");
        v.check(L_f >= mu_f, "L_f must be >= mu_f (got L_f=" + format_double(L_f) +
                                 ", mu_f=" + format_double(mu_f) + ")");
        // Components are stored densely: keep memory bounded (about 400 MB at the limit).
        const double d = static_cast<double>(dx + dy);
        const double stored = static_cast<double>(std::max(n_f, n_g)) * d * d;
        v.check(dx < 1 || dy < 1 || stored <= 5e7,
                "max(n_f, n_g) * (dx + dy)^2 = " + format_double(stored) +
                    " stored entries exceeds 5e7; reduce the sample counts or the dimensions");
      });
}

namespace {

Mat random_orthogonal(Index n, Rng& rng) {
  Eigen::HouseholderQR<Mat> qr(gaussian_matrix(n, n, rng));
  Mat q = qr.householderQ() * Mat::Identity(n, n);
  // Fix the signs so that Q is Haar-distributed (and fully determined by the draw).
  const Vec diag = qr.matrixQR().diagonal();
  for (Index j = 0; j < n; ++j)
    if (diag(j) < 0) q.col(j) = -q.col(j);
  return q;
}

Mat with_spectrum(const Vec& eig, Rng& rng) {
  const Mat u = random_orthogonal(eig.size(), rng);
  Mat m = u * eig.asDiagonal() * u.transpose();
  return 0.5 * (m + m.transpose());
}

// n eigenvalues log-spaced from lo to hi (both > 0).
Vec logspace(double lo, double hi, Index n) {
  Vec e(n);
  for (Index i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    e(i) = std::exp(std::log(lo) + t * (std::log(hi) - std::log(lo)));
  }
  return e;
}

Vec linspace(double lo, double hi, Index n) {
  Vec e(n);
  for (Index i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
    e(i) = lo + t * (hi - lo);
  }
  return e;
}

// Centred component deviations: symmetric, summing to zero, largest spectral norm = spread.
void make_deviations(Index n, Index d, double spread, Rng& rng, std::vector<Mat>* dh,
                     std::vector<Vec>* dc) {
  dh->assign(static_cast<std::size_t>(n), Mat::Zero(d, d));
  dc->assign(static_cast<std::size_t>(n), Vec::Zero(d));
  if (n == 1) return;
  Mat mean_h = Mat::Zero(d, d);
  Vec mean_c = Vec::Zero(d);
  for (Index j = 0; j < n; ++j) {
    Mat w = gaussian_matrix(d, d, rng);
    (*dh)[j] = 0.5 * (w + w.transpose());
    (*dc)[j] = gaussian_vector(d, rng);
    mean_h += (*dh)[j];
    mean_c += (*dc)[j];
  }
  mean_h /= static_cast<double>(n);
  mean_c /= static_cast<double>(n);
  double max_norm = 0;
  for (Index j = 0; j < n; ++j) {
    (*dh)[j] -= mean_h;
    (*dc)[j] -= mean_c;
    Eigen::SelfAdjointEigenSolver<Mat> es((*dh)[j], Eigen::EigenvaluesOnly);
    max_norm = std::max(max_norm, es.eigenvalues().cwiseAbs().maxCoeff());
  }
  const double scale = max_norm > 0 ? spread / max_norm : 0.0;
  for (auto& m : *dh) m *= scale;
}

double spectral_norm_sym(const Mat& m) {
  Eigen::SelfAdjointEigenSolver<Mat> es(m, Eigen::EigenvaluesOnly);
  return es.eigenvalues().cwiseAbs().maxCoeff();
}

}  // namespace

Quadratic::Quadratic(const QuadraticOptions& o) : o_(o) {
  Violations v;
  v.add_all(option_violations(o_, "quadratic"));
  v.throw_if_any("quadratic");

  // Dense: the joint Hessians F and G, n_f + n_g component deviations and a few d x d
  // temporaries, all (dx + dy)^2 doubles.
  const std::string what = "quadratic: dx=" + std::to_string(o_.dx) +
                           ", dy=" + std::to_string(o_.dy) + ", n_f=" + std::to_string(o_.n_f) +
                           ", n_g=" + std::to_string(o_.n_g);
  const Index d = size_add(o_.dx, o_.dy, what);
  const Index matrices = size_add(size_add(o_.n_f, o_.n_g, what), 6, what);
  check_problem_memory(what, o_.dx, o_.dy,
                       bytes_for(size_mul(size_mul(d, d, what), matrices, what), sizeof(double)));
  const Index dx = o_.dx, dy = o_.dy;
  Rng rng(o_.seed);

  // g: G_yy with spectrum log-spaced in [mu, L]; cross block of spectral norm sqrt(mu L);
  // G_xx = G_xy G_yy^{-1} G_yx + M with M in [mu, L], so the joint Hessian is PSD.
  const Mat gyy = with_spectrum(logspace(o_.mu, o_.L, dy), rng);
  Mat gxy = gaussian_matrix(dx, dy, rng);
  gxy *= std::sqrt(o_.mu * o_.L) / Eigen::JacobiSVD<Mat>(gxy).singularValues()(0);
  const Mat m = with_spectrum(logspace(o_.mu, o_.L, dx), rng);
  Mat gxx = gxy * gyy.llt().solve(gxy.transpose()) + m;
  gxx = 0.5 * (gxx + gxx.transpose());
  G_.resize(d, d);
  G_ << gxx, gxy, gxy.transpose(), gyy;
  cg_ = gaussian_vector(d, rng);

  // f: joint Hessian with eigenvalues evenly spaced in [mu_f, L_f].
  F_ = with_spectrum(linspace(o_.mu_f, o_.L_f, d), rng);
  cf_ = gaussian_vector(d, rng);

  make_deviations(o_.n_f, d, o_.hetero * o_.L_f, rng, &dF_, &dcf_);
  make_deviations(o_.n_g, d, o_.hetero * o_.mu, rng, &dG_, &dcg_);

  gyy_llt_.compute(G_.bottomRightCorner(dy, dy));

  Eigen::SelfAdjointEigenSolver<Mat> es_gyy(G_.bottomRightCorner(dy, dy), Eigen::EigenvaluesOnly);
  constants_.mu_g = es_gyy.eigenvalues().minCoeff();
  constants_.L_g = es_gyy.eigenvalues().maxCoeff();
  constants_.L_f = spectral_norm_sym(F_);
  constants_.mu_fy = o_.mu_f;  // a principal block's eigenvalues lie in the joint spectrum
  Mat hphi;
  closed_form_hessian_phi(Vec::Zero(dx), &hphi);
  constants_.L_phi = spectral_norm_sym(hphi);
  constants_.rho_phi = 0.0;  // phi is quadratic: its Hessian is constant
}

Quadratic::Quadratic(const QuadraticOptions& o, const Shard& shard) : Quadratic(o) {
  if (shard.whole()) return;
  shard.check_size(o_.n_f, "f component", "quadratic");
  shard.check_size(o_.n_g, "g component", "quadratic");
  shard_ = shard;
  // Keep this rank's block of components, and its weighted full-batch terms
  // (count / n) sum over the block of (mean + deviation).
  auto keep = [&](Index n, const Mat& h, const Vec& c, std::vector<Mat>* dh, std::vector<Vec>* dc,
                  double* w, Mat* h_local, Vec* c_local) {
    const auto [first, count] = shard.rows(n);
    *w = shard.weight(n);
    std::vector<Mat> mine(dh->begin() + first, dh->begin() + first + count);
    std::vector<Vec> mine_c(dc->begin() + first, dc->begin() + first + count);
    *dh = std::move(mine);
    *dc = std::move(mine_c);
    Mat sum_h = Mat::Zero(h.rows(), h.cols());
    Vec sum_c = Vec::Zero(c.size());
    for (Index j = 0; j < count; ++j) {
      sum_h += (*dh)[static_cast<std::size_t>(j)];
      sum_c += (*dc)[static_cast<std::size_t>(j)];
    }
    const double per = static_cast<double>(shard.count) / static_cast<double>(n);
    *h_local = *w * h + per * sum_h;
    *c_local = *w * c + per * sum_c;
  };
  keep(o_.n_f, F_, cf_, &dF_, &dcf_, &w_f_, &F_local_, &cf_local_);
  keep(o_.n_g, G_, cg_, &dG_, &dcg_, &w_g_, &G_local_, &cg_local_);
}

OptionValues Quadratic::option_values() const { return bilevel::option_values(o_, name()); }

Vec Quadratic::joint(const Vec& x, const Vec& y) const {
  Vec z(o_.dx + o_.dy);
  z << x, y;
  return z;
}

void Quadratic::batch_terms(Fn fn, const Batch& b, Mat* H, Vec* c) const {
  if (b.full()) {
    *H = local_hessian(fn);
    *c = local_linear(fn);
    return;
  }
  *H = weight(fn) * hessian_matrix(fn);
  *c = weight(fn) * linear_term(fn);
  const auto& dh = fn == Fn::kF ? dF_ : dG_;
  const auto& dc = fn == Fn::kF ? dcf_ : dcg_;
  const double w = weight(fn) / static_cast<double>(b.indices.size());
  for (Index j : b.indices) {
    *H += w * dh[static_cast<std::size_t>(j)];
    *c += w * dc[static_cast<std::size_t>(j)];
  }
}

void Quadratic::batch_affine(Fn fn, const Batch& b, const Vec& x, const Vec& y, Index first,
                             Index count, Vec* out) const {
  // Rows of H [x; y] + c computed block-wise from x and y: no joint vector, no allocation
  // once *out has its size.
  const Index dx = o_.dx, dy = o_.dy;
  auto accumulate = [&](const Mat& h, const Vec& c, double w, bool assign) {
    if (assign) {
      out->noalias() = w * (h.block(first, 0, count, dx) * x);
    } else {
      out->noalias() += w * (h.block(first, 0, count, dx) * x);
    }
    out->noalias() += w * (h.block(first, dx, count, dy) * y);
    *out += w * c.segment(first, count);
  };
  if (b.full()) return accumulate(local_hessian(fn), local_linear(fn), 1.0, true);
  accumulate(hessian_matrix(fn), linear_term(fn), weight(fn), true);
  const auto& dh = fn == Fn::kF ? dF_ : dG_;
  const auto& dc = fn == Fn::kF ? dcf_ : dcg_;
  const double w = weight(fn) / static_cast<double>(b.indices.size());
  for (Index j : b.indices) {
    const auto k = static_cast<std::size_t>(j);
    accumulate(dh[k], dc[k], w, false);
  }
}

double Quadratic::do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const {
  // With q(z) = 1/2 z'Hz + c'z:  q = 1/2 z'(Hz + c) + 1/2 c'z.
  const Index d = o_.dx + o_.dy;
  Vec hzc;
  batch_affine(fn, b, x, y, 0, d, &hzc);
  Vec c = b.full() ? local_linear(fn) : Vec(weight(fn) * linear_term(fn));
  if (!b.full()) {
    const auto& dc = fn == Fn::kF ? dcf_ : dcg_;
    const double w = weight(fn) / static_cast<double>(b.indices.size());
    for (Index j : b.indices) c += w * dc[static_cast<std::size_t>(j)];
  }
  const Vec z = joint(x, y);
  return 0.5 * z.dot(hzc) + 0.5 * c.dot(z);
}

void Quadratic::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                        Vec* gy) const {
  const Index dx = o_.dx, dy = o_.dy;
  // Only the rows asked for, straight into the outputs: x rows [0, dx), y rows [dx, dx + dy).
  if (gx) batch_affine(fn, b, x, y, 0, dx, gx);
  if (gy) batch_affine(fn, b, x, y, dx, dy, gy);
  if (b.noise_seed && o_.sigma > 0 && (gx || gy)) {
    // Noise for the whole joint gradient, x part first: a partial request sees the same draw.
    Rng rng(*b.noise_seed);
    const double s = o_.sigma / std::sqrt(static_cast<double>(dx + dy));
    for (Index i = 0; i < dx; ++i) {
      const double xi = s * standard_normal(rng);
      if (gx) (*gx)(i) += xi;
    }
    if (gy)
      for (Index i = 0; i < dy; ++i) (*gy)(i) += s * standard_normal(rng);
  }
}

bool Quadratic::do_hvp(Fn fn, Block block, const Vec&, const Vec&, const Vec& v, const Batch& b,
                       Vec* out) const {
  // The block's rows and columns in z = (x, y).
  const Index dx = o_.dx, dy = o_.dy;
  const bool rows_x = block == Block::kXY || block == Block::kXX;
  const bool cols_x = block == Block::kYX || block == Block::kXX;
  const Index r0 = rows_x ? 0 : dx, rows = rows_x ? dx : dy;
  const Index c0 = cols_x ? 0 : dx, cols = cols_x ? dx : dy;
  if (b.full()) {
    out->noalias() = local_hessian(fn).block(r0, c0, rows, cols) * v;
    return true;
  }
  out->noalias() = weight(fn) * (hessian_matrix(fn).block(r0, c0, rows, cols) * v);
  const auto& dh = fn == Fn::kF ? dF_ : dG_;
  const double w = weight(fn) / static_cast<double>(b.indices.size());
  for (Index j : b.indices)
    out->noalias() += w * (dh[static_cast<std::size_t>(j)].block(r0, c0, rows, cols) * v);
  return true;
}

bool Quadratic::do_hessian(Fn fn, const Vec&, const Vec&, const Batch& b, Mat* hxx, Mat* hxy,
                           Mat* hyy) const {
  Mat H;
  Vec c;
  batch_terms(fn, b, &H, &c);
  const Index dx = o_.dx, dy = o_.dy;
  if (hxx) *hxx = H.topLeftCorner(dx, dx);
  if (hxy) *hxy = H.topRightCorner(dx, dy);
  if (hyy) *hyy = H.bottomRightCorner(dy, dy);
  return true;
}

bool Quadratic::closed_form_solution(const Vec& x, double sigma, Vec* y) const {
  if (!shard_.whole()) return false;
  const Index dx = o_.dx, dy = o_.dy;
  // Stationarity of sigma f + g in y:
  // (sigma F_yy + G_yy) y = -(sigma (F_yx x + c_y) + G_yx x + d_y).
  const Vec rhs = -(sigma * (F_.bottomLeftCorner(dy, dx) * x + cf_.tail(dy)) +
                    G_.bottomLeftCorner(dy, dx) * x + cg_.tail(dy));
  if (sigma == 0.0) {
    *y = gyy_llt_.solve(rhs);
  } else {
    const Mat h = sigma * F_.bottomRightCorner(dy, dy) + G_.bottomRightCorner(dy, dy);
    *y = h.ldlt().solve(rhs);
  }
  return true;
}

Mat Quadratic::jacobian() const {
  const Index dx = o_.dx, dy = o_.dy;
  return -gyy_llt_.solve(G_.bottomLeftCorner(dy, dx));
}

bool Quadratic::closed_form_hypergradient(const Vec& x, Vec* g) const {
  if (!shard_.whole()) return false;
  const Index dx = o_.dx, dy = o_.dy;
  Vec ys;
  closed_form_solution(x, 0.0, &ys);
  const Vec z = joint(x, ys);
  const Vec grad_f = F_ * z + cf_;
  *g = grad_f.head(dx) + jacobian().transpose() * grad_f.tail(dy);
  return true;
}

bool Quadratic::closed_form_hessian_phi(const Vec&, Mat* h) const {
  if (!shard_.whole()) return false;
  const Index dx = o_.dx, dy = o_.dy;
  const Mat J = jacobian();
  const Mat fxy = F_.topRightCorner(dx, dy);
  Mat hp = F_.topLeftCorner(dx, dx) + fxy * J + J.transpose() * fxy.transpose() +
           J.transpose() * F_.bottomRightCorner(dy, dy) * J;
  *h = 0.5 * (hp + hp.transpose());
  return true;
}

}  // namespace bilevel
