// The fused data pass against the library floor, in one process, on exactly the shapes of one
// F2BA inner step of hyper-cleaning on Fashion-MNIST: A (n x 785) times [Y Z] (785 x 20) and
// A' R back (20 coefficient columns), at n = 5000, 20000, 50000, float32 and float64, on the
// process's OpenMP threads (OMP_NUM_THREADS; 2 on the project's machine).
//
//   build/bilevel_bench --benchmark_filter='Floor|Vs|EigenFull' --benchmark_repetitions=3 \
//       --benchmark_report_aggregates_only=true --benchmark_out=fused.json \
//       --benchmark_out_format=json && /usr/bin/python3 bench/fused_pass_table.py fused.json
//
// Floors (no softmax, a transpose of the logits stands in for the coefficients):
//   BM_FloorXsmm<T>/n/B    libxsmm JIT kernels per row block of B rows, OpenMP over blocks,
//                          one G per thread: the best fused pass a kept library gives;
//   BM_FloorXsmmU8/n/B     the same reading uint8 pixels, each block converted to float in cache;
//   BM_FloorEigen<T>/n/B   Eigen's GEMM per row block (the same pattern);
//   BM_EigenFull<T>/n      two full products, Z = A W then G = A' R (Eigen, one thread: the
//                          project keeps Eigen serial);
// the project, each paired with its floor inside every benchmark iteration (the shared
// machine's speed drifts by up to 2x within minutes; pairs keep the ratios):
//   BM_PassVsFloor<T>/n    DensePass (src/kernels/data_pass.hpp) with the same stand-in, and
//                          the libxsmm pass at its best block;
//   BM_F2baVsFloor<T>/n    one F2BA outer iteration (K = 10) of `hyperclean` on Fashion-MNIST,
//                          n_train = n, n_val = 5000, softmax and all, and the floor of its
//                          products: 10 x [train pass of 20 columns + validation pass of 10]
//                          + a validation pass + 2 forward passes of 10 columns, on libxsmm.
// GFLOP/s counts 2 flops per multiply-add of the products (padding never counted).
#include <benchmark/benchmark.h>
#include <libxsmm.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <type_traits>
#include <vector>

#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/registry.hpp"
#include "kernels/data_pass.hpp"

