// A built-in problem, a run that a callback stops early, and the run's full report.
//
// The callback sees every trace record with the exact ||grad phi(x)|| (evaluated by bilevel,
// not counted as oracle calls) and stops the run as soon as it is 1000 times smaller than at
// the start, long before the iteration limit. Returning Action::kStop keeps the iterate (Status::kUserStop);
// Action::kAbort would mark it unusable.
#include <bilevel/algorithms/f2ba.hpp>
#include <bilevel/core/method.hpp>
#include <bilevel/problems/quadratic.hpp>
#include <bilevel/registry.hpp>

#include <cstdio>
#include <iostream>

using namespace bilevel;

int main() {
  // The built-in random quadratic problem with 30 upper- and 40 lower-level variables and a
  // lower level of condition number kappa = L / mu = 10. The same by name:
  //   make_problem("quadratic", {{"dx", "30"}, {"dy", "40"}, {"mu", "0.1"}, {"L", "1"}})
  QuadraticOptions q;
  q.dx = 30;
  q.dy = 40;
  q.mu = 0.1;
  q.L = 1.0;
  Quadratic problem(q);

  // Stop once ||grad phi|| is 1000 times smaller than at the start. F2BA's fixed multiplier
  // lam leaves ||grad phi|| at a floor of order 1/lam (about 0.004 here with lam = 1e4), so
  // the target must lie above it: this run would otherwise go on to the iteration limit.
  double threshold = 0;
  Index records_seen = 0;

  RunSettings settings;
  settings.stopping.max_iters = 100000;  // far more than needed: the callback ends the run
  settings.log_every = 5;                // a record (and a callback) every 5 iterations
  settings.callbacks.push_back([&](const IterRecord& record, const Vec& /*x*/, const Vec& /*y*/) {
    ++records_seen;
    if (record.iter == 0) threshold = record.hypergrad_norm / 1000;  // the starting point
    if (record.hypergrad_norm < threshold) {
      std::printf("callback: ||grad phi|| = %.3e < %.3e at iteration %lld: stop\n\n",
                  record.hypergrad_norm, threshold, static_cast<long long>(record.iter));
      return Action::kStop;
    }
    return Action::kContinue;
  });

  F2baOptions options;
  options.penalty.lam = 1e4;
  const Result r = F2ba(options).solve(problem, settings);  // from the problem's initial point

  std::cout << r.full_report() << '\n';
  std::printf("%lld trace records seen by the callback\n", static_cast<long long>(records_seen));
  // Stopped by the callback, well before the iteration limit.
  return r.status == Status::kUserStop && r.iters < settings.stopping.max_iters ? 0 : 1;
}
