#include "bilevel/registry.hpp"

#include "bilevel/algorithms/aid.hpp"
#include "bilevel/algorithms/baseline.hpp"
#include "bilevel/algorithms/bome.hpp"
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

std::vector<OptionDoc> option_docs(const OptionList& list) {
  std::vector<OptionDoc> docs;
  for (const auto& f : list.fields()) docs.push_back({f.name, list.get(f.name), f.help});
  return docs;
}

namespace {

// A problem whose options struct follows the declare/validate pattern.
template <class P, class Options>
ProblemEntry problem_entry(std::string name, std::string description) {
  ProblemEntry e;
  e.name = name;
  e.description = std::move(description);
  e.make = [name](const KeyValues& kv) -> std::unique_ptr<Problem> {
    Options o;
    OptionList list(name);
    o.declare(list);
    list.set_all(kv);
    Violations v;
    for (auto& m : o.validate()) v.check(false, m);
    v.throw_if_any(name);
    return std::make_unique<P>(o);
  };
  e.options = [name] {
    Options o;
    OptionList list(name);
    o.declare(list);
    return option_docs(list);
  };
  return e;
}

template <class A>
AlgorithmEntry algorithm_entry() {
  A a;
  return {a.name(), a.description(), [] { return std::make_unique<A>(); }};
}

}  // namespace

const std::vector<ProblemEntry>& problem_registry() {
  static const std::vector<ProblemEntry> entries = {
      problem_entry<Quadratic, QuadraticOptions>(
          "quadratic",
          "finite sums of random quadratics; g mu-strongly convex in y; closed-form y*, "
          "grad phi, Hess phi; optional gradient noise sigma"),
      problem_entry<Saddle, SaddleOptions>(
          "saddle",
          "small nonconvex problem whose phi has a strict saddle at the start x0 = 0 and "
          "minimizers at x_1 = odd/c; closed-form y*, grad phi, Hess phi, dense Hessians"),
      problem_entry<Hyperclean, HypercleanOptions>(
          "hyperclean",
          "data hyper-cleaning: per-sample weights (sigmoid, clip or softmax of x) on a "
          "partly mislabelled training set, multinomial logistic regression, validation loss"),
      problem_entry<Learnreg, LearnregOptions>(
          "learnreg",
          "learn-to-regularize: one log ridge weight per feature of a multinomial logistic "
          "regression, validation loss; dense or sparse features"),
      problem_entry<Nasty, NastyOptions>(
          "nasty",
          "the slides' nasty example: min x^2 + y^2 over [-1,1] s.t. y in argmin_[-1,1] x y "
          "(linear, constrained lower level; phi discontinuous at its minimizer (0, 0))"),
      problem_entry<MinimaxSynthetic, MinimaxSyntheticOptions>(
          "minimax-synthetic",
          "minimax min_x max_y F (f = F, g = -F), F strongly concave in y; P = max_y F has a "
          "strict saddle at 0 and minimizers +-r e_1; closed-form y*, grad P, Hess P"),
      problem_entry<DroLogistic, DroLogisticOptions>(
          "dro-logistic",
          "minimax distributionally robust logistic regression (f = F, g = -F) with a "
          "nonconvex regularizer and unconstrained chi-square-penalized sample weights y; "
          "closed-form y*, grad P, Hess P"),
      problem_entry<HardCarmon, HardCarmonOptions>(
          "hard-carmon",
          "lower bound: Carmon et al.'s zero-chain F scaled to (eps, L_f, delta) in the lower "
          "level, f = F(y), g = mu/2 ||y - x||^2; phi = F, ||grad phi|| > eps until x_T moves"),
      problem_entry<HardCarmon, HardArjevaniOptions>(
          "hard-arjevani",
          "hard-carmon with Arjevani et al.'s probability-p oracle for grad_y f (variance <= "
          "sigma^2): the chain advances with probability p per call"),
      problem_entry<HardSeparable, HardSeparableOptions>(
          "hard-separable",
          "the f2sa-p paper's separable lower bound: f = F(x) with a probability-p oracle, "
          "g = mu/2 y^2"),
      problem_entry<HardKwon, HardKwonOptions>(
          "hard-kwon",
          "Kwon et al.'s y*-aware instance: f = y, g = mu/2 (y - F(x))^2, y* = F(x); optional "
          "probability-p noise in grad_x g"),
      problem_entry<HardJi, HardJiOptions>(
          "hard-ji",
          "Ji's deterministic lower-bound chain: phi = rescaled Carmon zero-chain over x in R^T, "
          "g a path Laplacian per block y^(i) in R^n (n ~ sqrt(kappa)/2); Omega(kappa^1.5/eps^2)"),
      problem_entry<HardJiStoch, HardJiStochOptions>(
          "hard-ji-stoch",
          "hard-ji on boxes X, Y with Theorem 2's probability-p oracle on g (variance <= "
          "sigma^2); metric grad_mapping; Omega(kappa^2.5 sigma^2/eps^4)"),
  };
  return entries;
}

const std::vector<AlgorithmEntry>& algorithm_registry() {
  static const std::vector<AlgorithmEntry> entries = {
      algorithm_entry<F2ba>(),
      algorithm_entry<Pf2ba>(),
      algorithm_entry<F2sa>(),
      algorithm_entry<F3sa>(),
      algorithm_entry<F2saP>(),
      algorithm_entry<ProxF2sa>(),
      algorithm_entry<Fsba>(),
      algorithm_entry<Lfsba>(),
      algorithm_entry<Ifsba>(),
      algorithm_entry<Lmcn>(),
      algorithm_entry<AidCg>(),
      algorithm_entry<AidNs>(),
      algorithm_entry<Itd>(),
      algorithm_entry<Stocbio>(),
      algorithm_entry<Mrbo>(),
      algorithm_entry<Vrbo>(),
      algorithm_entry<Soba>(),
      algorithm_entry<Bome>(),
      algorithm_entry<Baseline>(),
  };
  return entries;
}

std::unique_ptr<Problem> make_problem(const std::string& name, const KeyValues& options) {
  std::string known;
  for (const auto& e : problem_registry()) {
    if (e.name == name) return e.make(options);
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw InvalidInput("unknown problem '" + name + "'; known problems: " + known);
}

std::unique_ptr<Algorithm> make_algorithm(const std::string& name, const KeyValues& options) {
  std::string known;
  for (const auto& e : algorithm_registry()) {
    if (e.name == name) {
      auto a = e.make();
      a->set_options(options);
      return a;
    }
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw InvalidInput("unknown algorithm '" + name + "'; known algorithms: " + known);
}

}  // namespace bilevel
