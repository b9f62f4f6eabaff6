// The fused data pass against the library floor, in one process, on exactly the shapes of one
// F2BA inner step of hyper-cleaning on Fashion-MNIST: A (n x 785) times [Y Z] (785 x 20) and
// A' R back (20 coefficient columns), at n = 5000, 20000, 50000, float32 and float64, on the
// process's OpenMP threads (OMP_NUM_THREADS; 2 on the project's machine).
//
//   build/bilevel_bench --benchmark_filter='Floor|Pass|F2ba' --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
//
// Floors (no softmax, a transpose of the logits stands in for the coefficients):
//   BM_FloorXsmm<T>/n/B    libxsmm JIT kernels per row block of B rows, OpenMP over blocks,
//                          one G per thread: the best fused pass a kept library gives;
//   BM_FloorXsmmU8/n/B     the same reading uint8 pixels, each block converted to float in cache;
//   BM_FloorEigen<T>/n/B   Eigen's GEMM per row block (the same pattern);
//   BM_EigenFull<T>/n      two full products, Z = A W then G = A' R (Eigen, one thread: the
//                          project keeps Eigen serial);
// the project:
//   BM_Pass<T>/n           DensePass (src/kernels/data_pass.hpp) with the same stand-in;
//   BM_FloorF2ba<T>/n      the floor of one F2BA outer iteration: every product the iteration
//                          makes (10 x [train pass, 20 columns + validation pass, 10 columns]
//                          + 2 forward passes for the x-gradient), on libxsmm per block;
//   BM_F2baOuter<T>/n      one F2BA outer iteration (K = 10) of `hyperclean` on Fashion-MNIST,
//                          n_train = n, n_val = 5000: the real thing, softmax included.
// GFLOP/s counts 2 flops per multiply-add of the products (padding never counted).
#include <benchmark/benchmark.h>
#include <libxsmm.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
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

template <class T>
void BM_Pass(benchmark::State& state) {
  const Index n = state.range(0);
  const auto& a = random_rows<T>(n);
  const auto w = random_weights<T>(kC);
  const DensePass<T> pass(a.data(), n, kD);
  std::vector<T> g(static_cast<std::size_t>(kD * kC)), gb(kC);
  const auto stand_in = [](Index, Index mb, const T* z, Index, T* coef, Index) {
    std::copy_n(z, mb * kC, coef);
  };
  for (auto _ : state) {
    pass.run({}, w.data(), kC, kC, stand_in, g.data(), gb.data());
    benchmark::DoNotOptimize(g.data());
  }
  set_flops(state, pass_flops(n, kC, true));
  state.SetLabel("block " + std::to_string(pass.block_rows()));
}

// The products of one F2BA outer iteration on hyperclean (see the file comment).
double f2ba_flops(Index n) {
  return 10 * (pass_flops(n, 2 * 10, true) + pass_flops(kVal, 10, true)) +
         2 * pass_flops(n, 10, false);
}

template <class T>
void BM_FloorF2ba(benchmark::State& state) {
  const Index n = state.range(0);
  const Index b = std::is_same_v<T, float> ? 128 : 64;
  const auto& a = random_rows<T>(n);
  const auto w20 = random_weights<T>(20), w10 = random_weights<T>(10);
  std::vector<std::vector<T>> gs;
  for (auto _ : state) {
    for (int k = 0; k < 10; ++k) {
      xsmm_pass<T>(a.data(), n, b, 20, true, w20.data(), gs);
      xsmm_pass<T>(a.data(), kVal, b, 10, true, w10.data(), gs);
    }
    for (int k = 0; k < 2; ++k) xsmm_pass<T>(a.data(), n, b, 10, false, w10.data(), gs);
    benchmark::DoNotOptimize(gs[0].data());
  }
  set_flops(state, f2ba_flops(n));
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
// outer step), diagnostics off; each benchmark iteration runs 3 outer iterations.
template <class T>
void BM_F2baOuter(benchmark::State& state) {
  const Index n = state.range(0);
  Hyperclean& p = fashion(n, std::is_same_v<T, float>);
  auto a = make_algorithm("f2ba", {{"K", "10"}, {"eta", "1e5"}, {"alpha", "0.1"}});
  RunSettings s;
  s.diagnostics = false;
  s.stopping.max_iters = 3;
  s.log_every = 3;  // trace rows (with the problem's metrics) at the start and the end only
  for (auto _ : state) {
    const Result r = a->solve(p, s);
    benchmark::DoNotOptimize(r.x.data());
  }
  state.SetItemsProcessed(state.iterations() * 3);
  state.counters["GFLOP/s"] =
      benchmark::Counter(3 * f2ba_flops(n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
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
BILEVEL_PASS_BENCH(BM_Pass, size_args)
BILEVEL_PASS_BENCH(BM_FloorF2ba, size_args)
BILEVEL_PASS_BENCH(BM_F2baOuter, size_args)

}  // namespace
}  // namespace bilevel