namespace bilevel {
namespace {

constexpr Index kD = 785;  // 784 pixels + the bias column of the Fashion-MNIST rows
constexpr Index kC = 20;   // F2BA's y and z, 10 classes each, side by side
constexpr Index kVal = 5000;

template <class T>
const std::vector<T>& random_rows(Index n) {
  static std::map<Index, std::vector<T>> cache;
  auto& a = cache[n];
  if (a.empty()) {
    a.resize(static_cast<std::size_t>(n * kD));
    std::mt19937 gen(1);
    std::uniform_real_distribution<float> u(0, 1);
    for (auto& v : a) v = T(u(gen));
  }
  return a;
}

const std::vector<std::uint8_t>& random_pixels(Index n) {
  static std::map<Index, std::vector<std::uint8_t>> cache;
  auto& a = cache[n];
  if (a.empty()) {
    a.resize(static_cast<std::size_t>(n * kD));
    std::mt19937 gen(1);
    for (auto& v : a) v = static_cast<std::uint8_t>(gen() & 255);
  }
  return a;
}

template <class T>
std::vector<T> random_weights(Index c) {
  std::vector<T> w(static_cast<std::size_t>(kD * c));
  std::mt19937 gen(2);
  std::uniform_real_distribution<float> u(-0.01f, 0.01f);
  for (auto& v : w) v = T(u(gen));
  return w;
}

void set_flops(benchmark::State& state, double flops) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

double pass_flops(Index n, Index c, bool backward) { return (backward ? 4.0 : 2.0) * n * kD * c; }

// libxsmm kernels of one block size, float or double.
template <class T>
struct XsmmKernels {
  using Fn = std::conditional_t<std::is_same_v<T, float>, libxsmm_smmfunction, libxsmm_dmmfunction>;
  Fn fwd, bwd;
  XsmmKernels(Index b, Index c) {
    const libxsmm_blasint bb = b, cc = c, d = kD;
    const T one = 1, zero = 0;
    if constexpr (std::is_same_v<T, float>) {
      // Z' (c x B) = W' (c x d) A_b' (d x B); G' (d x c) += A_b' (d x B) R_b (B x c).
      fwd =
          libxsmm_smmdispatch(cc, bb, d, nullptr, nullptr, nullptr, &one, &zero, nullptr, nullptr);
      bwd = libxsmm_smmdispatch(d, cc, bb, nullptr, nullptr, nullptr, &one, &one, nullptr, nullptr);
    } else {
      fwd =
          libxsmm_dmmdispatch(cc, bb, d, nullptr, nullptr, nullptr, &one, &zero, nullptr, nullptr);
      bwd = libxsmm_dmmdispatch(d, cc, bb, nullptr, nullptr, nullptr, &one, &one, nullptr, nullptr);
    }
  }
};

// One fused pass over n rows on libxsmm, blocks of B rows; c columns in and out (backward
// when asked). `convert` (uint8 rows) is converted per block into a float buffer first.
template <class T, class Src>
void xsmm_pass(const Src* a, Index n, Index b, Index c, bool backward, const T* w,
               std::vector<std::vector<T>>& gs) {
  const XsmmKernels<T> k(b, c);
  const int threads = omp_get_max_threads();
  gs.resize(static_cast<std::size_t>(threads));
#pragma omp parallel
  {
    auto& g = gs[static_cast<std::size_t>(omp_get_thread_num())];
    g.assign(static_cast<std::size_t>(kD * c), T(0));
    std::vector<T> z(static_cast<std::size_t>(b * c)), rt(static_cast<std::size_t>(b * c)), conv;
    if constexpr (!std::is_same_v<Src, T>) conv.resize(static_cast<std::size_t>(b * kD));
#pragma omp for schedule(static)
    for (Index r0 = 0; r0 <= n - b; r0 += b) {
      const T* blk;
      if constexpr (std::is_same_v<Src, T>) {
        blk = a + r0 * kD;
      } else {
        const Src* src = a + r0 * kD;
        for (Index i = 0; i < b * kD; ++i) conv[static_cast<std::size_t>(i)] = T(src[i]);
        blk = conv.data();
      }
      k.fwd(w, blk, z.data());
      if (!backward) continue;
      for (Index i = 0; i < b; ++i)
        for (Index j = 0; j < c; ++j)
          rt[static_cast<std::size_t>(j * b + i)] = z[static_cast<std::size_t>(i * c + j)];
      k.bwd(blk, rt.data(), g.data());
    }
  }
  for (std::size_t t = 1; t < gs.size(); ++t)
    for (std::size_t i = 0; i < gs[0].size(); ++i) gs[0][i] += gs[t][i];
}

template <class T>
void BM_FloorXsmm(benchmark::State& state) {
  const Index n = state.range(0), b = state.range(1);
  const auto& a = random_rows<T>(n);
  const auto w = random_weights<T>(kC);
  std::vector<std::vector<T>> gs;
  for (auto _ : state) {
    xsmm_pass<T>(a.data(), n, b, kC, true, w.data(), gs);
    benchmark::DoNotOptimize(gs[0].data());
  }
  set_flops(state, pass_flops(n / b * b, kC, true));
  state.SetLabel(libxsmm_get_target_arch());
}

void BM_FloorXsmmU8(benchmark::State& state) {
  const Index n = state.range(0), b = state.range(1);
  const auto& a = random_pixels(n);
  const auto w = random_weights<float>(kC);
  std::vector<std::vector<float>> gs;
  for (auto _ : state) {
    xsmm_pass<float>(a.data(), n, b, kC, true, w.data(), gs);
    benchmark::DoNotOptimize(gs[0].data());
  }
  set_flops(state, pass_flops(n / b * b, kC, true));
}

template <class T>
void BM_FloorEigen(benchmark::State& state) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Index n = state.range(0), b = state.range(1);
  const auto& a = random_rows<T>(n);
  const auto wv = random_weights<T>(kC);
  const Eigen::Map<const Mat> w(wv.data(), kD, kC);
  std::vector<Mat> gs(static_cast<std::size_t>(omp_get_max_threads()));
  for (auto _ : state) {
#pragma omp parallel
    {
      Mat& g = gs[static_cast<std::size_t>(omp_get_thread_num())];
      g.setZero(kD, kC);
      Mat z(b, kC);
#pragma omp for schedule(static)
      for (Index r0 = 0; r0 <= n - b; r0 += b) {
        const Eigen::Map<const Mat> blk(a.data() + r0 * kD, b, kD);
        z.noalias() = blk * w;
        g.noalias() += blk.transpose() * z;
      }
    }
    for (std::size_t t = 1; t < gs.size(); ++t) gs[0] += gs[t];
    benchmark::DoNotOptimize(gs[0].data());
  }
  set_flops(state, pass_flops(n / b * b, kC, true));
}

template <class T>
void BM_EigenFull(benchmark::State& state) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Index n = state.range(0);
  const auto& a = random_rows<T>(n);
  const auto wv = random_weights<T>(kC);
  const Eigen::Map<const Mat> am(a.data(), n, kD), w(wv.data(), kD, kC);
  Mat z(n, kC), g(kD, kC);
  for (auto _ : state) {
    z.noalias() = am * w;
    g.noalias() = am.transpose() * z;
    benchmark::DoNotOptimize(g.data());
  }
  set_flops(state, pass_flops(n, kC, true));
}

