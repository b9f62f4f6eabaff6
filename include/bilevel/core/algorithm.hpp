// The Algorithm interface and the shared run loop.
//
// Every method implements `init` (resolve "auto" options against the problem, allocate
// workspaces) and `step` (one outer iteration). The base class owns everything common:
// validation before a run, stopping rules, timing that excludes diagnostics, the exact
// trace (phi and ||grad phi|| from Diagnostics), callbacks, and divergence detection.
// Algorithms never print.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/result.hpp"

namespace bilevel {

struct Stopping {
  Index max_iters = 1000;       // outer iterations (>= 1)
  Index max_oracle_calls = 0;   // budget on OracleCounts::total_calls(); 0 = none
  double time_limit_s = 0;      // wall time of the algorithm; 0 = none
  double tol = 0;               // stop when exact ||grad phi|| <= tol; 0 = off
};

enum class Action { kContinue, kStop };

// Called after every logged record, the one that ends the run included. Returning kStop ends
// the run with Status::kUserStop (unless that record also diverged or met tol).
using Callback = std::function<Action(const IterRecord&)>;

struct RunSettings {
  Stopping stopping;
  std::uint64_t seed = 0;
  Index log_every = 1;      // record (and evaluate diagnostics) every this many iterations
  bool diagnostics = true;  // false: phi / hypergrad_norm are NaN (saves time on big problems)
  // Also record lambda_min(Hess phi) (second-order stationarity; needs diagnostics). Costly
  // without a closed-form Hess phi: 2 dim_x hypergradients per record up to dim_x = 200,
  // else 2 per Lanczos product (see diagnostics.hpp).
  bool min_eig = false;
  // false: the trace keeps only its first and latest records (callbacks still see every
  // record). Long runs that log every iteration to stop at the first iterate within tol
  // (bilevel complexity) then use constant memory instead of ~200 bytes per iteration.
  bool keep_trace = true;
  std::vector<Callback> callbacks;
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // The algorithm's options, bound to its Options struct (read and write).
  virtual OptionList options() = 0;
  // Every violated constraint of the current options; empty if valid.
  virtual std::vector<std::string> validate() const = 0;

  // Sets options from key=value pairs (throws InvalidOptions on an unknown key or bad value).
  void set_options(const KeyValues& kv);

  // Validates (throws InvalidOptions), then runs from (x0, y0). Never throws for divergence
  // or limits: those are reported in Result::status.
  Result run(Problem& problem, const Vec& x0, const Vec& y0, const RunSettings& settings);

  // The current iterate x and the method's estimate of y*(x), for callbacks that inspect the
  // run between iterations (valid during and after run()).
  const Vec& iterate_x() const { return current_x(); }
  const Vec& iterate_y() const { return current_y(); }

 protected:
  // Resolves "auto" options from the problem and prepares state. May throw InvalidOptions
  // (e.g. an "auto" default needs a constant the problem does not know).
  virtual void init(Problem& problem, const Vec& x0, const Vec& y0, Rng& rng) = 0;
  // One outer iteration; k counts from 0.
  virtual void step(Problem& problem, Rng& rng, Index k) = 0;
  virtual const Vec& current_x() const = 0;
  // The method's current estimate of y*(x).
  virtual const Vec& current_y() const = 0;
  // Resolved options for the summary; default: options().values().
  virtual KeyValues resolved_options() { return options().values(); }
  // Records a warning for Result::warnings (algorithms never print): a setting outside the
  // theory that may still work.
  void warn(std::string message) { warnings_.push_back(std::move(message)); }

 private:
  std::vector<std::string> warnings_;
};

}  // namespace bilevel
