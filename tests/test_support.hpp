// Shared helpers for the test suite: finite differences and small fixtures.
#pragma once

#include <cmath>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/method.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/problems/quadratic.hpp"
#include "bilevel/core/random.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel::testing {

// Central-difference gradient of a scalar function.
// Two runs that must be the same computation: the same trace records (phi, metrics, oracle
// counts), the same final iterates.
inline void expect_same_run(const Result& a, const Result& b) {
  ASSERT_EQ(a.trace.records.size(), b.trace.records.size());
  for (std::size_t k = 0; k < a.trace.records.size(); ++k) {
    EXPECT_EQ(a.trace.records[k].phi, b.trace.records[k].phi) << k;
    EXPECT_EQ(a.trace.records[k].metrics, b.trace.records[k].metrics) << k;
    EXPECT_EQ(a.trace.records[k].counts, b.trace.records[k].counts) << k;
  }
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
}

inline Vec fd_gradient(const std::function<double(const Vec&)>& fn, const Vec& x,
                       double h = 1e-5) {
  Vec g(x.size());
  Vec xp = x, xm = x;
  for (Index i = 0; i < x.size(); ++i) {
    xp(i) = x(i) + h;
    xm(i) = x(i) - h;
    g(i) = (fn(xp) - fn(xm)) / (2 * h);
    xp(i) = xm(i) = x(i);
  }
  return g;
}

// Central-difference Jacobian of a vector function (columns = input coordinates).
inline Mat fd_jacobian(const std::function<Vec(const Vec&)>& fn, const Vec& x,
                       double h = 1e-5) {
  const Index m = fn(x).size();
  Mat j(m, x.size());
  Vec xp = x, xm = x;
  for (Index i = 0; i < x.size(); ++i) {
    xp(i) = x(i) + h;
    xm(i) = x(i) - h;
    j.col(i) = (fn(xp) - fn(xm)) / (2 * h);
    xp(i) = xm(i) = x(i);
  }
  return j;
}

// Central differences of a problem's closed-form hypergradient: the check of its
// closed-form Hessian of phi.
inline Mat fd_hessian_phi(const Problem& p, const Vec& x, double h = 1e-5) {
  return fd_jacobian(
      [&](const Vec& xx) {
        Vec g;
        p.closed_form_hypergradient(xx, &g);
        return g;
      },
      x, h);
}

inline double rel_err(const Vec& a, const Vec& b) {
  return (a - b).norm() / std::max(1.0, b.norm());
}

// Problem P with its closed forms hidden, so Diagnostics must use its generic solvers.
template <class P>
class WithoutClosedForms : public P {
 public:
  using P::P;
  bool closed_form_solution(const Vec&, double, Vec*) const override { return false; }
  bool closed_form_hypergradient(const Vec&, Vec*) const override { return false; }
  bool closed_form_hessian_phi(const Vec&, Mat*) const override { return false; }
};

using QuadraticWithoutClosedForms = WithoutClosedForms<Quadratic>;

inline QuadraticOptions small_quadratic(std::uint64_t seed = 1) {
  QuadraticOptions o;
  o.dx = 6;
  o.dy = 5;
  o.n_f = 7;
  o.n_g = 9;
  o.seed = seed;
  return o;
}

// Run settings for a fixed number of iterations, without diagnostics (tests evaluate what
// they need themselves).
inline RunSettings iterations(Index n) {
  RunSettings s;
  s.stopping.max_iters = n;
  s.diagnostics = false;
  return s;
}

inline Vec random_vector(Index n, std::uint64_t seed) {
  Rng rng(seed);
  return gaussian_vector(n, rng);
}

