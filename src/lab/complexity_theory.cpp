#include "bilevel/lab/complexity_theory.hpp"

#include <cmath>
#include <exception>
#include <string>
#include <string_view>

#include "bilevel/lab/complexity_sweep.hpp"

namespace bilevel {

namespace {

enum class Noise { kExact, kStochastic };

// One row of the table: `name` is a problem (lower bounds) or an algorithm (upper bounds).
// The exponent is `exponent + per_inverse_p / p` with p the algorithm's option p (only
// f2sa-p's bounds depend on it).
struct Row {
  std::string_view bound;
  std::string_view name;
  std::string_view key;  // eps or kappa
  Noise noise;
  double exponent;
  double per_inverse_p;
  std::string_view formula;
  std::string_view source;
};

// Every exponent below is quoted from the named paper (full citations: docs/references.md);
// read it there before changing one.
const Row kRows[] = {
    // --- lower bounds of the hard instances --------------------------------------------
    // Carmon et al. (2020) for smooth nonconvex functions, quoted in ji, after Theorem 1.
    {"lower", "hard-carmon", "eps", Noise::kExact, 2, 0, "Omega(eps^-2)",
     "Carmon et al. 2020, quoted in Ji (bilevel lower bounds), after Theorem 1"},
    // Arjevani et al. (2023), probability-p zero-chain: f2sa-p Table 1 (lower bound row).
    {"lower", "hard-arjevani", "eps", Noise::kStochastic, 4, 0, "Omega(eps^-4)",
     "Arjevani et al. 2023, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Table 1"},
    {"lower", "hard-separable", "eps", Noise::kStochastic, 4, 0, "Omega(eps^-4)",
     "Chen, Li, Chayti & Zhang (F2SA-p), Theorem 4.1"},
    {"lower", "hard-ji", "eps", Noise::kExact, 2, 0, "Omega(kappa^(3/2) eps^-2)",
     "Ji (bilevel lower bounds), Theorem 1"},
    {"lower", "hard-ji", "kappa", Noise::kExact, 1.5, 0, "Omega(kappa^(3/2) eps^-2)",
     "Ji (bilevel lower bounds), Theorem 1"},
    {"lower", "hard-ji-stoch", "eps", Noise::kStochastic, 4, 0, "Omega(kappa^(5/2) eps^-4)",
     "Ji (bilevel lower bounds), Theorem 2"},
    {"lower", "hard-ji-stoch", "kappa", Noise::kStochastic, 2.5, 0, "Omega(kappa^(5/2) eps^-4)",
     "Ji (bilevel lower bounds), Theorem 2"},
    // Kwon et al. (2024), under the y*-aware stochastic oracle: the slides' "Lower Bounds"
    // page, and ji's remark after Theorem 2.
    {"lower", "hard-kwon", "eps", Noise::kStochastic, 6, 0, "Omega(eps^-6), y*-aware oracle",
     "Kwon et al. F2SA slides 2025, Lower Bounds; Ji (bilevel lower bounds), after Theorem 2"},

    // --- upper bounds of the methods ----------------------------------------------------
    {"upper", "f2ba", "eps", Noise::kExact, 2, 0, "O(kappa^4 eps^-2 log(kappa/eps))",
     "Chen, Ma & Zhang 2025, Theorem 4.1"},
    {"upper", "f2ba", "kappa", Noise::kExact, 4, 0, "O(kappa^4 eps^-2 log(kappa/eps))",
     "Chen, Ma & Zhang 2025, Theorem 4.1"},
    {"upper", "pf2ba", "eps", Noise::kExact, 2, 0, "O(kappa^4 eps^-2 log^5(kappa/eps))",
     "Chen, Ma & Zhang 2025, Theorem 5.1"},
    {"upper", "pf2ba", "kappa", Noise::kExact, 4, 0, "O(kappa^4 eps^-2 log^5(kappa/eps))",
     "Chen, Ma & Zhang 2025, Theorem 5.1"},
    {"upper", "aid-cg", "eps", Noise::kExact, 2, 0, "O(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (AID)"},
    {"upper", "aid-cg", "kappa", Noise::kExact, 4, 0, "O(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (AID)"},
    {"upper", "aid-ns", "eps", Noise::kExact, 2, 0, "O(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (AID)"},
    {"upper", "aid-ns", "kappa", Noise::kExact, 4, 0, "O(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (AID)"},
    {"upper", "itd", "eps", Noise::kExact, 2, 0, "O~(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (ITD)"},
    {"upper", "itd", "kappa", Noise::kExact, 4, 0, "O~(kappa^4 eps^-2)",
     "Chen, Ma & Zhang 2025, Table 1 (ITD)"},
    {"upper", "bome", "eps", Noise::kExact, 6, 0, "O~(poly(kappa) eps^-6)",
     "Chen, Ma & Zhang 2025, Table 1 (BOME)"},
    // F2SA with the slides' step-size exponents (a, c) = (1/3, 0) exact, (5/7, 4/7) when f
    // and g are noisy; f2sa-p's Table 1 also quotes the sharper eps^-6 of Kwon et al. 2024a.
    {"upper", "f2sa", "eps", Noise::kExact, 3, 0, "O~(eps^-3)",
     "Kwon et al. F2SA slides 2025, Complexity of F2SA (exact gradients)"},
    {"upper", "f2sa", "eps", Noise::kStochastic, 7, 0, "O~(eps^-7), f and g noisy",
     "Kwon et al. F2SA slides 2025, Complexity of F2SA"},
    {"upper", "f2sa", "eps", Noise::kStochastic, 6, 0, "O~(poly(kappa) eps^-6)",
     "Kwon et al. 2024a, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Table 1"},
    {"upper", "f3sa", "eps", Noise::kExact, 3, 0, "O~(eps^-3)",
     "Kwon et al. F2SA slides 2025, Complexity of F3SA (exact gradients)"},
    {"upper", "f3sa", "eps", Noise::kStochastic, 5, 0, "O~(eps^-5), f and g noisy",
     "Kwon et al. F2SA slides 2025, Complexity of F3SA"},
    {"upper", "f2sa-p", "eps", Noise::kStochastic, 4, 2, "O~(p kappa^(9+2/p) eps^(-4-2/p))",
     "Chen, Li, Chayti & Zhang (F2SA-p), Theorem 3.1"},
    {"upper", "f2sa-p", "kappa", Noise::kStochastic, 9, 2, "O~(p kappa^(9+2/p) eps^(-4-2/p))",
     "Chen, Li, Chayti & Zhang (F2SA-p), Theorem 3.1"},
    // stocBiO (Ji et al. 2021) under the stochastic-Hessian assumption, as f2sa-p quotes it.
    {"upper", "stocbio", "eps", Noise::kStochastic, 4, 0, "O~(kappa^9 eps^-4)",
     "Ji et al. 2021, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Remark 3.4"},
    {"upper", "stocbio", "kappa", Noise::kStochastic, 9, 0, "O~(kappa^9 eps^-4)",
     "Ji et al. 2021, quoted in Chen, Li, Chayti & Zhang (F2SA-p), Remark 3.4"},
};

// The option p of the algorithm, or NaN when it has none (or not a number).
double option_p(const KeyValues& options) {
  for (const auto& [key, value] : options)
    if (key == "p") {
      try {
        return std::stod(value);
      } catch (const std::exception&) {
        break;
      }
    }
  return std::nan("");
}

}  // namespace

bool is_stochastic(const KeyValues& problem_options) {
  for (const auto& [key, value] : problem_options)
    if (key == "sigma") {
      try {
        return std::stod(value) > 0;
      } catch (const std::exception&) {
        return false;
      }
    }
  return false;
}

std::vector<ReferenceExponent> reference_exponents(const TheoryQuery& q) {
  // A tol sweep measures one fixed problem against accuracy: the methods' eps bounds apply,
  // the instances' lower bounds (rebuilt per eps) do not.
  const bool tol_sweep = q.key == kToleranceKey;
  const std::string key = tol_sweep ? "eps" : q.key;
  const Noise noise = q.stochastic ? Noise::kStochastic : Noise::kExact;
  std::vector<ReferenceExponent> out;
  for (const Row& row : kRows) {
    const bool lower = row.bound == "lower";
    if (row.key != key || row.noise != noise) continue;
    if (row.name != (lower ? q.problem : q.algo) || (lower && tol_sweep)) continue;
    double exponent = row.exponent;
    if (row.per_inverse_p != 0) {
      const double p = option_p(q.algo_options);
      if (!(p >= 1)) continue;
      exponent += row.per_inverse_p / p;
    }
    out.push_back(
        {std::string(row.bound), exponent, std::string(row.formula), std::string(row.source)});
  }
  return out;
}

}  // namespace bilevel
