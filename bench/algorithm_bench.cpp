// Micro-benchmarks of the oracles and of one outer iteration of each method on `quadratic`.
// Per-iteration times are measured in one process, so their ratios are what counts.
//
//   build/bilevel_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

QuadraticOptions bench_quadratic(Index d) {
  QuadraticOptions o;
  o.dx = o.dy = d;
  return o;
}

// One full-batch gradient of g (both partials), through the counting wrapper.
void BM_QuadraticGradient(benchmark::State& state) {
  Quadratic q(bench_quadratic(state.range(0)));
  const Vec x = Vec::Ones(q.dim_x()), y = Vec::Ones(q.dim_y());
  Vec gx, gy;
  for (auto _ : state) {
    q.grad(Fn::kG, x, y, Batch{}, &gx, &gy);
    benchmark::DoNotOptimize(gy.data());
  }
}
BENCHMARK(BM_QuadraticGradient)->Arg(20)->Arg(200);

// One Hyy product of g.
void BM_QuadraticHyy(benchmark::State& state) {
  Quadratic q(bench_quadratic(state.range(0)));
  const Vec x = Vec::Ones(q.dim_x()), y = Vec::Ones(q.dim_y());
  Vec out;
  for (auto _ : state) {
    q.hyy(Fn::kG, x, y, y, Batch{}, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_QuadraticHyy)->Arg(20)->Arg(200);

// Outer iterations of a method (default options), diagnostics off: the algorithm's own cost.
// Each benchmark iteration is one run of kOuter outer iterations; items/s = outer iterations/s.
constexpr Index kOuter = 20;

void BM_OuterIteration(benchmark::State& state, const std::string& algo) {
  Quadratic q(bench_quadratic(state.range(0)));
  auto a = make_algorithm(algo);
  RunSettings s;
  s.diagnostics = false;
  s.stopping.max_iters = kOuter;
  Index runs = 0;
  for (auto _ : state) {
    const Result r = a->solve(q, s);
    benchmark::DoNotOptimize(r.x.data());
    ++runs;
  }
  const auto outer = static_cast<double>(runs * kOuter);
  state.SetItemsProcessed(runs * kOuter);
  state.counters["grad_per_iter"] = static_cast<double>(q.counts().grad_calls()) / outer;
  state.counters["hvp_per_iter"] = static_cast<double>(q.counts().hvp_calls()) / outer;
}
BENCHMARK_CAPTURE(BM_OuterIteration, f2ba, std::string("f2ba"))->Arg(20)->Arg(200);
BENCHMARK_CAPTURE(BM_OuterIteration, f2sa, std::string("f2sa"))->Arg(20)->Arg(200);
BENCHMARK_CAPTURE(BM_OuterIteration, aid_cg, std::string("aid-cg"))->Arg(20)->Arg(200);
BENCHMARK_CAPTURE(BM_OuterIteration, aid_ns, std::string("aid-ns"))->Arg(20)->Arg(200);
BENCHMARK_CAPTURE(BM_OuterIteration, itd, std::string("itd"))->Arg(20)->Arg(200);

}  // namespace
}  // namespace bilevel

BENCHMARK_MAIN();
