// Cost of the exact diagnostics (phi and ||grad phi|| at every trace row) on Fashion-MNIST data
// hyper-cleaning, n_train = 20000 (DIAG_N in the environment to change it): Newton-CG for
// y*(x) and CG for the hypergradient, with the last Newton step aimed at the gradient test
// (DiagnosticsOptions::aim_last_newton_step) and without (the forcing term alone, as before).
// The trace rows are the iterates of an f2ba run (diagnostics off), evaluated in order by one
// Diagnostics as a run does (warm starts carried from row to row); one benchmark iteration is
// all the rows. Counters are per row; each row's own figures go to stderr.
//
//   build/bilevel_bench --benchmark_filter=Diagnostics
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/registry.hpp"

namespace bilevel {
namespace {

constexpr Index kRows = 4;  // the start and 3 outer iterations

struct Rows {
  std::unique_ptr<Hyperclean> problem;
  std::vector<Vec> xs;
};

Rows& fashion_rows() {
  static Rows r;
  if (r.problem) return r;
  HypercleanOptions o;
  o.dataset = "fashion-mnist";
  o.split.n_train = std::getenv("DIAG_N") ? std::atol(std::getenv("DIAG_N")) : 20000;
  r.problem = std::make_unique<Hyperclean>(o);
  RunSettings s;
  s.diagnostics = false;
  s.stopping.max_iters = kRows - 1;
  s.callbacks.push_back([&](const IterRecord&, const Vec& x, const Vec&) {
    r.xs.push_back(x);
    return Action::kContinue;
  });
  make_algorithm("f2ba", {})->solve(*r.problem, s);
  return r;
}

void BM_DiagnosticsRows(benchmark::State& state, bool aim_last_step) {
  Rows& rows = fashion_rows();
  DiagnosticsOptions o;
  o.aim_last_newton_step = aim_last_step;
  DiagnosticsStats total;
  double checksum = 0;
  Index evaluated = 0;
  for (auto _ : state) {
    Diagnostics d(*rows.problem, o);
    for (const Vec& x : rows.xs) {
      const DiagnosticsStats before = d.stats();
      const auto start = std::chrono::steady_clock::now();
      const double phi = d.phi(x), norm = d.hypergradient(x).norm();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      const DiagnosticsStats& after = d.stats();
      // Row by row (the first, from y = 0, costs most): to stderr, beside the counters.
      std::fprintf(stderr,
                   "row %lld: %.2f s, newton %lld, solves %lld, hvp %lld, phi %.15g, "
                   "|grad phi| %.15g\n",
                   static_cast<long long>(evaluated), took.count(),
                   static_cast<long long>(after.newton_steps - before.newton_steps),
                   static_cast<long long>(after.cg_solves - before.cg_solves),
                   static_cast<long long>(after.hvp - before.hvp), phi, norm);
      checksum += phi + norm;
      ++evaluated;
    }
    const DiagnosticsStats& s = d.stats();
    total.newton_steps += s.newton_steps;
    total.cg_solves += s.cg_solves;
    total.hvp += s.hvp;
    total.gradients += s.gradients;
  }
  benchmark::DoNotOptimize(checksum);
  const auto per_row = [&](Index v) {
    return static_cast<double>(v) / static_cast<double>(evaluated);
  };
  state.SetItemsProcessed(evaluated);
  state.counters["newton_per_row"] = per_row(total.newton_steps);
  state.counters["solves_per_row"] = per_row(total.cg_solves);
  state.counters["hvp_per_row"] = per_row(total.hvp);
  state.counters["grads_per_row"] = per_row(total.gradients);
}
BENCHMARK_CAPTURE(BM_DiagnosticsRows, forcing_only, false)->Unit(benchmark::kSecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_DiagnosticsRows, aim_last_step, true)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace bilevel