// Least-squares slope of log(b) against log(a): the measured order of a power law.
inline double loglog_slope(const std::vector<double>& a, const std::vector<double>& b) {
  const auto n = static_cast<double>(a.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double u = std::log(a[i]), v = std::log(b[i]);
    sx += u;
    sy += v;
    sxx += u * u;
    sxy += u * v;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// The quadratic problem with its constants hidden, so "auto" options cannot be resolved.
class QuadraticWithoutConstants : public Quadratic {
 public:
  using Quadratic::Quadratic;
  ProblemConstants constants() const override { return {}; }
};

// The message of the InvalidOptions that one run of `a` on `p` throws, or "".
inline std::string run_error(const Algorithm& a, Problem& p) {
  try {
    a.solve(p, iterations(1));
  } catch (const InvalidOptions& e) {
    return e.what();
  }
  return "";
}

// The same on a small quadratic.
inline std::string run_error(const Algorithm& a) {
  Quadratic q(small_quadratic());
  return run_error(a, q);
}

// The option `key` of a list, formatted as the CLI prints it ("" if there is none).
inline std::string option_text(const OptionValues& values, const std::string& key) {
  const OptionValue* v = find_value(values, key);
  return v ? format_value(*v) : std::string();
}
// The resolved option `key` of a run, formatted.
inline std::string option_text(const Result& r, const std::string& key) {
  return option_text(r.options, key);
}
// Every resolved option of a run as key=value text.
inline KeyValues options_text(const Result& r) {
  KeyValues out;
  for (const auto& s : r.options) out.emplace_back(s.name, format_value(s.value));
  return out;
}

// The resolved numeric option `key` of a run (NaN, and a test failure, if there is none).
inline double option_number(const Result& r, const std::string& key) {
  const OptionValue* v = find_value(r.options, key);
  if (!v) {
    ADD_FAILURE() << "no option " << key;
    return std::nan("");
  }
  if (const double* d = std::get_if<double>(v)) return *d;
  if (const Index* i = std::get_if<Index>(v)) return static_cast<double>(*i);
  ADD_FAILURE() << "option " << key << " is not a number";
  return std::nan("");
}

// The run's final state as method M's run type (fails the test if it is another).
template <class M>
const typename M::RunType& state_of(const Result& r) {
  const auto* s = r.state_as<typename M::RunType>();
  if (!s) throw std::logic_error("the result holds no run state of the expected method");
  return *s;
}

inline bool mentions(const std::vector<std::string>& messages, const std::string& text) {
  for (const auto& m : messages)
    if (m.find(text) != std::string::npos) return true;
  return false;
}

// Bit-identical traces (same phi, ||grad phi|| and counts at every record).
inline void expect_identical_traces(const Trace& a, const Trace& b) {
  ASSERT_EQ(a.records.size(), b.records.size());
  for (std::size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].phi, b.records[i].phi) << "record " << i;
    EXPECT_EQ(a.records[i].hypergrad_norm, b.records[i].hypergrad_norm) << "record " << i;
    EXPECT_EQ(a.records[i].counts, b.records[i].counts) << "record " << i;
  }
}

// For a finite-sum problem: the mean over singleton minibatches of value, gradient and Hyy v
// equals the full-batch oracle, for f and for g.
inline void expect_singleton_minibatches_average_to_full(Problem& p, const Vec& x, const Vec& y,
                                                         const Vec& v) {
  for (Fn fn : {Fn::kF, Fn::kG}) {
    const Index n = p.num_samples(fn);
    double value = 0;
    Vec gx, gy, hv, ax = Vec::Zero(p.dim_x()), ay = Vec::Zero(p.dim_y()),
                    ah = Vec::Zero(p.dim_y());
    for (Index i = 0; i < n; ++i) {
      const std::vector<Index> one = {i};
      const Batch b{std::span<const Index>(one)};
      value += p.value(fn, x, y, b) / static_cast<double>(n);
      p.grad(fn, x, y, b, &gx, &gy);
      p.hyy(fn, x, y, v, b, &hv);
      ax += gx / static_cast<double>(n);
      ay += gy / static_cast<double>(n);
      ah += hv / static_cast<double>(n);
    }
    p.grad(fn, x, y, Batch{}, &gx, &gy);
    p.hyy(fn, x, y, v, Batch{}, &hv);
    EXPECT_NEAR(value, p.value(fn, x, y, Batch{}), 1e-12);
    EXPECT_LT(rel_err(ax, gx), 1e-12);
    EXPECT_LT(rel_err(ay, gy), 1e-12);
    EXPECT_LT(rel_err(ah, hv), 1e-12);
  }
}

