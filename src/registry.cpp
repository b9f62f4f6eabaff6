#include "bilevel/registry.hpp"

#include <type_traits>

#include "bilevel/algorithms/aggitd.hpp"
#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/baseline.hpp"
#include "bilevel/algorithms/bome.hpp"
#include "bilevel/algorithms/dist_aid.hpp"
#include "bilevel/algorithms/dist_f2ba.hpp"
#include "bilevel/algorithms/f2ba.hpp"
#include "bilevel/algorithms/f2sa.hpp"
#include "bilevel/algorithms/f2sa_p.hpp"
#include "bilevel/algorithms/f3sa.hpp"
#include "bilevel/algorithms/fsba.hpp"
#include "bilevel/algorithms/ifsba.hpp"
#include "bilevel/algorithms/itd.hpp"
#include "bilevel/algorithms/lmcn.hpp"
#include "bilevel/algorithms/mrbo.hpp"
#include "bilevel/algorithms/pf2ba.hpp"
#include "bilevel/algorithms/prox_f2sa.hpp"
#include "bilevel/algorithms/soba.hpp"
#include "bilevel/algorithms/stocbio.hpp"
#include "bilevel/algorithms/vrbo.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/suggest.hpp"
#include "bilevel/problems/dro_logistic.hpp"
#include "bilevel/hard/hard_chain.hpp"
#include "bilevel/hard/hard_ji.hpp"
#include "bilevel/hard/hard_kwon.hpp"
#include "bilevel/problems/hyperclean.hpp"
#include "bilevel/problems/learnreg.hpp"
#include "bilevel/problems/minimax_synthetic.hpp"
#include "bilevel/problems/nasty.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/problems/saddle.hpp"

