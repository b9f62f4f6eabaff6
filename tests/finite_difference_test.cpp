// The f2sa-p finite-difference stencils: the known low-order weights, the moment equations
// for every supported p, the paper's coefficient bounds, and the O(nu^p) error on a smooth function.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "bilevel/linalg/finite_difference.hpp"
#include "bilevel/core/error.hpp"
#include "test_support.hpp"

namespace bilevel {
namespace {

std::map<int, double> as_map(const FiniteDifferenceStencil& s) {
  std::map<int, double> m;
  for (std::size_t i = 0; i < s.nodes.size(); ++i) m[s.nodes[i]] = s.alpha[i];
  return m;
}

void expect_weights(int p, const std::map<int, double>& want) {
  const auto got = as_map(finite_difference_stencil(p));
  ASSERT_EQ(got.size(), want.size()) << "p = " << p;
  for (const auto& [j, a] : want) {
    ASSERT_TRUE(got.count(j)) << "p = " << p << ", node " << j;
    EXPECT_NEAR(got.at(j), a, 1e-15) << "p = " << p << ", node " << j;
  }
}

TEST(FiniteDifference, LowOrdersAreTheKnownForwardAndCentralDifferences) {
  expect_weights(1, {{0, -1.0}, {1, 1.0}});                                    // forward
  expect_weights(2, {{-1, -0.5}, {0, 0.0}, {1, 0.5}});                         // central
  expect_weights(3, {{-1, -1.0 / 3}, {0, -0.5}, {1, 1.0}, {2, -1.0 / 6}});
  expect_weights(4, {{-2, 1.0 / 12}, {-1, -2.0 / 3}, {0, 0.0}, {1, 2.0 / 3}, {2, -1.0 / 12}});
}

// Up to the largest supported order, which also shows the exact integer arithmetic does not
// overflow (a wrapped product would break the moment equations).
TEST(FiniteDifference, MomentEquationsAndTheLemmasBoundsHoldForEverySupportedOrder) {
  for (int p = 1; p <= kMaxFiniteDifferenceOrder; ++p) {
    const FiniteDifferenceStencil s = finite_difference_stencil(p);
    EXPECT_EQ(static_cast<int>(s.nodes.size()), p + 1);
    for (int k = 0; k <= p; ++k) {
      long double sum = 0, scale = 0;
      for (std::size_t i = 0; i < s.nodes.size(); ++i) {
        const long double term = s.alpha[i] * std::pow(static_cast<long double>(s.nodes[i]), k);
        sum += term;
        scale += std::fabs(term);
      }
      const double want = k == 1 ? 1.0 : 0.0;
      EXPECT_LE(std::fabs(static_cast<double>(sum) - want), 1e-10 * std::max(1.0L, scale))
          << "p = " << p << ", k = " << k;
    }
    const auto m = as_map(s);
    for (const auto& [j, a] : m) {
      if (j != 0) EXPECT_LE(std::fabs(j * a), 1.0 + 1e-12) << "p = " << p << ", j = " << j;
    }
    EXPECT_LE(std::fabs(m.at(0)), p % 2 == 1 ? 1.0 : 0.0) << "p = " << p;
    // Even orders need one lower-level sequence per non-zero node: p of them, like p - 1
    // (odd), which is what makes even p free (the f2sa-p paper's remark).
    EXPECT_EQ(static_cast<int>(s.active_nodes().size()), p % 2 == 0 ? p : p + 1);
  }
}

TEST(FiniteDifference, ErrorFallsLikeNuToThePowerP) {
  // psi(t) = exp(t) sin(3 t) + 1/(2 - t): smooth, every derivative non-zero at 0.
  auto psi = [](long double t) { return std::exp(t) * std::sin(3 * t) + 1 / (2 - t); };
  const long double dpsi0 = 3.0L + 0.25L;
  for (int p = 1; p <= 6; ++p) {
    const FiniteDifferenceStencil s = finite_difference_stencil(p);
    std::vector<double> nus, errors;
    for (double nu : {0.1, 0.05, 0.025, 0.0125}) {
      long double est = 0;
      for (std::size_t i = 0; i < s.nodes.size(); ++i) est += s.alpha[i] * psi(s.nodes[i] * nu);
      nus.push_back(nu);
      errors.push_back(static_cast<double>(std::fabs(est / nu - dpsi0)));
    }
    const double slope = testing::loglog_slope(nus, errors);
    EXPECT_NEAR(slope, p, 0.25) << "p = " << p;
  }
}

TEST(FiniteDifference, RejectsOrdersOutsideTheSupportedRange) {
  EXPECT_THROW(finite_difference_stencil(0), InvalidOptions);
  EXPECT_THROW(finite_difference_stencil(kMaxFiniteDifferenceOrder + 1), InvalidOptions);
  EXPECT_NO_THROW(finite_difference_stencil(kMaxFiniteDifferenceOrder));
}

}  // namespace
}  // namespace bilevel
