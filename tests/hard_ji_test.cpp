// The hard-ji problems (Ji's lower-bound chains): the derived sizes and stated constants,
// oracles against finite differences, the closed forms y*, H and grad H, the zero-chain
// bound on real runs (f2ba, aid-cg, itd), Lemma 3 (||grad H|| >= eps while |x_T| < lam/n),
// Lemma 4 (H(0) - inf H <= Delta), and hard-ji-stoch's box (Lemma 6) and probability-p
// oracle (unbiased, variance <= sigma^2, exact without a seed).
#include "bilevel/hard/hard_ji.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/hard/zero_chain.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

using testing::fd_gradient;
using testing::fd_jacobian;
using testing::rel_err;

// kappa = 50: n = 3; eps = 0.09: T = 7 (dim y = 24).
HardJiOptions small() {
  HardJiOptions o;
  o.kappa = 50;
  o.eps = 0.09;
  return o;
}

// kappa = 5: n = 1, where y_1^(i) = y_n^(i) belongs to two terms of f.
HardJiOptions single() {
  HardJiOptions o;
  o.kappa = 5;
  o.eps = 0.04;
  o.L_f = 2;
  o.L_g = 3;
  return o;
}

// A point where the pair terms of f are in their curved region: |C y / lam| up to 3.
Vec curved_y(const HardJi& p, std::uint64_t seed) {
  const auto& s = p.sizes();
  return 3 * s.lam / std::min(s.C_l, s.C_r) *
         testing::random_vector(p.dim_y(), seed).array().tanh().matrix();
}
Vec curved_x(const HardJi& p, std::uint64_t seed) {
  const auto& s = p.sizes();
  return 2 * s.lam / static_cast<double>(s.n) *
         testing::random_vector(p.dim_x(), seed).array().tanh().matrix();
}

// Dense matrix of a linear map given by products.
Mat dense(Index rows, Index cols, const std::function<Vec(const Vec&)>& apply) {
  Mat m(rows, cols);
  for (Index j = 0; j < cols; ++j) m.col(j) = apply(Vec::Unit(cols, j));
  return m;
}

TEST(HardJiSizes, DerivedAsInTheProofOfTheoremOne) {
  HardJi p(small());
  const auto& s = p.sizes();
  ASSERT_EQ(s.n, 3);
  ASSERT_EQ(s.T, 7);
  EXPECT_EQ(p.dim_x(), 7);
  EXPECT_EQ(p.dim_y(), 24);
  // M = ((4n^2+1)/n^2) (I/n^2 + A)^{-1} from a dense inverse.
  Mat B = Mat::Zero(3, 3);
  B << 1 + 1.0 / 9, -1, 0, -1, 2 + 1.0 / 9, -1, 0, -1, 1 + 1.0 / 9;
  const Mat M = (37.0 / 9) * B.inverse();
  EXPECT_LT(rel_err(s.m, M.col(2)), 1e-14);
  EXPECT_NEAR(s.C_l, 3 / M(2, 2), 1e-14);
  EXPECT_NEAR(s.C_r, 3 / M(0, 2), 1e-14);
  EXPECT_NEAR(s.L, 152 * std::max(s.C_l, s.C_r) * std::max(s.C_l, s.C_r), 1e-12);
  EXPECT_NEAR(s.lam, 0.09 * s.L / 3, 1e-15);
  EXPECT_EQ(s.T, static_cast<Index>(std::floor(s.L / (12 * s.lam * s.lam))));
  EXPECT_NEAR(s.x0, s.lam / 3, 1e-15);
  // Lemma 2 / Lemma 10: 4cn <= M_1n <= M_in <= M_nn <= 5Cn.
  const double c = 1 - M_PI * M_PI / 12, C = 1 + M_PI * M_PI / 12;
  for (Index i = 0; i < 3; ++i) {
    EXPECT_GE(s.m(i), 4 * c * 3);
    EXPECT_LE(s.m(i), 5 * C * 3);
    if (i > 0) EXPECT_GE(s.m(i), s.m(i - 1));
  }
}