// The project's pass and the libxsmm floor (blocks of kFloorBlock rows) alternately in every
// benchmark iteration: the shared machine's speed changes by up to 2x within minutes, and
// pairing the two keeps their ratio (counter floor_fraction = floor time / pass time) honest.
constexpr Index kFloorBlock = 32;  // the fastest block of BM_FloorXsmm here, both precisions

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
void BM_PassVsFloor(benchmark::State& state) {
  const Index n = state.range(0);
  const auto& a = random_rows<T>(n);
  const auto w = random_weights<T>(kC);
  const DensePass<T> pass(a.data(), n, kD);
  std::vector<T> g(static_cast<std::size_t>(kD * kC)), gb(kC);
  std::vector<std::vector<T>> gs;
  const auto stand_in = [](Index, Index mb, const T* z, Index, T* coef, Index) {
    std::copy_n(z, mb * kC, coef);
  };
  double t_pass = 0, t_floor = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    pass.run({}, w.data(), kC, kC, stand_in, g.data(), gb.data());
    benchmark::DoNotOptimize(g.data());
    t_pass += seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    xsmm_pass<T>(a.data(), n, kFloorBlock, kC, true, w.data(), gs);
    benchmark::DoNotOptimize(gs[0].data());
    t_floor += seconds_since(t0);
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["pass_ms"] = 1e3 * t_pass / iters;
  state.counters["floor_ms"] = 1e3 * t_floor / iters;
  state.counters["pass_GFLOP/s"] = pass_flops(n, kC, true) * iters / t_pass * 1e-9;
  state.counters["floor_fraction"] = t_floor / t_pass;
  state.SetLabel("block " + std::to_string(pass.block_rows()));
}

