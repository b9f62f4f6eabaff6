// One gradient of learnreg's g on 20 Newsgroups-shaped sparse text (synthetic-text: 5657
// training rows x 130107 features, about 100 non-zeros per row, 20 classes), float32 and
// float64, at 1 and 2 threads, beside what bounds it:
//
//   build/bilevel_bench --benchmark_filter=Sparse --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
//
// BM_SparseGradient       the problem's full-batch gradient of g (cross-entropy + regularizer)
// BM_SparseGradientPair   two such gradients in one call (grad_y_multi: F2BA's y and z)
// BM_SparseCrossEntropy   the fused kernel's part of it (SoftmaxRegression::gradient_at)
// BM_SparseMinibatch      a minibatch gradient of g (stochastic methods' inner step)
// BM_SparseEigen          plain Eigen products in the data's precision: Z = A W through the
//                         CSR, G = A' R through a transposed (CSC) copy made beforehand
// BM_SparseFloor          streaming: the non-zeros (values and column indices) read twice, W
//                         read once and G written once, in the kernel's precision (what any
//                         forward + backward pass must move); `problem` adds the double y
//                         and gradient the problem's interface reads and writes.
// BM_LibsvmGradient      the fused gradient on a low-dimensional LIBSVM set (australian:
//                         690 x 14; a9a: 32561 x 123) loaded sparse, against the same data
//                         stored dense (make_softmax_fused converts such sets: its choice)
// Arguments: precision (32 or 64), threads (1 or 2); compare ratios within one run.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "bilevel/core/batch.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/data/catalog.hpp"
#include "bilevel/problems/learnreg.hpp"

namespace bilevel {
namespace {

Learnreg& text(bool single) {
  static std::unique_ptr<Learnreg> cache[2];
  auto& p = cache[single];
  if (!p) {
    LearnregOptions o;
    o.dataset = "synthetic-text";
    o.kernel.precision = single ? "float32" : "float64";
    p = std::make_unique<Learnreg>(o);
  }
  return *p;
}

// Sets the OpenMP thread count for one benchmark and restores it after.
class Threads {
 public:
  explicit Threads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(saved_); }
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;

