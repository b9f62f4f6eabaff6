#include "bilevel/lab/compare.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#include "bilevel/core/error.hpp"
#include "bilevel/registry.hpp"
#include "compare_internal.hpp"

namespace bilevel {

namespace {

// Whether the problem has a `seed` option the user left free: the comparison then sets it
// to each run's seed, so that seeds vary the split and corruption too, not only minibatches.
bool seeds_the_problem(const CompareConfig& c) {
  for (const auto& [key, value] : c.problem_options)
    if (key == "seed") return false;  // fixed by the user: one split for every seed
  for (const auto& entry : problem_registry())
    if (entry.name == c.problem && entry.options)
      for (const auto& doc : entry.options())
        if (doc.name == "seed") return true;
  return false;
}

KeyValues problem_options_for(const CompareConfig& c, std::uint64_t seed) {
  KeyValues kv = c.problem_options;
  kv.emplace_back("seed", std::to_string(seed));
  return kv;
}

RunSettings settings_for(const CompareConfig& c, std::uint64_t seed,
                         const std::atomic<bool>* interrupt) {
  RunSettings s;
  s.stopping = c.budget;
  s.seed = seed;
  s.log_every = c.log_every;
  s.diagnostics = c.diagnostics;
  // Runs on several threads each keep to one kernel thread, so that the pools do not fight
  // over the cores; results do not depend on the thread count.
  s.threads = c.jobs > 1 ? 1 : 0;
  s.interrupt = interrupt;
  return s;
}

// One run; a refusal of the options is its result, not an error of the comparison.
void run_one(const Algorithm& algo, Problem& problem, const RunSettings& settings,
             CompareRun* run) {
  run->ran = true;
  try {
    Result r = algo.solve(problem, settings);
    run->valid = true;
    run->status = r.status;
    run->message = r.message;
    run->iters = r.iters;
    run->time_s = r.time_s;
    run->trace = std::move(r.trace);
  } catch (const InvalidInput& e) {  // InvalidOptions, or a requirement the problem lacks
    run->message = e.what();
  }
}

}  // namespace

bool CompareRun::finished() const {
  return ran && valid && status != Status::kDiverged && status != Status::kInterrupted &&
         status != Status::kUserAbort && !trace.records.empty();
}

std::size_t CompareResult::runs_done() const {
  return static_cast<std::size_t>(
      std::count_if(runs.begin(), runs.end(), [](const CompareRun& r) { return r.ran; }));
}

CompareResult run_compare(const CompareConfig& config, const std::atomic<bool>* interrupt,
                          const CompareProgress& on_run) {
  if (config.seeds.empty()) throw InvalidInput("compare needs at least one seed");
  const bool per_seed = seeds_the_problem(config);
  // One problem per seed (its data loaded once), or one for all when the seed does not
  // change it; the first is built before the checks, which need its metrics.
  std::vector<std::unique_ptr<Problem>> problems;
  problems.push_back(make_problem(config.problem, per_seed
                                                      ? problem_options_for(config, config.seeds[0])
                                                      : config.problem_options));
  CompareResult res;
  res.config = resolve_with(config, *problems.front());
  res.entries = expand_methods(res.config);
  res.metric_names = problems.front()->metric_names();
  if (per_seed)
    for (std::size_t s = 1; s < config.seeds.size(); ++s)
      problems.push_back(make_problem(config.problem, problem_options_for(config, config.seeds[s])));

  std::vector<std::unique_ptr<Algorithm>> algos;
  for (const auto& e : res.entries) algos.push_back(make_algorithm(e.algo, e.options));
  const std::size_t seeds = config.seeds.size();
  const std::size_t total = res.entries.size() * seeds;
  res.runs.resize(total);
  for (std::size_t i = 0; i < total; ++i) {
    res.runs[i].entry = i / seeds;
    res.runs[i].seed = config.seeds[i % seeds];
  }

  // Workers take the runs in order; each stores its result in the run's own slot, so that the
  // result's order never depends on which run ended first.
  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards done, error, clone() and on_run
  std::size_t done = 0;
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto stopping = [&] {
    return failed.load() || (interrupt && interrupt->load(std::memory_order_relaxed));
  };
  auto worker = [&] {
    while (!stopping()) {
      const std::size_t i = next.fetch_add(1);
      if (i >= total) return;
      CompareRun& run = res.runs[i];
      try {
        std::unique_ptr<Problem> problem;
        {
          const std::lock_guard<std::mutex> lock(mutex);
          problem = problems[per_seed ? i % seeds : 0]->clone();
        }
        run_one(*algos[run.entry], *problem, settings_for(res.config, run.seed, interrupt), &run);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      const std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (on_run) on_run(run, done, total);
    }
  };
  const std::size_t jobs = std::min<std::size_t>(static_cast<std::size_t>(res.config.jobs), total);
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (std::size_t j = 0; j < jobs; ++j) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (error) std::rethrow_exception(error);

  res.interrupted = std::any_of(res.runs.begin(), res.runs.end(), [](const CompareRun& r) {
    return !r.ran || (r.valid && r.status == Status::kInterrupted);
  });
  summarise_compare(&res);
  return res;
}

}  // namespace bilevel
