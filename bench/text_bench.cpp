// Minibatch oracles of learnreg on full-scale synthetic text (18000 x 130107 sparse TF-IDF,
// about 100 non-zeros per row, 20 classes: the 20 Newsgroups shape of the f2sa-p paper's
// experiment), where y = [W; b] has 2.6 million entries.
//
//   build/bilevel_bench --benchmark_filter=Text --benchmark_repetitions=3 \
//       --benchmark_report_aggregates_only=true
//
// BM_TextMinibatchGradient: one gradient of g on a minibatch of `batch` rows, as every
// stochastic method's inner step asks, fused kernels against the two-pass reference.
// BM_TextDenseFloor: one pass that reads y and writes a vector of its size (what any
// gradient must at least do: the regularizer's gradient touches every entry of W), the
// floor a minibatch gradient cannot go below however small the batch.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bilevel/problems/learnreg.hpp"
#include "bilevel/core/random.hpp"

namespace bilevel {
namespace {

Learnreg& text(bool fused) {
  static std::unique_ptr<Learnreg> cache[2];
  auto& p = cache[fused];
  if (!p) {
    LearnregOptions o;
    o.dataset = "synthetic-text";
    o.kernel.fused = fused;
    p = std::make_unique<Learnreg>(o);
  }
  return *p;
}

void BM_TextMinibatchGradient(benchmark::State& state) {
  const bool fused = state.range(0) == 1;
  const Index batch = state.range(1);
  state.SetLabel(fused ? "fused_f64" : "reference_f64");
  Learnreg& p = text(fused);
  const Vec x = p.initial_x();
  const Vec y = Vec::Constant(p.dim_y(), 1e-3);
  Sampler sampler(p.num_samples(Fn::kG), batch);
  Rng rng(1);
  Vec gy;
  for (auto _ : state) {
    const Batch b = sampler.draw(rng);
    p.grad(Fn::kG, x, y, b, nullptr, &gy);
    benchmark::DoNotOptimize(gy.data());
  }
}
BENCHMARK(BM_TextMinibatchGradient)
    ->ArgsProduct({{0, 1}, {100, 1000}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_TextDenseFloor(benchmark::State& state) {
  Learnreg& p = text(true);
  const Vec y = Vec::Constant(p.dim_y(), 1e-3);
  Vec out(p.dim_y());
  for (auto _ : state) {
    out = 2.0 * y;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * 2 * p.dim_y() * Index(sizeof(double)));
}
BENCHMARK(BM_TextDenseFloor)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bilevel
