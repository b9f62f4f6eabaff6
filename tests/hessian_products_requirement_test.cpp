// Problems without Hessian-vector products (has_hessian_vector_products() false, as the Python
// module's user problems may be): every registered method either declares that it needs them
// (Requirements::hessian_vector_products) and is refused before its run, or runs to its end
// without them. A method that calls Problem::hvp without declaring it fails here through the
// backstop in Problem::hvp. The diagnostics still work: they derive products by central
// differences of the gradients.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "bilevel/core/comm.hpp"
#include "bilevel/core/diagnostics.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/core/rank_mean_problem.hpp"
#include "bilevel/problems/minimax_synthetic.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/registry.hpp"
#include "test_support.hpp"

namespace bilevel::testing {
namespace {

// P without products: neither the closed-form ones of P nor the counted hvp().
template <class P>
class WithoutProducts : public P {
 public:
  using P::P;
  bool has_hessian_vector_products() const override { return false; }

 protected:
  bool do_hvp(Fn, Block, const Vec&, const Vec&, const Vec&, const Batch&, Vec*) const override {
    return false;
  }
};

// Closed forms hidden too, so the diagnostics must use (derived) products.
using QuadraticWithoutProducts = WithoutProducts<QuadraticWithoutClosedForms>;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

RunSettings short_run() {
  RunSettings s;
  s.stopping.max_iters = 20;
  s.diagnostics = true;
  return s;
}

// A problem without products that meets the method's other requirements; null if none here.
std::unique_ptr<Problem> problem_for(const Requirements& r) {
  std::unique_ptr<Problem> p;
  if (r.minimax) p = std::make_unique<WithoutProducts<MinimaxSynthetic>>();
  else p = std::make_unique<QuadraticWithoutProducts>(small_quadratic());
  if (r.dense_hessian && !p->has_dense_hessian()) return nullptr;
  return p;
}

TEST(HessianProductsRequirement, EveryMethodRefusesOrRunsWithoutProducts) {
  int refused = 0, ran = 0;
  for (const AlgorithmEntry& e : algorithm_registry()) {
    SCOPED_TRACE(e.name);
    const std::unique_ptr<Algorithm> a = e.make();
    const Requirements r = a->requirements();
    std::unique_ptr<Problem> p = problem_for(r);
    ASSERT_NE(p, nullptr) << "no test problem meets the other requirements of " << e.name;
    ASSERT_FALSE(p->has_hessian_vector_products());
    if (r.hessian_vector_products) {
      try {
        a->solve(*p, short_run());
        ADD_FAILURE() << e.name << " declares Hessian-vector products but ran without them";
      } catch (const InvalidOptions& ex) {
        EXPECT_TRUE(contains(ex.what(), e.name)) << ex.what();
        EXPECT_TRUE(contains(ex.what(), "Hessian-vector products")) << ex.what();
        EXPECT_TRUE(contains(ex.what(), "problem '" + p->name() + "'")) << ex.what();
      }
      EXPECT_EQ(p->counts().total_calls(), 0) << "refused after the run started";
      ++refused;
    } else {
      try {
        const Result res = a->solve(*p, short_run());
        EXPECT_EQ(res.trace.records.back().iter, 20) << to_string(res.status);
        EXPECT_TRUE(std::isfinite(res.phi));
        EXPECT_TRUE(std::isfinite(res.hypergrad_norm));
      } catch (const std::exception& ex) {
        // The backstop of Problem::hvp: the method uses products it does not declare.
        ADD_FAILURE() << e.name << " threw: " << ex.what();
      }
      EXPECT_EQ(p->counts().hvp_calls(), 0);
      ++ran;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(ran, 0);
}

// A declaration is not spurious: on a problem with products, each declaring method uses them.
TEST(HessianProductsRequirement, DeclaringMethodsUseProducts) {
  for (const AlgorithmEntry& e : algorithm_registry()) {
    const std::unique_ptr<Algorithm> a = e.make();
    if (!a->requirements().hessian_vector_products) continue;
    SCOPED_TRACE(e.name);
    ASSERT_FALSE(a->requirements().minimax);  // the quadratic below would not do
    Quadratic q(small_quadratic());
    a->solve(q, iterations(2));
    EXPECT_GT(q.counts().hvp_calls(), 0);
  }
}

TEST(HessianProductsRequirement, CountedOracleRefusesEveryBlock) {
  QuadraticWithoutProducts p(small_quadratic());
  const Vec x = random_vector(p.dim_x(), 1), y = random_vector(p.dim_y(), 2);
  const Vec v = random_vector(p.dim_y(), 3), u = random_vector(p.dim_x(), 4);
  Vec out;
  auto message = [&](auto call) -> std::string {
    try {
      call();
    } catch (const InvalidInput& ex) {
      return ex.what();
    }
    return "";
  };
  const std::string hyy = message([&] { p.hyy(Fn::kG, x, y, v, Batch{}, &out); });
  EXPECT_TRUE(contains(hyy, "problem 'quadratic' has no Hessian-vector products (Hyy g v)")) << hyy;
  EXPECT_TRUE(contains(hyy, "requirements")) << hyy;
  EXPECT_TRUE(contains(message([&] { p.hxy(Fn::kF, x, y, v, Batch{}, &out); }), "(Hxy f v)"));
  EXPECT_TRUE(contains(message([&] { p.hyx(Fn::kG, x, y, u, Batch{}, &out); }), "(Hyx g v)"));
  EXPECT_TRUE(contains(message([&] { p.hxx(Fn::kF, x, y, u, Batch{}, &out); }), "(Hxx f v)"));
  EXPECT_EQ(p.counts().hvp_calls(), 0);  // a refused call is not counted
}

TEST(HessianProductsRequirement, RefusalNamesMethodAndProblem) {
  QuadraticWithoutProducts p(small_quadratic());
  const std::string msg = run_error(*make_algorithm("aid-cg"), p);
  EXPECT_EQ(msg,
            "aid-cg: needs Hessian-vector products of f and g, which problem 'quadratic' does not "
            "provide; give the problem its products, or let it derive them by finite differences "
            "of its gradients");
}

// The diagnostics derive products by central differences: exact on a quadratic up to rounding.
TEST(HessianProductsRequirement, DiagnosticsDeriveProducts) {
  Quadratic exact(small_quadratic());
  QuadraticWithoutProducts p(small_quadratic());
  Diagnostics diag(p);
  for (std::uint64_t seed : {5, 6}) {
    const Vec x = random_vector(p.dim_x(), seed);
    Vec ystar, grad;
    ASSERT_TRUE(exact.closed_form_solution(x, 0, &ystar));
    ASSERT_TRUE(exact.closed_form_hypergradient(x, &grad));
    const double phi = exact.value(Fn::kF, x, ystar);
    EXPECT_NEAR(diag.phi(x), phi, 1e-8 * std::max(1.0, std::abs(phi)));
    EXPECT_LT(rel_err(diag.hypergradient(x), grad), 1e-7);
  }
  EXPECT_EQ(p.counts().total_calls(), 0);  // uncounted
}

TEST(HessianProductsRequirement, FirstOrderRunTraceMatchesClosedForms) {
  QuadraticWithoutProducts p(small_quadratic());
  const Result res = make_algorithm("f2ba")->solve(p, short_run());
  ASSERT_EQ(res.trace.records.size(), 21u);
  Quadratic exact(small_quadratic());
  Vec ystar, grad;
  ASSERT_TRUE(exact.closed_form_solution(res.x, 0, &ystar));
  ASSERT_TRUE(exact.closed_form_hypergradient(res.x, &grad));
  const double phi = exact.value(Fn::kF, res.x, ystar);
  EXPECT_NEAR(res.phi, phi, 1e-8 * std::max(1.0, std::abs(phi)));
  EXPECT_NEAR(res.hypergrad_norm, grad.norm(), 1e-7 * std::max(1.0, grad.norm()));
  EXPECT_EQ(p.counts().hvp_calls(), 0);
}

// The whole problem of a distributed run forwards the capability, and its (uncounted)
// diagnostics derive products from the averaged gradients instead of calling hvp.
TEST(HessianProductsRequirement, RankMeanProblemForwardsIt) {
  QuadraticWithoutProducts local(small_quadratic());
  const std::unique_ptr<Comm> comm = make_serial_comm();
  RankMeanProblem whole(local, *comm, RankMeanProblem::Counting::kUncounted);
  EXPECT_FALSE(whole.has_hessian_vector_products());
  const Vec x = random_vector(whole.dim_x(), 7), y = random_vector(whole.dim_y(), 8);
  Vec out;
  EXPECT_THROW(whole.hyy(Fn::kG, x, y, y, Batch{}, &out), InvalidInput);
  const Quadratic exact(small_quadratic());
  Vec grad;
  ASSERT_TRUE(exact.closed_form_hypergradient(x, &grad));
  Diagnostics diag(whole);
  EXPECT_LT(rel_err(diag.hypergradient(x), grad), 1e-7);
}

// An "auto" option that needs L_g of a problem that knows neither L_g nor products asks for a
// value instead of estimating L_g by power iteration (which needs products).
TEST(HessianProductsRequirement, UnknownLgIsNotEstimatedWithoutProducts) {
  class NoConstants : public QuadraticWithoutProducts {
   public:
    using QuadraticWithoutProducts::QuadraticWithoutProducts;
    ProblemConstants constants() const override { return {}; }
  };
  NoConstants p(small_quadratic());
  const std::unique_ptr<Algorithm> baseline = make_algorithm("baseline");
  const std::string msg = run_error(*baseline, p);
  EXPECT_TRUE(contains(msg, "baseline: option alpha=auto needs the problem's constant L_g")) << msg;
  EXPECT_TRUE(contains(msg, "Hessian-vector products")) << msg;
  EXPECT_TRUE(contains(msg, "set -A alpha=VALUE")) << msg;
  EXPECT_EQ(p.counts().hvp_calls(), 0);
  EXPECT_NO_THROW(make_algorithm("baseline", {{"alpha", "0.5"}})->solve(p, iterations(3)));
}

}  // namespace
}  // namespace bilevel::testing
