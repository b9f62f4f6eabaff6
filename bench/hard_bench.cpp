// Cost of the zero-chain's gradient (hard/zero_chain.hpp), which every oracle call of the hard
// instances evaluates, at T = 1403 links (hard-carmon at eps = 0.000625): the chain's link
// function (an inactive link, |u| <= 1/2, returns at once; an active one evaluates Psi's and
// Phi's exponentials once each) against the textbook evaluation of every term (four Psi and
// four Phi calls per link, as the formula reads), in one process, at three stages of a run: the
// start (no link active), a tenth of the chain walked, and the whole chain walked.
//
//   build/bilevel_bench --benchmark_filter=ZeroChain --benchmark_repetitions=5 \
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bilevel/hard/zero_chain.hpp"

namespace bilevel::hard {
namespace {

constexpr Index kT = 1403;

// A point whose first `active` coordinates are past the threshold 1/2 (their links active).
Vec walked(Index active) {
  Vec x = Vec::Zero(kT);
  for (Index i = 0; i < active; ++i) x(i) = 1.0 + 0.3 * static_cast<double>(i % 5);
  return x;
}

// f_T's gradient as the formula reads: both Psi and both Phi terms of every link.
void textbook_gradient(const Vec& x, Vec* g) {
  g->setZero(kT);
  (*g)(0) = -psi(1) * phi(x(0), 1);
  for (Index i = 1; i < kT; ++i) {
    const double a = x(i - 1), b = x(i);
    (*g)(i - 1) += -psi(-a, 1) * phi(-b) - psi(a, 1) * phi(b);
    (*g)(i) += -psi(-a) * phi(-b, 1) - psi(a) * phi(b, 1);
  }
}

void BM_ZeroChainGradient(benchmark::State& state) {
  const ZeroChain chain(kT);
  const Vec x = walked(state.range(0));
  Vec g(kT);
  for (auto _ : state) {
    chain.gradient(x, &g);
    benchmark::DoNotOptimize(g.data());
  }
  state.SetItemsProcessed(state.iterations() * kT);
}

void BM_ZeroChainGradientTextbook(benchmark::State& state) {
  const Vec x = walked(state.range(0));
  Vec g(kT);
  for (auto _ : state) {
    textbook_gradient(x, &g);
    benchmark::DoNotOptimize(g.data());
  }
  state.SetItemsProcessed(state.iterations() * kT);
}

BENCHMARK(BM_ZeroChainGradient)->Arg(0)->Arg(kT / 10)->Arg(kT);
BENCHMARK(BM_ZeroChainGradientTextbook)->Arg(0)->Arg(kT / 10)->Arg(kT);

}  // namespace
}  // namespace bilevel::hard
