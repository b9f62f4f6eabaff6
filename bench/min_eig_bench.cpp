// lambda_min(Hess phi) by Diagnostics::min_eig_phi, dense vs Lanczos, on problems without a
// closed-form Hessian of phi (everything differenced from exact hypergradients): time per
// call, products, and (quadratic) the error against the hidden closed form, relative to
// ||Hess phi||. The numbers of docs/linalg.md:
//
//   build/bilevel_bench --benchmark_filter=MinEig
#include <benchmark/benchmark.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

// quadratic whose Diagnostics must take the generic paths (Newton-CG, CG, differences).
class GenericQuadratic : public Quadratic {
 public:
  using Quadratic::Quadratic;
  bool closed_form_solution(const Vec&, double, Vec*) const override { return false; }
  bool closed_form_hypergradient(const Vec&, Vec*) const override { return false; }
  bool closed_form_hessian_phi(const Vec&, Mat*) const override { return false; }
};

MinEigMethod method_of(const benchmark::State& state) {
  return state.range(1) == 0 ? MinEigMethod::kDense : MinEigMethod::kLanczos;
}

// Times one min_eig_phi call per iteration (a fresh Diagnostics: no warm start carried over).
MinEigPhi time_calls(benchmark::State& state, const Problem& p, const Vec& x) {
  DiagnosticsOptions o;
  o.min_eig_method = method_of(state);
  MinEigPhi r;
  for (auto _ : state) {
    Diagnostics d(p, o);
    r = d.min_eig_phi(x);
    benchmark::DoNotOptimize(r.value);
  }
  state.counters["products"] = static_cast<double>(r.products);
  state.counters["value"] = r.value;
  return r;
}

// Args: dx (= dy), method (0 dense, 1 Lanczos). An indefinite Hess phi (mu_f = -1).
void BM_MinEigQuadratic(benchmark::State& state) {
  QuadraticOptions o;
  o.dx = o.dy = state.range(0);
  o.n_f = 7;
  o.n_g = 9;
  o.mu_f = -1;
  o.seed = 1;
  const Quadratic exact(o);
  const GenericQuadratic generic(o);
  const Vec x = Vec::LinSpaced(o.dx, -1.0, 1.0);
  Mat h;
  exact.closed_form_hessian_phi(x, &h);
  const Vec eigs = Eigen::SelfAdjointEigenSolver<Mat>(h, Eigen::EigenvaluesOnly).eigenvalues();
  const MinEigPhi r = time_calls(state, generic, x);
  state.counters["rel_err"] = std::abs(r.value - eigs(0)) / eigs.cwiseAbs().maxCoeff();
}
BENCHMARK(BM_MinEigQuadratic)
    ->ArgsProduct({{6, 20, 100}, {0, 1}})
    ->Args({400, 1})
    ->Unit(benchmark::kMillisecond);

// Args: n_train (= dim x), method. hyperclean on australian at its start x = 0.
void BM_MinEigHyperclean(benchmark::State& state) {
  const auto p = make_problem("hyperclean", {{"n_train", std::to_string(state.range(0))}});
  time_calls(state, *p, p->initial_x());
}
BENCHMARK(BM_MinEigHyperclean)
    ->ArgsProduct({{100, 345}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bilevel
