#include "bilevel/hard/ji_sizes.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "bilevel/core/error.hpp"
#include "bilevel/core/memory_budget.hpp"
#include "bilevel/core/options.hpp"

namespace bilevel::hard {

Vec laplacian_inverse_last_column(Index n) {
  // B = I/n^2 + A: diagonal s + (degree), off-diagonal -1, right-hand side e_n.
  const double s = 1.0 / (static_cast<double>(n) * static_cast<double>(n));
  auto diag = [&](Index i) {
    const double degree = (i > 0 ? 1.0 : 0.0) + (i + 1 < n ? 1.0 : 0.0);
    return s + degree;
  };
  // Forward elimination (sub- and super-diagonal -1): c = the modified super-diagonal, d the
  // modified right-hand side.
  std::vector<double> c(n), d(n);
  for (Index i = 0; i < n; ++i) {
    const double denom = diag(i) + (i > 0 ? c[i - 1] : 0.0);
    c[i] = -1.0 / denom;
    d[i] = ((i == n - 1 ? 1.0 : 0.0) + (i > 0 ? d[i - 1] : 0.0)) / denom;
  }
  Vec v(n);
  v(n - 1) = d[n - 1];
  for (Index i = n - 1; i > 0; --i) v(i - 1) = d[i - 1] - c[i - 1] * v(i);
  return v;
}

JiSizes JiSizes::derive(double eps, double kappa, double L_g, double L_f, double delta,
                        const std::string& owner) {
  JiSizes z;
  z.mu = L_g / kappa;
  // floor(sqrt((kappa - 1)/4)); the tiny slack keeps a perfect square that rounding left one
  // ulp short (kappa = 4k^2 + 1 computed from L_g / mu) from losing a whole block length.
  const double n_real = std::floor(std::sqrt((kappa - 1) / 4) * (1 + 1e-14));
  // A block length beyond 1e8 is far past any size this instance can run at (the converted
  // double would also be undefined beyond the range of Index).
  if (n_real > 1e8)
    throw InvalidOptions(owner + ": kappa=" + format_short(kappa) +
                         " gives blocks of n = floor(sqrt((kappa-1)/4)) = " + format_short(n_real) +
                         " > 1e8 coordinates; lower kappa");
  z.n = n_real >= 1 ? static_cast<Index>(n_real) : 0;
  if (z.n < 1)
    throw InvalidOptions(owner +
                         ": kappa must be >= 5 so that n = floor(sqrt((kappa-1)/4)) >= 1 (got " +
                         format_short(kappa) + ")");
  const auto n = static_cast<double>(z.n);
  const double scale = (4 * n * n + 1) / (n * n);
  z.m = scale * laplacian_inverse_last_column(z.n);
  z.C_l = n / z.m(z.n - 1);
  z.C_r = n / z.m(0);
  const double c = std::max(z.C_l, z.C_r);
  z.L = kZeroChainHessianBound * c * c;
  z.lam = eps * z.L / (L_f * n);
  const double T = std::floor(delta * z.L / (12 * z.lam * z.lam * L_f));
  if (!(T >= 1))
    throw InvalidOptions(owner +
                         ": the chain would be empty: T = floor(delta L / (12 lam^2 L_f)) = " +
                         format_short(T) + " < 1; lower eps or raise delta");
  if (T > 1e8)
    throw InvalidOptions(owner + ": the chain is too long (T = " + format_short(T) +
                         " > 1e8); raise eps or lower delta");
  z.T = static_cast<Index>(T);
  // x has T coordinates, y has n (T + 1); both below 1e8, so the product fits.
  check_problem_memory(owner + ": eps=" + format_short(eps) + ", kappa=" + format_short(kappa) +
                           " give dim x = T = " + std::to_string(z.T) +
                           ", dim y = n (T + 1) = " + std::to_string(z.n * (z.T + 1)),
                       z.T, z.n * (z.T + 1));
  z.a = L_g * n * n / (4 * n * n + 1);
  // Eigenvalues of the path Laplacian: 2 (1 - cos(k pi / n)), k = 0..n-1.
  const double lap_max = z.n == 1 ? 0.0 : 2 * (1 - std::cos((n - 1) * std::numbers::pi / n));
  z.eig_min = z.a / (n * n);
  z.eig_max = z.a * (1 / (n * n) + lap_max);
  z.x0 = z.lam / n;
  return z;
}

}  // namespace bilevel::hard