namespace bilevel {

namespace {

// A problem P built from its options struct O: P::kName, P::kDescription, P(O).
template <class P, class O>
ProblemEntry problem_entry() {
  ProblemEntry e;
  e.name = P::kName;
  e.description = P::kDescription;
  e.make = [](const KeyValues& kv) -> std::unique_ptr<Problem> {
    const O o = options_from<O>(kv, P::kName);
    Violations v;
    v.add_all(option_violations(o, P::kName));
    v.throw_if_any(P::kName);
    return std::make_unique<P>(o);
  };
  if constexpr (std::is_constructible_v<P, const O&, const Shard&>) {
    e.make_shard = [](const KeyValues& kv, const Shard& shard) -> std::unique_ptr<Problem> {
      const O o = options_from<O>(kv, P::kName);
      Violations v;
      v.add_all(option_violations(o, P::kName));
      v.throw_if_any(P::kName);
      return std::make_unique<P>(o, shard);
    };
  }
  if constexpr (std::is_constructible_v<P, data::Dataset, data::Dataset, data::Dataset,
                                        const O&>) {
    e.make_from_data = [](const KeyValues& kv, data::Dataset train, data::Dataset val,
                          data::Dataset test) -> std::unique_ptr<Problem> {
      for (const auto& [key, value] : kv)
        if (key == "dataset" || key == "n_train" || key == "n_val" || key == "n_test" ||
            key == "train" || key == "val" || key == "test")
          throw InvalidInput(std::string(P::kName) + ": option " + key +
                             " chooses or splits a dataset, but the train / validation / test "
                             "sets are given; drop " + key);
      O o = options_from<O>(kv, P::kName);
      o.dataset = train.name;  // what the summaries echo
      Violations v;
      v.add_all(option_violations(o, P::kName));
      v.throw_if_any(P::kName);
      return std::make_unique<P>(std::move(train), std::move(val), std::move(test), o);
    };
  }
  e.options = [] { return option_docs(O{}, P::kName); };
  if constexpr (requires { P::lower_bounds(std::string_view{}, false); })
    e.lower_bounds = &P::lower_bounds;
  return e;
}

template <class A>
AlgorithmEntry algorithm_entry() {
  return {A::kName, A::kDescription, [] { return std::make_unique<A>(); }};
}

}  // namespace

// Adding a problem or a method: its include above and one line below.
const std::vector<ProblemEntry>& problem_registry() {
  static const std::vector<ProblemEntry> entries = {
      problem_entry<Quadratic, QuadraticOptions>(),
      problem_entry<Saddle, SaddleOptions>(),
      problem_entry<Hyperclean, HypercleanOptions>(),
      problem_entry<Learnreg, LearnregOptions>(),
      problem_entry<Nasty, NastyOptions>(),
      problem_entry<MinimaxSynthetic, MinimaxSyntheticOptions>(),
      problem_entry<DroLogistic, DroLogisticOptions>(),
      problem_entry<HardCarmon, HardCarmonOptions>(),
      problem_entry<HardArjevani, HardArjevaniOptions>(),
      problem_entry<HardSeparable, HardSeparableOptions>(),
      problem_entry<HardKwon, HardKwonOptions>(),
      problem_entry<HardJi, HardJiOptions>(),
      problem_entry<HardJiStoch, HardJiStochOptions>(),
  };
  return entries;
}

const std::vector<AlgorithmEntry>& algorithm_registry() {
  static const std::vector<AlgorithmEntry> entries = {
      algorithm_entry<F2ba>(),     algorithm_entry<DistF2ba>(), algorithm_entry<Pf2ba>(),
      algorithm_entry<F2sa>(),     algorithm_entry<F3sa>(),     algorithm_entry<F2saP>(),
      algorithm_entry<ProxF2sa>(), algorithm_entry<Fsba>(),     algorithm_entry<Lfsba>(),
      algorithm_entry<Ifsba>(),    algorithm_entry<Lmcn>(),     algorithm_entry<AidCg>(),
      algorithm_entry<AidNs>(),    algorithm_entry<Itd>(),      algorithm_entry<Stocbio>(),
      algorithm_entry<Mrbo>(),     algorithm_entry<Vrbo>(),     algorithm_entry<Soba>(),
      algorithm_entry<Bome>(),     algorithm_entry<Baseline>(), algorithm_entry<DistAid>(),
      algorithm_entry<Aggitd>(),
  };
  return entries;
}

std::unique_ptr<Problem> make_problem(const std::string& name, const KeyValues& options,
                                      const Shard& shard) {
  std::string known;
  std::vector<std::string> names;
  for (const auto& e : problem_registry()) {
    if (e.name == name) {
      if (!shard.whole() && e.make_shard) return e.make_shard(options, shard);
      return e.make(options);  // whole (or replicated on every rank)
    }
    known += (known.empty() ? "" : ", ") + e.name;
    names.push_back(e.name);
  }
  throw InvalidInput("unknown problem '" + name + "'; known problems: " + known +
                     did_you_mean(name, names));
}

std::unique_ptr<Problem> make_problem_from_data(const std::string& name, const KeyValues& options,
                                                data::Dataset train, data::Dataset val,
                                                data::Dataset test) {
  std::string takes_data;
  for (const auto& e : problem_registry())
    if (e.make_from_data) takes_data += (takes_data.empty() ? "" : ", ") + e.name;
  for (const auto& e : problem_registry()) {
    if (e.name != name) continue;
    if (!e.make_from_data)
      throw InvalidInput("problem '" + name + "' takes no data sets; the problems that do: " +
                         takes_data);
    return e.make_from_data(options, std::move(train), std::move(val), std::move(test));
  }
  make_problem(name);  // throws: unknown name, with the known ones
  return nullptr;
}

std::unique_ptr<Algorithm> make_algorithm(const std::string& name, const KeyValues& options) {
  std::string known;
  std::vector<std::string> names;
  for (const auto& e : algorithm_registry()) {
    if (e.name == name) {
      return e.make()->with_options(options);
    }
    known += (known.empty() ? "" : ", ") + e.name;
    names.push_back(e.name);
  }
  throw InvalidInput("unknown algorithm '" + name + "'; known algorithms: " + known +
                     did_you_mean(name, names));
}

}  // namespace bilevel
