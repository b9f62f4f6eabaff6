// lanczos_min_eig (ours: one Krylov basis, fully reorthogonalized, no restart) against
// Spectra's SymEigsSolver (implicitly restarted Lanczos, nev = 1, Krylov dimension ncv). The
// figures of docs/linalg.md ("Ours, not Spectra's"):
//
//   build/bilevel_bench --benchmark_filter=Lanczos --benchmark_counters_tabular=true
//
// The Spectra cases are built only where its headers are (`libspectra-dev`); the library
// itself does not use Spectra.
//
// BM_LanczosOurs / BM_LanczosSpectra: operators with a spectrum known by construction,
//   spectrum 0 "indefinite": eigenvalues uniform in [-3, 5] (lambda_min near -3, ||A|| near 5);
//   spectrum 1 "phi-like":   -0.1, -0.03, -0.01, then 80% of the rest uniform in [0.9, 1.1]
//                            (a cluster), 20% uniform in [1e-3, 10], and 10 (= ||A||);
//   spectrum 2 "flat":       as 1 with the negative ones 1000 times smaller (-1e-4, -3e-5,
//                            -1e-5): near a second-order stationary point.
// n <= 1000: a dense Q diag(e) Q' (Q the orthogonal factor of a Gaussian matrix); n > 1000:
// R diag(e) R' with R a product of 4 Householder reflections (a diagonal plus a low-rank
// matrix, O(n) per product, so that the solvers' own work is what is timed).
// BM_LanczosPhi: the difference products of Diagnostics::min_eig_phi on two problems (below).
//
// Both solvers start from the same vector (the Gaussian start of lanczos_min_eig with seed 0)
// with the diagnostics' settings, tol = 1e-8 and 300 products (1000 for the hard cases at
// n >= 5000). Spectra's test is relative to |theta|, not to ||A|| (residual estimate <
// tol max(eps^(2/3), |theta|)); `matched` = 1 gives it tol ||A|| / |lambda_min| instead, the
// same test as ours (an oracle value, for the comparison only). Spectra cannot stop at a
// product count: it is given (budget - ncv) / (ncv / 2) restarts, a restart usually costing
// ncv / 2 products (the count reported is the one made).
//
// Counters: products; residual = ||A v - theta v|| / ||A|| of the returned pair (one more
// product, not counted); error = |theta - lambda_min| / ||A||; converged. Spectra returns no
// pair when it has not converged (residual and error NaN then).
#include <benchmark/benchmark.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <utility>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/linalg/lanczos.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"

#if __has_include(<Spectra/SymEigsSolver.h>)
#include <Spectra/SymEigsSolver.h>
#define BILEVEL_BENCH_HAVE_SPECTRA 1
#endif

