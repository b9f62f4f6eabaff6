// Per-iteration cost of the second-order methods on data hyper-cleaning (australian, dim x =
// n_train = 346, dim y = 30): fsba (3 dense Hessians and an O(d^3) eigendecomposition every
// iteration) against lfsba (the same every m iterations, an O(d^2) solve in between) and
// ifsba (Hessian-vector products and CG only). One process, so the ratios are what counts.
//
//   build/bilevel_bench --benchmark_filter=SecondOrder --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>

#include "bilevel/algorithms/building_blocks/penalty_hessian.hpp"
#include "bilevel/linalg/cubic.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

Hyperclean& australian() {
  static std::unique_ptr<Hyperclean> p;
  if (!p) {
    HypercleanOptions o;
    o.dataset = "australian";
    o.corrupt = 0.5;
    p = std::make_unique<Hyperclean>(o);
  }
  return *p;
}

// Each benchmark iteration is one run of kOuter outer iterations from the start (diagnostics
// off); items/s = outer iterations/s. kOuter is a multiple of every m below.
constexpr Index kOuter = 20;

void BM_SecondOrderIteration(benchmark::State& state, const std::string& algo, Index m) {
  Hyperclean& p = australian();
  KeyValues kv = {{"K", "10"}};
  if (algo == "lfsba") kv.push_back({"m", std::to_string(m)});
  auto a = make_algorithm(algo, kv);
  RunSettings s;
  s.diagnostics = false;
  s.stopping.max_iters = kOuter;
  p.reset_counts();
  Index runs = 0;
  for (auto _ : state) {
    const Result r = a->solve(p, s);
    benchmark::DoNotOptimize(r.x.data());
    ++runs;
  }
  const auto outer = static_cast<double>(runs * kOuter);
  state.SetItemsProcessed(runs * kOuter);
  state.counters["hess_per_iter"] = static_cast<double>(p.counts().hess_calls()) / outer;
  state.counters["hvp_per_iter"] = static_cast<double>(p.counts().hvp_calls()) / outer;
}
BENCHMARK_CAPTURE(BM_SecondOrderIteration, fsba, std::string("fsba"), 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SecondOrderIteration, lfsba_m5, std::string("lfsba"), 5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SecondOrderIteration, lfsba_m10, std::string("lfsba"), 10)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SecondOrderIteration, lfsba_m20, std::string("lfsba"), 20)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SecondOrderIteration, ifsba, std::string("ifsba"), 1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SecondOrderIteration, f2ba, std::string("f2ba"), 1)
    ->Unit(benchmark::kMillisecond);

// The two parts of a refresh: the dense Hessian of the proxy (3 dense-Hessian oracle calls and
// two Schur complements) and the eigendecomposition of the cubic solver; and a solve with a
// kept factorization, what lfsba pays between refreshes.
void BM_SecondOrderRefreshHessian(benchmark::State& state) {
  Hyperclean& p = australian();
  const Vec x = p.initial_x(), y = Vec::Constant(p.dim_y(), 0.01);
  Mat h;
  for (auto _ : state) {
    penalty_hessian(p, x, y, y, 100.0, &h);
    benchmark::DoNotOptimize(h.data());
  }
}
BENCHMARK(BM_SecondOrderRefreshHessian)->Unit(benchmark::kMillisecond);

Mat proxy_hessian() {
  Hyperclean& p = australian();
  Mat h;
  penalty_hessian(p, p.initial_x(), Vec::Constant(p.dim_y(), 0.01),
                  Vec::Constant(p.dim_y(), 0.01), 100.0, &h);
  return h;
}

void BM_SecondOrderRefreshFactorization(benchmark::State& state) {
  const Mat h = proxy_hessian();
  for (auto _ : state) {
    DenseCubicSolver solver(h, 1.0);
    benchmark::DoNotOptimize(solver.eigenvalues().data());
  }
}
BENCHMARK(BM_SecondOrderRefreshFactorization)->Unit(benchmark::kMillisecond);

void BM_SecondOrderLazySolve(benchmark::State& state) {
  const Mat h = proxy_hessian();
  const DenseCubicSolver solver(h, 1.0);
  const Vec g = Vec::Constant(h.rows(), 1e-3);
  for (auto _ : state) {
    const CubicSolution s = solver.solve(g);
    benchmark::DoNotOptimize(s.s.data());
  }
}
BENCHMARK(BM_SecondOrderLazySolve)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bilevel