// Both partial gradients of fn against central differences of its value, on the full data
// and on `batch`; x must really matter for g (a zero grad_x would pass trivially).
inline void expect_gradients_match_finite_differences(Problem& p, const Vec& x, const Vec& y,
                                                      std::span<const Index> batch) {
  for (Fn fn : {Fn::kF, Fn::kG}) {
    for (const Batch b : {Batch{}, Batch{batch}}) {
      Vec gx, gy;
      p.grad(fn, x, y, b, &gx, &gy);
      const Vec fx = fd_gradient([&](const Vec& xx) { return p.value(fn, xx, y, b); }, x);
      const Vec fy = fd_gradient([&](const Vec& yy) { return p.value(fn, x, yy, b); }, y);
      EXPECT_LT(rel_err(gx, fx), 1e-8) << (fn == Fn::kF ? "f" : "g") << " full=" << b.full();
      EXPECT_LT(rel_err(gy, fy), 1e-8) << (fn == Fn::kF ? "f" : "g") << " full=" << b.full();
      if (fn == Fn::kG) EXPECT_GT(gx.norm(), 1e-3);
    }
  }
}

// Hyy/Hxy/Hyx/Hxx products and dense Hessian blocks of `fn` at (x, y) on batch `b` agree with
// central differences of the problem's gradients to relative `tol`.
inline void expect_second_order_matches_finite_differences(Problem& p, Fn fn, const Vec& x,
                                                           const Vec& y, const Vec& v,
                                                           const Vec& u, const Batch& b,
                                                           double tol) {
  auto grad_y_at = [&](const Vec& xx, const Vec& yy) {
    Vec gy;
    p.grad(fn, xx, yy, b, nullptr, &gy);
    return gy;
  };
  auto grad_x_at = [&](const Vec& xx, const Vec& yy) {
    Vec gx;
    p.grad(fn, xx, yy, b, &gx, nullptr);
    return gx;
  };
  const Mat jyy = fd_jacobian([&](const Vec& yy) { return grad_y_at(x, yy); }, y);
  const Mat jyx = fd_jacobian([&](const Vec& xx) { return grad_y_at(xx, y); }, x);
  const Mat jxy = fd_jacobian([&](const Vec& yy) { return grad_x_at(x, yy); }, y);
  const Mat jxx = fd_jacobian([&](const Vec& xx) { return grad_x_at(xx, y); }, x);
  Vec hyy, hxy, hyx;
  p.hyy(fn, x, y, v, b, &hyy);
  p.hxy(fn, x, y, v, b, &hxy);
  p.hyx(fn, x, y, u, b, &hyx);
  Vec hxx;
  p.hxx(fn, x, y, u, b, &hxx);
  EXPECT_LT((hxx - jxx * u).norm() / std::max(1.0, (jxx * u).norm()), tol)
      << to_string(fn) << " full=" << b.full();
  EXPECT_LT(rel_err(hyy, jyy * v), tol) << to_string(fn) << " full=" << b.full();
  EXPECT_LT(rel_err(hxy, jxy * v), tol) << to_string(fn) << " full=" << b.full();
  EXPECT_LT(rel_err(hyx, jyx * u), tol) << to_string(fn) << " full=" << b.full();
  Mat bxx, bxy, byy;
  p.hessian(fn, x, y, b, &bxx, &bxy, &byy);
  EXPECT_LT((byy - jyy).norm() / std::max(1.0, byy.norm()), tol);
  EXPECT_LT((bxy - jxy).norm() / std::max(1.0, bxy.norm()), tol);
  EXPECT_LT((bxx - jxx).norm() / std::max(1.0, bxx.norm()), tol);
}

// Run settings for `iters` iterations with diagnostics and a seed, a record every `log_every`.
inline RunSettings seeded(Index iters, std::uint64_t seed, Index log_every = 1) {
  RunSettings s;
  s.stopping.max_iters = iters;
  s.seed = seed;
  s.log_every = log_every;
  return s;
}

// Two runs of make()'s algorithm with one seed give bit-identical traces and a run with
// another seed differs, on a small quadratic with gradient noise.
inline void expect_reproducible_by_seed(const std::function<std::unique_ptr<Algorithm>()>& make,
                                        Index iters) {
  QuadraticOptions qo = small_quadratic();
  qo.sigma = 0.3;
  auto trace_of = [&](std::uint64_t seed) {
    Quadratic q(qo);
    return make()->solve(q, seeded(iters, seed)).trace;
  };
  const Trace t1 = trace_of(5), t2 = trace_of(5), t3 = trace_of(6);
  expect_identical_traces(t1, t2);
  EXPECT_NE(t1.records.back().phi, t3.records.back().phi);
}

}  // namespace bilevel::testing
