// Method<Derived, Options, Run>: what every algorithm does with its options, written once.
//
// A method is its options struct, its run state and one short class:
//
//   struct F2baOptions { ...fields...; void declare(OptionList& o); };
//   class F2baRun : public MethodRun {
//    public:
//     F2baRun(const F2baOptions& resolved, Problem& p, const Vec& x0, const Vec& y0, Rng& rng,
//             RunContext& context);
//     void step(Problem& p, Rng& rng, Index k) override;
//     ...
//   };
//   class F2ba : public Method<F2ba, F2baOptions, F2baRun> {
//    public:
//     static constexpr const char* kName = "f2ba";
//     static constexpr const char* kDescription = "...";
//     using Method::Method;
//   };
//
// From here it gets its name and description, validation, the option values and docs (all
// from Options::declare), with_options, and the resolution of "auto" options into the
// resolved copy that the run is built from and the summary echoes: no method writes its own
// resolved_options(). Run is built once per solve and kept in Result::state.
#pragma once

#include <memory>
#include <utility>

#include "bilevel/core/algorithm.hpp"

namespace bilevel {

template <class Derived, class Options, class Run>
class Method : public Algorithm {
 public:
  using OptionsType = Options;
  using RunType = Run;

  Method() = default;
  explicit Method(Options o) : o_(std::move(o)) {}

  const Options& options() const { return o_; }

  std::string name() const override { return Derived::kName; }
  std::string description() const override { return Derived::kDescription; }
  OptionValues option_values() const override { return bilevel::option_values(o_, name()); }
  std::vector<OptionDoc> option_docs() const override { return bilevel::option_docs(o_, name()); }
  std::vector<std::string> validate() const override { return option_violations(o_, name()); }
  std::unique_ptr<Algorithm> with_options(const KeyValues& kv) const override {
    return std::make_unique<Derived>(options_from(kv, name(), o_));
  }

 private:
  std::unique_ptr<MethodRun> start(Problem& problem, const Vec& x0, const Vec& y0, Rng& rng,
                                   RunContext& context, OptionValues* resolved) const final {
    const Options r = resolve_options(o_, problem, name(), &context.warnings);
    *resolved = bilevel::option_values(r, name());
    return std::make_unique<Run>(r, problem, x0, y0, rng, context);
  }

  Options o_;
};

// solve<F2ba>(problem, options, x0, y0, settings): one run of method M with typed options.
template <class M>
Result solve(Problem& problem, const typename M::OptionsType& options, const Vec& x0, const Vec& y0,
             const RunSettings& settings = {}) {
  return M(options).solve(problem, x0, y0, settings);
}

}  // namespace bilevel
