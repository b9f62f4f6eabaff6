// Algorithms: immutable configurations that run on problems, and the shared run loop.
//
// An Algorithm holds only its options. `solve(problem, x0, y0, settings)` is const: it
// resolves the "auto" options against the problem into a resolved copy, creates the run's
// own state (a MethodRun: iterates, workspaces, samplers), and drives it with the loop every
// method shares: stopping rules, timing that excludes diagnostics, the exact trace (phi and
// ||grad phi|| from Diagnostics), callbacks, cancellation and divergence detection. One
// Algorithm object may therefore solve several problems at once from several threads (each
// problem object is one run's: it counts that run's oracle calls). Algorithms never print.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bilevel/core/checkpoint.hpp"
#include "bilevel/core/complexity_bounds.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/problem.hpp"
#include "bilevel/core/result.hpp"
#include "bilevel/core/state_archive.hpp"

namespace bilevel {

// Limits of one run. A limit of 0 is off.
struct Stopping {
  Index max_iters = 1000;
  Index max_oracle_calls = 0;
  double time_limit_s = 0;
  double tol = 0;

  void declare(OptionList& o);
};

// What a callback asks for after seeing a record.
enum class Action {
  kContinue,
  kStop,   // end the run; the iterate is usable (Status::kUserStop)
  kAbort,  // end the run; the iterate must not be used (Status::kUserAbort)
};

// Called after every logged record, the one that ends the run included, with the iterate x
// and the method's estimate y of y*(x) at that record.
using Callback = std::function<Action(const IterRecord& record, const Vec& x, const Vec& y)>;

struct RunSettings {
  Stopping stopping;
  std::uint64_t seed = 0;
  Index log_every = 1;
  bool diagnostics = true;
  bool min_eig = false;
  bool keep_trace = true;
  // The memory budget of problems and loaders ("auto" = what the machine has available, or a
  // size such as 4G; core/memory_budget.hpp). Process-wide: apply_memory_limit() sets it before
  // a problem is built.
  std::string max_memory = "auto";
  // Threads of the data kernels, the only thread pool the library uses (OpenMP; the libxsmm
  // kernels run inside it). 0 = the OpenMP default (OMP_NUM_THREADS, else every core).
  // Results do not depend on it. solve() applies it to the calling thread (apply_threads()).
  Index threads = 0;
  std::vector<Callback> callbacks;
  // When set, the run checks the flag before its first step and after every iteration, and
  // stops (Status::kUserStop, the last iterate logged) once it is true: a signal handler or
  // another thread sets it.
  const std::atomic<bool>* cancel = nullptr;
  // The same check, but the run ends as Status::kInterrupted: what a signal handler sets
  // (the CLI's SIGINT/SIGTERM), so that the caller can tell an interruption from a stop it
  // asked for.
  const std::atomic<bool>* interrupt = nullptr;
  // The communicator of the distributed methods (null: world_comm(), serial unless started by
  // mpirun in a build with MPI). Methods that do not communicate ignore it.
  Comm* comm = nullptr;
  // Checkpoints of the run's state (checkpoint.hpp).
  CheckpointSettings checkpoint;
  // When set, the run continues from this checkpoint instead of starting: the trace and the
  // result then cover the whole run, the part before the checkpoint included. The algorithm,
  // the problem, their options and the settings seed, log_every, diagnostics, min_eig and
  // keep_trace must be those of the run that wrote it (InvalidInput otherwise); the stopping
  // rules may differ (a run may be extended). x0 and y0 are ignored.
  const Checkpoint* resume = nullptr;