// The floor of one F2BA outer iteration: its products on libxsmm, nothing else.
template <class T>
void floor_f2ba_iteration(const std::vector<T>& a, Index n, std::vector<std::vector<T>>& gs) {
  static const auto w20 = random_weights<T>(20), w10 = random_weights<T>(10);
  for (int k = 0; k < 10; ++k) {
    xsmm_pass<T>(a.data(), n, kFloorBlock, 20, true, w20.data(), gs);
    xsmm_pass<T>(a.data(), kVal, kFloorBlock, 10, true, w10.data(), gs);
  }
  // The outer step: f's gradient at y once more, and the per-sample losses at y and z.
  xsmm_pass<T>(a.data(), kVal, kFloorBlock, 10, true, w10.data(), gs);
  for (int k = 0; k < 2; ++k) xsmm_pass<T>(a.data(), n, kFloorBlock, 10, false, w10.data(), gs);
}

Hyperclean& fashion(Index n, bool single) {
  static std::map<std::pair<Index, bool>, std::unique_ptr<Hyperclean>> cache;
  auto& p = cache[{n, single}];
  if (!p) {
    HypercleanOptions o;
    o.dataset = "fashion-mnist";
    o.split = {n, kVal, 1000};  // a small test set: its metrics are not what is timed
    o.kernel.precision = single ? "float32" : "float64";
    p = std::make_unique<Hyperclean>(o);
  }
  return *p;
}

// One F2BA outer iteration (K = 10: 10 gradients of f, 20 of g in 10 stacked passes, then the
// outer step), diagnostics off, paired with the floor of its products in every benchmark
// iteration. The iteration's time is that of a 4-iteration run minus a 1-iteration run (each
// logs its first and last rows, with the problem's metrics): setup and metrics cancel.
// Counters: f2ba_ms, floor_ms, ratio = f2ba_ms / floor_ms.
template <class T>
void BM_F2baVsFloor(benchmark::State& state) {
  const Index n = state.range(0);
  Hyperclean& p = fashion(n, std::is_same_v<T, float>);
  const auto& a = random_rows<T>(n);
  auto algo = make_algorithm("f2ba", {{"K", "10"}, {"eta", "1e5"}, {"alpha", "0.1"}});
  RunSettings one, four;
  for (RunSettings* s : {&one, &four}) {
    s->diagnostics = false;
    s->log_every = 1000;
  }
  one.stopping.max_iters = 1;
  four.stopping.max_iters = 4;
  std::vector<std::vector<T>> gs;
  double t_real = 0, t_floor = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(algo->solve(p, one).x.data());
    const double t1 = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(algo->solve(p, four).x.data());
    t_real += (seconds_since(t0) - t1) / 3;
    t0 = std::chrono::steady_clock::now();
    floor_f2ba_iteration<T>(a, n, gs);
    t_floor += seconds_since(t0);
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["f2ba_ms"] = 1e3 * t_real / iters;
  state.counters["floor_ms"] = 1e3 * t_floor / iters;
  state.counters["ratio"] = t_real / t_floor;
}

void floor_args(benchmark::internal::Benchmark* b) {
  for (Index n : {5000, 20000, 50000})
    for (Index blk : {32, 64, 128, 256}) b->Args({n, blk});
}
void size_args(benchmark::internal::Benchmark* b) {
  for (Index n : {5000, 20000, 50000}) b->Arg(n);
}

#define BILEVEL_PASS_BENCH(fn, args)                                                        \
  BENCHMARK_TEMPLATE(fn, float)->Apply(args)->UseRealTime()->Unit(benchmark::kMillisecond); \
  BENCHMARK_TEMPLATE(fn, double)->Apply(args)->UseRealTime()->Unit(benchmark::kMillisecond);

BILEVEL_PASS_BENCH(BM_FloorXsmm, floor_args)
BENCHMARK(BM_FloorXsmmU8)->Apply(floor_args)->UseRealTime()->Unit(benchmark::kMillisecond);
BILEVEL_PASS_BENCH(BM_FloorEigen, floor_args)
BILEVEL_PASS_BENCH(BM_EigenFull, size_args)
BILEVEL_PASS_BENCH(BM_PassVsFloor, size_args)
BILEVEL_PASS_BENCH(BM_F2baVsFloor, size_args)

}  // namespace
}  // namespace bilevel