 private:
  int saved_;
};

std::string label(benchmark::State& state) {
  return "float" + std::to_string(state.range(0)) + "_threads" + std::to_string(state.range(1));
}

void BM_SparseGradient(benchmark::State& state) {
  Learnreg& p = text(state.range(0) == 32);
  const Threads threads(static_cast<int>(state.range(1)));
  state.SetLabel(label(state));
  const Vec x = p.initial_x();
  const Vec y = 1e-2 * Vec::Ones(p.dim_y());
  Vec gy;
  for (auto _ : state) {
    p.grad(Fn::kG, x, y, Batch{}, nullptr, &gy);
    benchmark::DoNotOptimize(gy.data());
  }
}

void BM_SparseGradientPair(benchmark::State& state) {
  Learnreg& p = text(state.range(0) == 32);
  const Threads threads(static_cast<int>(state.range(1)));
  state.SetLabel(label(state));
  const Vec x = p.initial_x();
  const Vec y = 1e-2 * Vec::Ones(p.dim_y()), z = 2e-2 * Vec::Ones(p.dim_y());
  const Vec* points[] = {&y, &z};
  const Batch batches[] = {Batch{}, Batch{}};
  Vec gy, gz;
  Vec* outs[] = {&gy, &gz};
  for (auto _ : state) {
    p.grad_y_multi(Fn::kG, x, points, batches, outs);
    benchmark::DoNotOptimize(gz.data());
  }
}

void BM_SparseCrossEntropy(benchmark::State& state) {
  Learnreg& p = text(state.range(0) == 32);
  const Threads threads(static_cast<int>(state.range(1)));
  state.SetLabel(label(state));
  const SoftmaxRegression ce(&p.train(), {true, state.range(0) == 32});
  const Vec y = 1e-2 * Vec::Ones(p.dim_y());
  const Vec s = Vec::Constant(p.num_samples(Fn::kG), 1.0 / p.num_samples(Fn::kG));
  Vec g;
  for (auto _ : state) {
    ce.gradient_at(y, {}, s, &g, nullptr);
    benchmark::DoNotOptimize(g.data());
  }
}

void BM_SparseMinibatch(benchmark::State& state) {
  Learnreg& p = text(state.range(0) == 32);
  const Threads threads(static_cast<int>(state.range(1)));
  const Index batch = state.range(2);
  state.SetLabel(label(state) + "_batch" + std::to_string(batch));
  const Vec x = p.initial_x();
  const Vec y = 1e-2 * Vec::Ones(p.dim_y());
  Sampler sampler(p.num_samples(Fn::kG), batch);
  Rng rng(1);
  Vec gy;
  for (auto _ : state) {
    const Batch b = sampler.draw(rng);
    p.grad(Fn::kG, x, y, b, nullptr, &gy);
    benchmark::DoNotOptimize(gy.data());
  }
}

template <class T>
void eigen_products(benchmark::State& state, const data::SparseMatrix& a64, Index c) {
  using Csr = Eigen::SparseMatrix<T, Eigen::RowMajor, std::int64_t>;
  using Dense = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Csr a = a64.cast<T>();
  Csr at = a.transpose();
  at.makeCompressed();
  const Dense w = Dense::Constant(a.cols(), c, T(1e-2));
  Dense z(a.rows(), c), g(a.cols(), c);
  for (auto _ : state) {
    z.noalias() = a * w;
    g.noalias() = at * z;
    benchmark::DoNotOptimize(g.data());
  }
}

void BM_SparseEigen(benchmark::State& state) {
  Learnreg& p = text(false);
  const Threads threads(static_cast<int>(state.range(1)));
  state.SetLabel(label(state) + " (Eigen serial: EIGEN_DONT_PARALLELIZE)");
  const Index c = p.train().num_classes;
  if (state.range(0) == 32) {
    eigen_products<float>(state, p.train().sparse(), c);
  } else {
    eigen_products<double>(state, p.train().sparse(), c);
  }
}

// Reads the non-zeros' values (T) and 32-bit column indices twice, W (d x c of T) once, and
// writes G once, split over the threads; with `problem`, also reads the double y and writes
// the double gradient.
template <class T>
void streaming_floor(benchmark::State& state, const data::SparseMatrix& a64, Index c,
                     bool problem) {
  const Index nnz = a64.nonZeros(), dc = a64.cols() * c;
  const std::vector<T> values(static_cast<std::size_t>(nnz), T(1));
  const std::vector<std::int32_t> index(static_cast<std::size_t>(nnz), 1);
  const std::vector<T> w(static_cast<std::size_t>(dc), T(1));
  std::vector<T> g(static_cast<std::size_t>(dc));
  const Vec y = Vec::Ones(problem ? dc : 0);
  Vec gy(problem ? dc : 0);
  for (auto _ : state) {
    T sum = 0;
    for (int pass = 0; pass < 2; ++pass) {
#pragma omp parallel for reduction(+ : sum) schedule(static)
      for (Index i = 0; i < nnz; ++i) sum += values[i] * T(index[i]);
    }
#pragma omp parallel for reduction(+ : sum) schedule(static)
    for (Index i = 0; i < dc; ++i) sum += w[i];
#pragma omp parallel for schedule(static)
    for (Index i = 0; i < dc; ++i) g[i] = sum;
    if (problem) {
      double s2 = 0;
#pragma omp parallel for reduction(+ : s2) schedule(static)
      for (Index i = 0; i < dc; ++i) s2 += y[i];
#pragma omp parallel for schedule(static)
      for (Index i = 0; i < dc; ++i) gy[i] = s2;
    }
    benchmark::DoNotOptimize(g.data());
    benchmark::DoNotOptimize(gy.data());
  }
  const double bytes = 2.0 * nnz * (sizeof(T) + 4) + 2.0 * dc * sizeof(T) +
                       (problem ? 2.0 * dc * sizeof(double) : 0);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}

void BM_SparseFloor(benchmark::State& state) {
  Learnreg& p = text(false);
  const Threads threads(static_cast<int>(state.range(1)));
  const bool problem = state.range(2) == 1;
  state.SetLabel(label(state) + (problem ? "_problem" : "_kernel"));
  const Index c = p.train().num_classes;
  if (state.range(0) == 32) {
    streaming_floor<float>(state, p.train().sparse(), c, problem);
  } else {
    streaming_floor<double>(state, p.train().sparse(), c, problem);
  }
}

// australian (0) or a9a (1), as loaded (CSR) or as a dense copy.
const data::Dataset& libsvm(int which, bool dense) {
  static std::unique_ptr<data::Dataset> cache[2][2];
  auto& p = cache[which][dense];
  if (!p) {
    p = std::make_unique<data::Dataset>(data::load_dataset(which == 0 ? "australian" : "a9a"));
    if (dense) p->features = data::DenseMatrix(p->sparse());
  }
  return *p;
}

void BM_LibsvmGradient(benchmark::State& state) {
  const int which = static_cast<int>(state.range(2));
  const bool dense = state.range(3) == 1;
  const Threads threads(static_cast<int>(state.range(1)));
  state.SetLabel(label(state) + (which == 0 ? "_australian" : "_a9a") +
                 (dense ? "_dense_copy" : "_as_loaded"));
  const data::Dataset& ds = libsvm(which, dense);
  const SoftmaxRegression ce(&ds, {true, state.range(0) == 32});
  const Vec y = 1e-2 * Vec::Ones(ce.dim());
  const Vec s = Vec::Constant(ds.num_samples(), 1.0 / ds.num_samples());
  Vec g;
  for (auto _ : state) {
    ce.gradient_at(y, {}, s, &g, nullptr);
    benchmark::DoNotOptimize(g.data());
  }
}

// The fastest repetition beside the median: on a shared machine the other processes only
// ever add time.
double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

void sparse_args(benchmark::internal::Benchmark* b, std::vector<std::vector<std::int64_t>> args) {
  b->ArgsProduct(std::move(args))
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond)
      ->ComputeStatistics("min", fastest);
}

BENCHMARK(BM_SparseGradient)->Apply([](auto* b) { sparse_args(b, {{32, 64}, {1, 2}}); });
BENCHMARK(BM_SparseGradientPair)->Apply([](auto* b) { sparse_args(b, {{32, 64}, {1, 2}}); });
BENCHMARK(BM_SparseCrossEntropy)->Apply([](auto* b) { sparse_args(b, {{32, 64}, {1, 2}}); });
BENCHMARK(BM_SparseEigen)->Apply([](auto* b) { sparse_args(b, {{32, 64}, {1, 2}}); });
BENCHMARK(BM_SparseFloor)->Apply([](auto* b) { sparse_args(b, {{32, 64}, {1, 2}, {0, 1}}); });
BENCHMARK(BM_LibsvmGradient)->Apply([](auto* b) {
  sparse_args(b, {{32, 64}, {1, 2}, {0, 1}, {0, 1}});
});
BENCHMARK(BM_SparseMinibatch)->Apply([](auto* b) {
  sparse_args(b, {{32, 64}, {1, 2}, {100, 300, 1000}});
});

}  // namespace
}  // namespace bilevel