namespace bilevel {
namespace {

constexpr double kTol = 1e-8;       // DiagnosticsOptions::lanczos_tol
constexpr Index kMaxProducts = 300;  // DiagnosticsOptions::lanczos_max_iters

struct TestOperator {
  Index n = 0;
  double lambda_min = 0;
  double norm = 0;  // ||A|| = max |eigenvalue|
  std::function<void(const Vec&, Vec*)> apply;
};

Vec spectrum(int kind, Index n, Rng& rng) {
  Vec e(n);
  if (kind == 0) {
    for (Index i = 0; i < n; ++i) e(i) = -3.0 + 8.0 * uniform01(rng);
    return e;
  }
  const double scale = kind == 1 ? 1.0 : 1e-3;
  e(0) = -0.1 * scale;
  e(1) = -0.03 * scale;
  e(2) = -0.01 * scale;
  e(n - 1) = 10.0;
  for (Index i = 3; i < n - 1; ++i) {
    const bool clustered = uniform01(rng) < 0.8;
    e(i) = clustered ? 0.9 + 0.2 * uniform01(rng) : 1e-3 + (10.0 - 1e-3) * uniform01(rng);
  }
  return e;
}

std::unique_ptr<TestOperator> build(int kind, Index n) {
  Rng rng(1000 * static_cast<std::uint64_t>(kind) + static_cast<std::uint64_t>(n));
  const Vec e = spectrum(kind, n, rng);
  auto op = std::make_unique<TestOperator>();
  op->n = n;
  op->lambda_min = e.minCoeff();
  op->norm = e.cwiseAbs().maxCoeff();
  if (n <= 1000) {
    const Mat q = Eigen::HouseholderQR<Mat>(gaussian_matrix(n, n, rng)).householderQ();
    Mat a = q * e.asDiagonal() * q.transpose();
    a = 0.5 * (a + a.transpose()).eval();
    op->apply = [a = std::move(a)](const Vec& v, Vec* out) { out->noalias() = a * v; };
  } else {
    Mat u(n, 4);  // unit Householder vectors
    for (Index j = 0; j < 4; ++j) u.col(j) = gaussian_vector(n, rng).normalized();
    op->apply = [u = std::move(u), e](const Vec& v, Vec* out) {
      Vec w = v;  // R' v = H_4 H_3 H_2 H_1 v
      for (Index j = 0; j < 4; ++j) w -= 2.0 * u.col(j).dot(w) * u.col(j);
      w.array() *= e.array();
      for (Index j = 3; j >= 0; --j) w -= 2.0 * u.col(j).dot(w) * u.col(j);
      *out = std::move(w);
    };
  }
  return op;
}

const TestOperator& test_operator(int kind, Index n) {
  static std::map<std::pair<int, Index>, std::unique_ptr<TestOperator>> cache;
  auto& slot = cache[{kind, n}];
  if (!slot) slot = build(kind, n);
  return *slot;
}

Vec start_vector(Index n) {
  Rng rng(0);  // what lanczos_min_eig draws with its default seed
  return gaussian_vector(n, rng).normalized();
}

// What a solver returned: no pair (theta NaN, v empty) when it has none.
struct Solve {
  double theta = std::numeric_limits<double>::quiet_NaN();
  Vec v;
  Index products = 0;
  bool converged = false;
};

// `check` is the exact operator the pair is checked against.
void report(benchmark::State& state, const TestOperator& check, const Solve& s) {
  double residual = std::numeric_limits<double>::quiet_NaN();
  double error = residual;
  if (s.v.size() == check.n) {
    Vec av(check.n);
    check.apply(s.v, &av);
    residual = (av - s.theta * s.v).norm() / check.norm;
    error = std::abs(s.theta - check.lambda_min) / check.norm;
  }
  state.counters["products"] = static_cast<double>(s.products);
  state.counters["residual"] = residual;
  state.counters["error"] = error;
  state.counters["converged"] = s.converged ? 1 : 0;
}

Solve run_ours(const std::function<void(const Vec&, Vec*)>& apply, Index n, Index budget) {
  LanczosOptions o;
  o.tol = kTol;
  o.max_iters = budget;
  const LanczosReport r = lanczos_min_eig(apply, n, o);
  return {r.value, r.vector, r.iterations, r.converged};
}

#ifdef BILEVEL_BENCH_HAVE_SPECTRA

// The operator interface SymEigsSolver asks for, counting the products.
class SpectraOp {
 public:
  using Scalar = double;
  SpectraOp(const std::function<void(const Vec&, Vec*)>& apply, Index n)
      : apply_(apply), n_(n), in_(n), out_(n) {}
  Index rows() const { return n_; }
  Index cols() const { return n_; }
  void perform_op(const double* x_in, double* y_out) const {
    in_ = Eigen::Map<const Vec>(x_in, n_);
    apply_(in_, &out_);
    Eigen::Map<Vec>(y_out, n_) = out_;
    ++products_;
  }
  Index products() const { return products_; }