  // The declared settings (everything but callbacks, cancel, interrupt, comm, checkpoint and
  // resume).
  void declare(OptionList& o);
  // Sets the process-wide memory budget to max_memory (set_memory_limit).
  void apply_memory_limit() const;
  // Sets the calling thread's OpenMP thread count to `threads` (0: the OpenMP default).
  void apply_threads() const;
};

// One run's state: what a method updates at every outer iteration. Created by the
// Algorithm for each solve and destroyed at its end.
class MethodRun {
 public:
  virtual ~MethodRun() = default;
  // One outer iteration; k counts from 0.
  virtual void step(Problem& problem, Rng& rng, Index k) = 0;
  virtual const Vec& x() const = 0;
  // The method's current estimate of y*(x).
  virtual const Vec& y() const = 0;
  // Counters about the run for Result::method_counters (e.g. pf2ba's perturbations).
  virtual std::vector<std::pair<std::string, double>> counters() const { return {}; }
  // A distributed method's communicator: its counts go to the trace (comm_rounds,
  // comm_bytes) and the summary. Null for a method that does not communicate.
  virtual const Comm* comm() const { return nullptr; }
  // Lists every member that changes during the run, one `a("name", member)` each
  // (state_archive.hpp): what a checkpoint saves and a resumed run restores into a run built
  // from the same options. The default refuses checkpoints (InvalidInput).
  virtual void visit(StateArchive& a);
};

// What a run knows besides its options and may report besides its iterates. It lives as long
// as the solve: a run that keeps a pointer to it must not use it after its last step.
struct RunContext {
  std::string algo;  // the method's name, for messages
  Comm* comm = nullptr;  // RunSettings::comm, or world_comm(): what a distributed method uses
  std::vector<std::string> warnings;
  // A setting outside the method's theory that may still work (Result::warnings).
  void warn(std::string message) { warnings.push_back(std::move(message)); }
};

// What an algorithm asks of the problems it runs on (checked before a run starts).
struct Requirements {
  bool minimax = false;                  // f = F, g = -F (Problem::is_minimax)
  bool dense_hessian = false;            // Problem::hessian blocks
  bool hessian_vector_products = false;  // products with Hessian blocks (Problem::hvp)
  std::string alternative;               // a method to suggest when a requirement is not met
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;

  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // The options as configured ("auto" where the run resolves them), in declaration order.
  virtual OptionValues option_values() const = 0;
  // The options' names, values, constraints, rules and help (`bilevel list`, the docs).
  virtual std::vector<OptionDoc> option_docs() const = 0;
  // Every violated constraint of the options; empty if valid.
  virtual std::vector<std::string> validate() const = 0;
  // A copy with some options set from key=value text (throws InvalidOptions on an unknown
  // key or a value of the wrong type; constraints are checked by validate()).
  virtual std::unique_ptr<Algorithm> with_options(const KeyValues& kv) const = 0;
  virtual Requirements requirements() const { return {}; }
  // True for a method that runs on several ranks (RunSettings::comm with size() > 1): each
  // rank on its shard, averaging over ranks what it needs. The others refuse such a run.
  virtual bool runs_distributed() const { return false; }
  // The method's upper bounds on the oracle calls to reach ||grad phi|| <= eps, as its
  // papers state them, for a sweep of `key` ("eps" or "kappa"; the lab's complexity fits).
  virtual std::vector<ComplexityBound> upper_bounds(std::string_view /*key*/,
                                                    bool /*stochastic*/) const {
    return {};
  }

  // Validates the options and settings (throws InvalidOptions), checks the problem against
  // requirements() (throws InvalidInput), then runs from (x0, y0). Never throws for
  // divergence or limits: those are reported in Result::status.
  Result solve(Problem& problem, const Vec& x0, const Vec& y0, const RunSettings& settings) const;
  // From the problem's initial point.
  Result solve(Problem& problem, const RunSettings& settings) const;

 protected:
  // Resolves the options against the problem and creates the run's state at (x0, y0);
  // `resolved` receives the options with "auto" replaced by values. May throw InvalidOptions
  // (an "auto" default needs a constant the problem does not know).
  virtual std::unique_ptr<MethodRun> start(Problem& problem, const Vec& x0, const Vec& y0, Rng& rng,
                                           RunContext& context, OptionValues* resolved) const = 0;
};

// Throws InvalidOptions when `problem` lacks what `algorithm` requires, naming both.
void check_requirements(const Algorithm& algorithm, const Problem& problem);

}  // namespace bilevel
