// Benchmarks of the data-driven oracles on Fashion-MNIST (hyperclean, n_train = 20000,
// 784 features, 10 classes) and a streaming-bandwidth probe of the same machine, so that the
// gradient oracle's data rate can be reported as a fraction of what memory delivers.
//
//   build/bilevel_bench --benchmark_filter='Stream|Fashion' --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
//
// bytes_per_second of the oracle benchmarks counts one read of the training features per
// call (n_train x 784 x sizeof(scalar)): what a single fused pass must move.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <memory>
#include <string>

#include "bilevel/problems/hyperclean.hpp"

namespace bilevel {
namespace {

// Sum of a 256 MB array (far beyond the 32 MB L3) on `threads` threads, each reading its
// contiguous half with vectorized loads: the machine's streaming read bandwidth.
void BM_StreamRead(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  static const Vec big = Vec::Constant(Index{1} << 25, 1.0);
  const Index n = big.size();
  for (auto _ : state) {
    double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const Index t = omp_get_thread_num(), nt = omp_get_num_threads();
      const Index lo = n * t / nt, hi = n * (t + 1) / nt;
      total += big.segment(lo, hi - lo).sum();
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(state.iterations() * n * Index(sizeof(double)));
}
BENCHMARK(BM_StreamRead)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// One problem per kernel configuration, loaded once (loading Fashion-MNIST takes seconds).
Hyperclean& fashion(bool fused, bool single) {
  static std::unique_ptr<Hyperclean> cache[2][2];
  auto& p = cache[fused][single];
  if (!p) {
    HypercleanOptions o;
    o.dataset = "fashion-mnist";
    o.split = {20000, 5000, 0};
    o.kernel.fused = fused;
    o.kernel.precision = single ? "float32" : "float64";
    p = std::make_unique<Hyperclean>(o);
  }
  return *p;
}

struct Config {
  bool fused, single;
};
constexpr Config kConfigs[] = {{false, false}, {true, false}, {true, true}};
const char* config_name(int i) {
  static const char* names[] = {"reference_f64", "fused_f64", "fused_f32"};
  return names[i];
}

// One full-batch gradient of g (grad_y only, as an inner step asks).
void BM_FashionGradient(benchmark::State& state) {
  const Config c = kConfigs[state.range(0)];
  state.SetLabel(config_name(static_cast<int>(state.range(0))));
  Hyperclean& p = fashion(c.fused, c.single);
  const Vec x = p.initial_x();
  const Vec y = Vec::Constant(p.dim_y(), 1e-3);
  Vec gy;
  for (auto _ : state) {
    p.grad(Fn::kG, x, y, Batch{}, nullptr, &gy);
    benchmark::DoNotOptimize(gy.data());
  }
  const Index bytes = p.train().num_samples() * p.train().num_features() *
                      Index(c.single ? sizeof(float) : sizeof(double));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_FashionGradient)->DenseRange(0, 2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Two gradients of g at different points: one fused pass (grad_y_multi) serving both.
void BM_FashionGradientPair(benchmark::State& state) {
  const Config c = kConfigs[state.range(0)];
  state.SetLabel(config_name(static_cast<int>(state.range(0))));
  Hyperclean& p = fashion(c.fused, c.single);
  const Vec x = p.initial_x();
  const Vec y = Vec::Constant(p.dim_y(), 1e-3), z = Vec::Constant(p.dim_y(), -1e-3);
  Vec gy, gz;
  const Vec* points[] = {&z, &y};
  const Batch batches[] = {Batch{}, Batch{}};
  Vec* outs[] = {&gz, &gy};
  for (auto _ : state) {
    p.grad_y_multi(Fn::kG, x, points, batches, outs);
    benchmark::DoNotOptimize(gy.data());
  }
}
BENCHMARK(BM_FashionGradientPair)
    ->DenseRange(0, 2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bilevel