 private:
  const std::function<void(const Vec&, Vec*)>& apply_;
  Index n_;
  mutable Vec in_, out_;
  mutable Index products_ = 0;
};

Solve run_spectra(const std::function<void(const Vec&, Vec*)>& apply, Index n, Index ncv,
                  double tol, Index budget) {
  ncv = std::min(ncv, n);
  const Vec start = start_vector(n);
  SpectraOp op(apply, n);
  Spectra::SymEigsSolver<SpectraOp> solver(op, 1, ncv);
  solver.init(start.data());
  solver.compute(Spectra::SortRule::SmallestAlge, (budget - ncv) / (ncv / 2), tol,
                 Spectra::SortRule::SmallestAlge);
  Solve s;
  s.converged = solver.info() == Spectra::CompInfo::Successful;
  s.products = op.products();
  if (s.converged) {
    s.theta = solver.eigenvalues()(0);
    s.v = solver.eigenvectors().col(0);
  }
  return s;
}

#endif  // BILEVEL_BENCH_HAVE_SPECTRA

// Args: spectrum, n, budget (products).
void BM_LanczosOurs(benchmark::State& state) {
  const TestOperator& op = test_operator(static_cast<int>(state.range(0)), state.range(1));
  Solve s;
  for (auto _ : state) {
    s = run_ours(op.apply, op.n, state.range(2));
    // Not DoNotOptimize(s.theta): with GCC 12.2, benchmark 1.7.1's "+m,r" constraint on a
    // double lvalue gave a wrong value after the loop (0, or garbage) in this file.
    benchmark::DoNotOptimize(s);
  }
  report(state, op, s);
}
BENCHMARK(BM_LanczosOurs)
    ->ArgNames({"spectrum", "n", "budget"})
    ->ArgsProduct({{0, 1, 2}, {200, 1000, 5000, 20000}, {kMaxProducts}})
    ->ArgsProduct({{0, 2}, {5000, 20000}, {1000}})
    ->Unit(benchmark::kMillisecond);

#ifdef BILEVEL_BENCH_HAVE_SPECTRA

// Args: spectrum, n, ncv, matched (0: tol as given, 1: tol ||A|| / |lambda_min|), budget
// (products).
void BM_LanczosSpectra(benchmark::State& state) {
  const TestOperator& op = test_operator(static_cast<int>(state.range(0)), state.range(1));
  const double tol = state.range(3) == 0 ? kTol : kTol * op.norm / std::abs(op.lambda_min);
  Solve s;
  for (auto _ : state) {
    s = run_spectra(op.apply, op.n, state.range(2), tol, state.range(4));
    benchmark::DoNotOptimize(s);
  }
  report(state, op, s);
}
BENCHMARK(BM_LanczosSpectra)
    ->ArgNames({"spectrum", "n", "ncv", "matched", "budget"})
    ->ArgsProduct({{0, 1, 2}, {200, 1000, 5000, 20000}, {20, 40}, {0, 1}, {kMaxProducts}})
    ->ArgsProduct({{0, 1, 2}, {200, 1000, 5000, 20000}, {10}, {1}, {kMaxProducts}})
    ->ArgsProduct({{0, 2}, {5000, 20000}, {20, 40}, {0, 1}, {1000}})
    ->Unit(benchmark::kMillisecond);

#endif  // BILEVEL_BENCH_HAVE_SPECTRA

// The products Diagnostics::min_eig_phi makes (central differences of exact hypergradients,
// 2 per product) at the sizes where it takes Lanczos (dim_x > 200):
//   problem 0: quadratic, dx = dy = 400 (mu_f = -1, n_f = 7, n_g = 9, seed 1), all closed
//              forms hidden (as bench/min_eig_bench.cpp), at x evenly spaced in [-1, 1];
//              checked against its closed-form Hess phi;
//   problem 1: hyperclean, n_train = 345 (australian), at its start x = 0; checked against
//              the dense Hess phi of Diagnostics::hessian_phi (differences too, so residuals
//              and errors below about 1e-7 cannot be seen).
class GenericQuadratic : public Quadratic {
 public:
  using Quadratic::Quadratic;
  bool closed_form_solution(const Vec&, double, Vec*) const override { return false; }
  bool closed_form_hypergradient(const Vec&, Vec*) const override { return false; }
  bool closed_form_hessian_phi(const Vec&, Mat*) const override { return false; }
};

struct PhiCase {
  std::unique_ptr<Problem> problem;
  Vec x;
  TestOperator check;
};

std::unique_ptr<PhiCase> build_phi_case(int which) {
  auto c = std::make_unique<PhiCase>();
  Mat h;
  if (which == 0) {
    QuadraticOptions o;
    o.dx = o.dy = 400;
    o.n_f = 7;
    o.n_g = 9;
    o.mu_f = -1;
    o.seed = 1;
    c->x = Vec::LinSpaced(o.dx, -1.0, 1.0);
    Quadratic(o).closed_form_hessian_phi(c->x, &h);
    c->problem = std::make_unique<GenericQuadratic>(o);
  } else {
    c->problem = make_problem("hyperclean", {{"n_train", "345"}});
    c->x = c->problem->initial_x();
    Diagnostics d(*c->problem);
    h = d.hessian_phi(c->x);
  }
  const Vec eigs = Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly).eigenvalues();
  c->check.n = h.rows();
  c->check.lambda_min = eigs(0);
  c->check.norm = eigs.cwiseAbs().maxCoeff();
  c->check.apply = [h = std::move(h)](const Vec& v, Vec* out) { out->noalias() = h * v; };
  return c;
}

const PhiCase& phi_case(int which) {
  static std::map<int, std::unique_ptr<PhiCase>> cache;
  auto& slot = cache[which];
  if (!slot) slot = build_phi_case(which);
  return *slot;
}

// Args: problem, solver (0 ours, else Spectra with that ncv), matched (Spectra only, as
// above). A fresh Diagnostics per solve, as min_eig_phi's caller in a run has.
void BM_LanczosPhi(benchmark::State& state) {
  const PhiCase& c = phi_case(static_cast<int>(state.range(0)));
  const Index n = c.x.size();
  Solve s;
  for (auto _ : state) {
    Diagnostics d(*c.problem);
    const std::function<void(const Vec&, Vec*)> apply = [&](const Vec& v, Vec* out) {
      *out = d.hessian_phi_product(c.x, v);
    };
    if (state.range(1) == 0) {
      s = run_ours(apply, n, kMaxProducts);
    } else {
#ifdef BILEVEL_BENCH_HAVE_SPECTRA
      const double tol = state.range(2) == 0
                             ? kTol
                             : kTol * c.check.norm / std::abs(c.check.lambda_min);
      s = run_spectra(apply, n, state.range(1), tol, kMaxProducts);
#endif
    }
    benchmark::DoNotOptimize(s);
  }
  report(state, c.check, s);
}
BENCHMARK(BM_LanczosPhi)
    ->ArgNames({"problem", "solver", "matched"})
    ->ArgsProduct({{0, 1}, {0}, {0}})
#ifdef BILEVEL_BENCH_HAVE_SPECTRA
    ->ArgsProduct({{0, 1}, {20, 40}, {0, 1}})
#endif
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bilevel