TEST(HardJiSizes, BadOptionsGiveOneLineErrors) {
  auto message = [](const KeyValues& kv) -> std::string {
    try {
      make_problem("hard-ji", kv);
    } catch (const InvalidInput& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(message({{"kappa", "4"}}).find("kappa must be >= 5"), std::string::npos);
  EXPECT_NE(message({{"eps", "0"}}).find("eps"), std::string::npos);
  EXPECT_NE(message({{"eps", "10"}}).find("lower eps or raise delta"), std::string::npos);
  EXPECT_NE(message({{"delta", "-1"}}).find("delta"), std::string::npos);
  try {
    make_problem("hard-ji-stoch", {{"sigma", "0"}});
    ADD_FAILURE() << "sigma = 0 accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("sigma must be > 0"), std::string::npos);
  }
}

TEST(HardJiConstants, LowerHessianSpectrumAndStatedBoundsHold) {
  for (const HardJiOptions& o : {small(), single()}) {
    HardJi p(o);
    const auto& s = p.sizes();
    const ProblemConstants c = p.constants();
    const Vec x = curved_x(p, 1), y = curved_y(p, 2);
    const Mat H = dense(p.dim_y(), p.dim_y(), [&](const Vec& v) {
      Vec out;
      p.hyy(Fn::kG, x, y, v, {}, &out);
      return out;
    });
    const Eigen::SelfAdjointEigenSolver<Mat> eg(H);
    const double mu = o.L_g / o.kappa;
    EXPECT_GE(eg.eigenvalues().minCoeff(), mu);
    EXPECT_LE(eg.eigenvalues().maxCoeff(), o.L_g * (1 + 1e-12));
    EXPECT_NEAR(eg.eigenvalues().minCoeff(), *c.mu_g, 1e-12);
    EXPECT_NEAR(eg.eigenvalues().minCoeff(), o.L_g / (4.0 * s.n * s.n + 1), 1e-12);
    EXPECT_NEAR(eg.eigenvalues().maxCoeff(), *c.L_g, 1e-12);

    // ||Hess_y f|| <= L_f at random points in the curved region and mu_fy = -L_f below it.
    double worst = 0;
    for (std::uint64_t seed = 10; seed < 40; ++seed) {
      const Vec yy = curved_y(p, seed);
      const Mat F = dense(p.dim_y(), p.dim_y(), [&](const Vec& v) {
        Vec out;
        p.hyy(Fn::kF, x, yy, v, {}, &out);
        return out;
      });
      const Eigen::SelfAdjointEigenSolver<Mat> ef(F);
      worst = std::max(worst, ef.eigenvalues().cwiseAbs().maxCoeff());
    }
    EXPECT_LE(worst, o.L_f);
    EXPECT_GT(worst, 0.3 * o.L_f);  // not loose: measured 0.44 (n = 3), 0.85 (n = 1)
    EXPECT_EQ(*c.mu_fy, -o.L_f);

    // H's gradient is L_phi-Lipschitz: difference quotients and the closed-form Hessian.
    double quotient = 0, hess_norm = 0;
    for (std::uint64_t seed = 50; seed < 80; ++seed) {
      const Vec a = curved_x(p, seed), b = a + 0.1 * curved_x(p, seed + 100);
      Vec ga, gb;
      p.closed_form_hypergradient(a, &ga);
      p.closed_form_hypergradient(b, &gb);
      quotient = std::max(quotient, (ga - gb).norm() / (a - b).norm());
      Mat h;
      p.closed_form_hessian_phi(a, &h);
      hess_norm = std::max(
          hess_norm, Eigen::SelfAdjointEigenSolver<Mat>(h).eigenvalues().cwiseAbs().maxCoeff());
    }
    EXPECT_LE(quotient, *c.L_phi);
    EXPECT_LE(hess_norm, *c.L_phi);
    EXPECT_GT(hess_norm, 0.3 * *c.L_phi);  // measured 0.59, 0.61

    // Hess H is rho_phi-Lipschitz: difference quotients of the closed-form Hessian over short
    // steps (where they approach the third derivative).
    double hess_quotient = 0;
    for (std::uint64_t seed = 80; seed < 200; ++seed) {
      const Vec a = curved_x(p, seed), b = a + 0.01 * curved_x(p, seed + 100);
      Mat ha, hb;
      p.closed_form_hessian_phi(a, &ha);
      p.closed_form_hessian_phi(b, &hb);
      const double d =
          Eigen::SelfAdjointEigenSolver<Mat>(ha - hb).eigenvalues().cwiseAbs().maxCoeff();
      hess_quotient = std::max(hess_quotient, d / (a - b).norm());
    }
    EXPECT_LE(hess_quotient, *c.rho_phi);
    EXPECT_GT(hess_quotient, 0.15 * *c.rho_phi);  // measured 0.37 (n = 3), 0.26 (n = 1)
  }
}

TEST(HardJiOracles, MatchFiniteDifferences) {
  for (const HardJiOptions& o : {small(), single()}) {
    HardJi p(o);
    HardJi& q = p;
    for (std::uint64_t seed : {3, 4}) {
      const Vec x = curved_x(p, seed), y = curved_y(p, seed + 7);
      const Vec u = testing::random_vector(p.dim_x(), seed + 20);
      const Vec v = testing::random_vector(p.dim_y(), seed + 30);
      for (Fn fn : {Fn::kF, Fn::kG}) {
        SCOPED_TRACE(to_string(fn));
        const double h = 1e-4 * p.sizes().lam;  // the scale of f's curvature
        Vec gx, gy;
        q.grad(fn, x, y, {}, &gx, &gy);
        auto val_x = [&](const Vec& xx) { return q.value(fn, xx, y, {}); };
        auto val_y = [&](const Vec& yy) { return q.value(fn, x, yy, {}); };
        const double tol = 1e-6;
        EXPECT_LT((gx - fd_gradient(val_x, x, h)).norm(), tol * std::max(1.0, gx.norm()));
        EXPECT_LT((gy - fd_gradient(val_y, y, h)).norm(), tol * std::max(1.0, gy.norm()));
        auto grad_y_at = [&](const Vec& xx, const Vec& yy) {
          Vec out;
          q.grad(fn, xx, yy, {}, nullptr, &out);
          return out;
        };
        auto grad_x_at = [&](const Vec& xx, const Vec& yy) {
          Vec out;
          q.grad(fn, xx, yy, {}, &out, nullptr);
          return out;
        };
        const Mat Jyy = fd_jacobian([&](const Vec& yy) { return grad_y_at(x, yy); }, y, h);
        const Mat Jyx = fd_jacobian([&](const Vec& xx) { return grad_y_at(xx, y); }, x, h);
        const Mat Jxx = fd_jacobian([&](const Vec& xx) { return grad_x_at(xx, y); }, x, h);
        Vec out;
        q.hyy(fn, x, y, v, {}, &out);
        EXPECT_LT(rel_err(out, Jyy * v), 1e-5);
        q.hxy(fn, x, y, v, {}, &out);  // d/dx <grad_y, v> = Jyx' v
        EXPECT_LT(rel_err(out, Jyx.transpose() * v), 1e-5);
        q.hyx(fn, x, y, u, {}, &out);  // d/dy <grad_x, u> = Jyx u
        EXPECT_LT(rel_err(out, Jyx * u), 1e-5);
        q.hxx(fn, x, y, u, {}, &out);
        EXPECT_LT(rel_err(out, Jxx * u), 1e-5);
      }
    }
  }
}

TEST(HardJiOracles, DenseHessianBlocksMatchTheProducts) {
  for (const HardJiOptions& o : {small(), single()}) {
    HardJi p(o);
    ASSERT_TRUE(p.has_dense_hessian());
    const Vec x = curved_x(p, 1), y = curved_y(p, 2);
    const Vec u = testing::random_vector(p.dim_x(), 3), v = testing::random_vector(p.dim_y(), 4);
    for (Fn fn : {Fn::kF, Fn::kG}) {
      Mat hxx, hxy, hyy;
      p.hessian(fn, x, y, {}, &hxx, &hxy, &hyy);
      Vec out;
      p.hyy(fn, x, y, v, {}, &out);
      EXPECT_LT(rel_err(hyy * v, out), 1e-14);
      EXPECT_LT((hyy - hyy.transpose()).norm(), 1e-14 * hyy.norm());
      p.hxy(fn, x, y, v, {}, &out);
      EXPECT_LT(rel_err(hxy * v, out), 1e-14);
      p.hyx(fn, x, y, u, {}, &out);
      EXPECT_LT(rel_err(hxy.transpose() * u, out), 1e-14);
      EXPECT_EQ(hxx, Mat::Zero(p.dim_x(), p.dim_x()));
    }
  }
  HardJiOptions big;
  big.eps = 0.005;  // dim y ~ 17,000
  EXPECT_FALSE(HardJi(big).has_dense_hessian());
}

TEST(HardJiClosedForms, SolutionHyperObjectiveAndHypergradient) {
  for (const HardJiOptions& o : {small(), single()}) {
    HardJi p(o);
    const auto& s = p.sizes();
    Diagnostics diag(p);
    testing::WithoutClosedForms<HardJi> generic(o);
    Diagnostics gdiag(generic);
    for (std::uint64_t seed : {5, 6, 7}) {
      const Vec x = curved_x(p, seed);
      Vec ys;
      ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
      Vec gy;
      p.grad(Fn::kG, x, ys, {}, nullptr, &gy);
      EXPECT_LT(gy.norm(), 1e-13 * std::max(1.0, ys.norm()));
      // H(x) = f(x, y*(x)) = (lam^2 L_f / L) f_T(n x / lam).
      const double H = p.value(Fn::kF, x, ys, {});
      const double fT = hard::ZeroChain(s.T).value(static_cast<double>(s.n) / s.lam * x);
      EXPECT_NEAR(H, s.lam * s.lam * o.L_f / s.L * fT, 1e-14);
      EXPECT_NEAR(H, p.hyper_objective(x), 1e-15);
      EXPECT_NEAR(diag.phi(x), H, 1e-15);
      // grad H: finite differences of H and the implicit-function formula (CG, no closed form).
      const Vec g = diag.hypergradient(x);
      const Vec fd = fd_gradient([&](const Vec& xx) { return p.hyper_objective(xx); }, x,
                                 1e-4 * s.lam / static_cast<double>(s.n));
      EXPECT_LT((g - fd).norm(), 1e-6 * std::max(o.eps, g.norm()));
      EXPECT_LT((g - gdiag.hypergradient(x)).norm(), 1e-9 * std::max(o.eps, g.norm()));
      EXPECT_LT((ys - gdiag.lower_solution(x)).norm(), 1e-9 * ys.norm());
      // The closed-form Hessian of H against differences of grad H.
      Mat h;
      ASSERT_TRUE(p.closed_form_hessian_phi(x, &h));
      const Mat fdh = testing::fd_hessian_phi(p, x, 1e-4 * s.lam / static_cast<double>(s.n));
      EXPECT_LT((h - fdh).norm(), 1e-5 * std::max(1.0, h.norm()));
    }
    EXPECT_FALSE(p.closed_form_solution(Vec::Zero(p.dim_x()), 0.1, nullptr));
  }
}

// Past the dense limit the closed-form Hessian of H declines, and Diagnostics' products come
// from differences of the exact hypergradient.
TEST(HardJiClosedForms, LongChainsLeaveTheHessianOfHToDiagnostics) {
  HardJiOptions o;
  o.eps = 0.005;  // n = 4, T ~ 4300
  HardJi p(o);
  const auto& s = p.sizes();
  ASSERT_GT(p.dim_x(), HardJi::kDenseHessianLimit);
  Mat h;
  EXPECT_FALSE(p.closed_form_hessian_phi(Vec::Zero(p.dim_x()), &h));
  const auto n = static_cast<double>(s.n);
  const Vec x = 0.7 * s.lam / n * Vec::Ones(p.dim_x());  // z = 0.7: Psi'' and Phi'' non-zero
  const Vec v = testing::random_vector(p.dim_x(), 3);
  Vec exact;  // Hess H v = (L_f n^2 / L) Hess f_T(n x / lam) v
  hard::ZeroChain(s.T).hessian_product(n / s.lam * x, v, &exact);
  exact *= o.L_f * n * n / s.L;
  Diagnostics diag(p);
  EXPECT_LT(rel_err(diag.hessian_phi_product(x, v), exact), 1e-6);
}

// Lemma 3: ||grad H(x)|| >= eps whenever |x_T| < lam / n.
TEST(HardJiLemmaThree, HypergradientAtLeastEpsBeforeTheEndOfTheChain) {
  HardJiOptions o;  // the defaults: n = 4, T = 267
  HardJi p(o);
  const auto& s = p.sizes();
  const double unit = s.lam / static_cast<double>(s.n);
  Rng rng(11);
  std::uniform_real_distribution<double> wide(-3, 3), inside(-0.999, 0.999);
  double smallest = 1e300;
  for (int trial = 0; trial < 400; ++trial) {
    Vec x(p.dim_x());
    // Mixed: random, or a prefix pushed past the threshold (the hard case for the bound).
    const Index k = trial % 2 ? p.dim_x() : trial % p.dim_x();
    for (Index i = 0; i < p.dim_x(); ++i)
      x(i) = unit * (i < k ? (trial % 4 == 0 ? 1.0 + 0.01 * std::abs(wide(rng)) : wide(rng))
                           : inside(rng));
    x(p.dim_x() - 1) = unit * inside(rng);
    Vec g;
    p.closed_form_hypergradient(x, &g);
    smallest = std::min(smallest, g.norm());
  }
  EXPECT_GE(smallest, o.eps);
}

// Lemma 4: H(0) - inf H <= Delta, probed at structured points and after a long descent.
TEST(HardJiLemmaFour, InitialGapAtMostDelta) {
  for (const HardJiOptions& o : {HardJiOptions{}, small(), single()}) {
    HardJi p(o);
    const auto& s = p.sizes();
    const double unit = s.lam / static_cast<double>(s.n);
    const double H0 = p.hyper_objective(Vec::Zero(p.dim_x()));
    double lowest = H0;
    for (double z : {0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 100.0})
      lowest = std::min(lowest, p.hyper_objective(Vec::Constant(p.dim_x(), z * unit)));
    for (std::uint64_t seed = 0; seed < 20; ++seed)
      lowest =
          std::min(lowest, p.hyper_objective(3 * unit * testing::random_vector(p.dim_x(), seed)));
    // Gradient descent on H with step 1/L_phi from 0 (it walks down the whole chain).
    Vec x = Vec::Zero(p.dim_x()), g;
    for (int it = 0; it < 20000; ++it) {
      p.closed_form_hypergradient(x, &g);
      x -= g / *p.constants().L_phi;
    }
    lowest = std::min(lowest, p.hyper_objective(x));
    EXPECT_GT(x(p.dim_x() - 1), unit);  // the descent did reach the end of the chain
    EXPECT_LE(H0 - lowest, o.delta);
    EXPECT_GT(H0 - lowest, 0.5 * o.delta);  // and the bound is not vacuous
  }
}

// The zero-chain on real runs: after every iteration the chain position of the iterate is at
// most the oracle calls so far, x_T = 0 while fewer than T n calls were made (the paper's
// bound) and ||grad H|| >= eps as long as x_T = 0.
TEST(HardJiZeroChain, RunsAdvanceAtMostOnePositionPerOracleCall) {
  for (const std::string algo : {"f2ba", "aid-cg", "itd"}) {
    SCOPED_TRACE(algo);
    auto problem = make_problem("hard-ji", {{"kappa", "50"}, {"eps", "0.09"}});
    auto& p = dynamic_cast<HardJi&>(*problem);
    const Index T = p.dim_x(), n = p.sizes().n;
    // ITD's hypergradient sees K steps of the chain back from y_1^(i): it needs K >= n to
    // move x at all (with K < n it stays at x = 0, which the bound allows too).
    KeyValues opts = {{"K", algo == "itd" ? "4" : "1"}};
    if (algo == "aid-cg") opts.push_back({"N", "1"});
    if (algo == "f2ba") opts.push_back({"lam", "10"});
    auto a = make_algorithm(algo, opts);
    Index checked = 0, max_progress = 0;
    bool reached_end = false;
    RunSettings settings;
    settings.stopping.max_iters = 3000;
    settings.callbacks.push_back([&](const IterRecord& r, const Vec& x, const Vec& y) {
      const Index calls = r.counts.grad_calls() + r.counts.hvp_calls() + r.counts.hess_calls();
      const Index progress = p.chain_progress(x, y);
      EXPECT_LE(progress, calls) << "iteration " << r.iter;
      // x_T sits at position T n + 2: zero for the first T n + 1 calls (the paper: T n).
      if (calls <= T * n + 1) EXPECT_EQ(x(T - 1), 0.0) << "iteration " << r.iter;
      if (x(T - 1) == 0.0) EXPECT_GE(r.hypergrad_norm, 0.09);  // eps (Lemma 3)
      max_progress = std::max(max_progress, progress);
      reached_end = reached_end || x(T - 1) != 0.0;
      ++checked;
      return Action::kContinue;
    });
    a->solve(p, settings);
    EXPECT_GT(checked, 100);
    EXPECT_GE(max_progress, T * n / 2);  // the runs do travel down the chain
  }
}

TEST(HardJiMetrics, NamesValuesAndOptionEcho) {
  HardJi p(small());
  EXPECT_EQ(p.metric_names(), (std::vector<std::string>{"active_x", "active_y", "chain_progress"}));
  const Index n = p.sizes().n;
  Vec x = Vec::Zero(p.dim_x()), y = Vec::Zero(p.dim_y());
  EXPECT_EQ(p.chain_progress(x, y), 0);
  y(n - 1) = 1;  // y_n^(0)
  EXPECT_EQ(p.chain_progress(x, y), 1);
  y(n) = 1;  // y_1^(1)
  EXPECT_EQ(p.chain_progress(x, y), 2);
  y(2 * n - 1) = 1;  // y_n^(1)
  EXPECT_EQ(p.chain_progress(x, y), n + 1);
  x(0) = 1;  // x_1
  EXPECT_EQ(p.chain_progress(x, y), n + 2);
  y(2 * n) = 1;  // y_1^(2): the same position as x_1
  EXPECT_EQ(p.chain_progress(x, y), n + 2);
  const auto m = p.metrics(x, y);
  EXPECT_EQ(m, (std::vector<double>{1, 4, static_cast<double>(n + 2)}));
  const OptionValues kv = p.option_values();
  for (const char* key :
       {"eps", "kappa", "L_g", "L_f", "delta", "n", "T", "lam", "C_l", "C_r", "L", "mu"}) {
    bool found = false;
    for (auto& [k, v] : kv) found = found || k == key;
    EXPECT_TRUE(found) << key;
  }
}

// ---- hard-ji-stoch --------------------------------------------------------------------------

HardJiStochOptions small_stoch() {
  HardJiStochOptions o;
  o.ji = small();
  o.sigma = 10;  // p = G^2 / (G^2 + sigma^2) = 0.67: a draw hides the entry often
  return o;
}

TEST(HardJiStoch, LowerSolutionStaysInTheBoxLemmaSix) {
  for (double kappa : {5.0, 50.0, 1000.0}) {
    HardJiStochOptions o = small_stoch();
    o.ji.kappa = kappa;
    o.ji.eps = 0.02;
    HardJiStoch p(o);
    const Box bx = *p.box_x(), by = *p.box_y();
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      Vec x = bx.upper.cwiseProduct(testing::random_vector(p.dim_x(), seed).cwiseSign());
      if (seed % 2)
        x = x.cwiseProduct(testing::random_vector(p.dim_x(), seed + 50).array().tanh().matrix());
      Vec ys;
      ASSERT_TRUE(p.closed_form_solution(x, 0.0, &ys));
      EXPECT_TRUE(by.contains(ys)) << "kappa " << kappa;
      EXPECT_LE(ys.cwiseAbs().maxCoeff(), 0.6 * by.upper(0));  // with margin: 5C r_x < 10 r_x
    }
    EXPECT_LT(p.sizes().x0, bx.upper(0));  // x_0 = lam/n lies in X (r_x > 1)
  }
}

TEST(HardJiStoch, ProbabilityPOracleIsUnbiasedWithVarianceAtMostSigmaSquared) {
  HardJiStoch p(small_stoch());
  HardJiStoch& q = p;
  const Index n = p.sizes().n;
  const double sigma = 10, P = p.keep_probability();
  const double G = p.gradient_bound();
  EXPECT_NEAR(P, G * G / (G * G + sigma * sigma), 1e-15);
  const Box bx = *p.box_x(), by = *p.box_y();
  // Points on the chain: the first k coordinates of y active (the next one is interior to a
  // block, k = n + 1, or starts a block, k = 2n), inside X x Y.
  for (Index k : {n + 1, 2 * n}) {
    SCOPED_TRACE(k);
    Vec x =
        0.5 * bx.upper.cwiseProduct(testing::random_vector(p.dim_x(), 3).array().tanh().matrix());
    Vec y = Vec::Zero(p.dim_y());
    y.head(k) =
        0.9 * by.upper.head(k).cwiseProduct(testing::random_vector(k, 4).array().tanh().matrix());
    // When i* = y_1^(j) starts block j, the perturbed entry d g / d x_j = -L_g y_n^(j) is 0 on
    // the chain itself; an off-chain y_n^(j) makes it non-zero, so that its draw is visible.
    if (k % n == 0) y(k + n - 1) = 0.5 * by.upper(0);
    Vec ex, ey;
    q.grad(Fn::kG, x, y, {}, &ex, &ey);  // no seed: the exact oracle
    Vec hx, hy;
    HardJi exact(small());
    exact.grad(Fn::kG, x, y, {}, &hx, &hy);
    EXPECT_EQ(ex, hx);
    EXPECT_EQ(ey, hy);
    const int N = 20000;
    Vec sx = Vec::Zero(p.dim_x()), sy = Vec::Zero(p.dim_y());
    double sq = 0;
    int hidden = 0;
    for (int t = 0; t < N; ++t) {
      Batch b;
      b.noise_seed = 1000 + t;
      Vec gx, gy;
      q.grad(Fn::kG, x, y, b, &gx, &gy);
      sx += gx;
      sy += gy;
      sq += (gx - ex).squaredNorm() + (gy - ey).squaredNorm();
      // Only the next coordinate differs: y_{k+1}, or x_j when it starts block j.
      const Index changed_y =
          (gy - ey).cwiseAbs().cast<bool>().count() + ((gx - ex).array() != 0).count();
      EXPECT_LE(changed_y, 1);
      hidden += k % n == 0 ? gx(k / n - 1) == 0.0 : gy(k) == 0.0;
    }
    const double var = sq / N;
    EXPECT_LE(var, sigma * sigma * 1.05);
    // The perturbed entry e has variance e^2 (1 - p)/p; the mean is within 5 standard errors.
    const double e = k % n == 0 ? ex(k / n - 1) : ey(k);
    const double se = std::abs(e) * std::sqrt((1 - P) / P / N);
    const double rounding = 1e-12 * std::max(1.0, std::max(ex.norm(), ey.norm()));
    EXPECT_LT((sx / N - ex).cwiseAbs().maxCoeff(), 5 * se + rounding);
    EXPECT_LT((sy / N - ey).cwiseAbs().maxCoeff(), 5 * se + rounding);
    EXPECT_NEAR(hidden / static_cast<double>(N), 1 - P, 5 * std::sqrt(P * (1 - P) / N));
    EXPECT_NEAR(var, e * e * (1 - P) / P, 0.1 * e * e * (1 - P) / P);
    EXPECT_GT(std::abs(e), 0.0);
  }
  // f is never perturbed.
  Batch b;
  b.noise_seed = 7;
  const Vec x = Vec::Zero(p.dim_x()), y = curved_y(p, 9);
  Vec g1, g2;
  q.grad(Fn::kF, x, y, b, nullptr, &g1);
  q.grad(Fn::kF, x, y, {}, nullptr, &g2);
  EXPECT_EQ(g1, g2);
}

TEST(HardJiStoch, GradientMappingAtLeastEpsBeforeTheEndOfTheChain) {
  HardJiStoch p(small_stoch());
  const auto& s = p.sizes();
  const double unit = s.lam / static_cast<double>(s.n);
  EXPECT_EQ(p.metric_names().back(), "grad_mapping");
  Rng rng(5);
  std::uniform_real_distribution<double> in_box(-HardJiStoch::kRx, HardJiStoch::kRx),
      short_of(-0.999, 0.999);
  for (int trial = 0; trial < 300; ++trial) {
    Vec x(p.dim_x());
    for (Index i = 0; i < p.dim_x(); ++i) x(i) = unit * in_box(rng);
    x(p.dim_x() - 1) = unit * short_of(rng);
    EXPECT_GE(p.gradient_mapping(x), small().eps);
  }
}

// Definition 6 on a run: gradient steps on g from a point whose next chain coordinate is
// y_2^(1) reveal it only on calls whose draw keeps it, so the calls until it is non-zero are
// geometric with mean 1/p.
TEST(HardJiStoch, GradientStepsRevealTheNextCoordinateWithProbabilityP) {
  HardJiStoch p(small_stoch());
  const Index n = p.sizes().n;
  const double P = p.keep_probability();
  const Vec x = Vec::Zero(p.dim_x());
  Vec start = Vec::Zero(p.dim_y());
  start(n - 1) = start(n) = 0.5 * p.sizes().lam;  // y_n^(0) and y_1^(1)
  const double alpha = 1 / *p.constants().L_g;
  double total = 0;
  const int trials = 400;
  std::uint64_t seed = 1;
  for (int trial = 0; trial < trials; ++trial) {
    Vec y = start, gy;
    int calls = 0;
    while (y(n + 1) == 0.0 && calls < 1000) {
      Batch b;
      b.noise_seed = seed++;
      p.grad(Fn::kG, x, y, b, nullptr, &gy);
      y -= alpha * gy;
      ++calls;
    }
    total += calls;
  }
  // Geometric: mean 1/p, standard deviation sqrt(1 - p)/p.
  EXPECT_NEAR(total / trials, 1 / P, 5 * std::sqrt(1 - P) / P / std::sqrt(trials));
  EXPECT_GT(1 / P, 1.3);  // far enough from 1 for the test to see the oracle
}

}  // namespace
}  // namespace bilevel
