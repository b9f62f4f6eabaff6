// Your own bilevel problem, solved with two of bilevel's methods.
//
//   min_x  phi(x) = f(x, y*(x)),   y*(x) = argmin_y g(x, y),  with
//   f(x, y) = 1/2 ||y - b||^2 + rho/2 ||x||^2          (fit b, keep x small)
//   g(x, y) = 1/2 ||y - A x||^2 + mu/2 ||y||^2         (y follows A x, shrunk by 1/(1 + mu))
//
// The answer is known in closed form: y*(x) = A x / (1 + mu), so with M = A / (1 + mu),
// phi(x) = 1/2 ||M x - b||^2 + rho/2 ||x||^2 and x* = (M'M + rho I)^{-1} M'b. The program
// prints it beside what each method finds.
//
// A problem implements its values and gradients; everything else is optional. Here:
// constants() (so that the methods' "auto" step sizes can be derived) and nothing for the
// Hessian-vector products, which aid-cg needs: bilevel derives them by central differences
// of the gradients.
#include <bilevel/algorithms/aid.hpp>
#include <bilevel/algorithms/f2ba.hpp>
#include <bilevel/core/method.hpp>
#include <bilevel/core/problem.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <utility>

using namespace bilevel;

class ShrunkFit : public Problem {
 public:
  ShrunkFit(Mat A, Vec b, double rho, double mu)
      : A_(std::move(A)), b_(std::move(b)), rho_(rho), mu_(mu) {}

  std::string name() const override { return "shrunk-fit"; }
  Index dim_x() const override { return A_.cols(); }
  Index dim_y() const override { return A_.rows(); }
  Index num_samples(Fn) const override { return 1; }  // not a finite sum

  // What the "auto" step sizes are derived from.
  ProblemConstants constants() const override {
    ProblemConstants c;
    c.mu_g = 1 + mu_;  // Hyy g = (1 + mu) I: g is (1 + mu)-strongly convex in y ...
    c.L_g = 1 + mu_;   // ... and (1 + mu)-smooth
    c.L_f = std::max(1.0, rho_);  // the Hessian of f is diag(rho I, I)
    c.mu_fy = 1;                  // Hyy f = I
    c.L_phi = Eigen::SelfAdjointEigenSolver<Mat>(phi_hessian()).eigenvalues().maxCoeff();
    return c;
  }

  // The known answer: argmin of phi(x) = 1/2 ||M x - b||^2 + rho/2 ||x||^2.
  Vec solution() const { return phi_hessian().ldlt().solve(M().transpose() * b_); }

 protected:
  // f or g at (x, y). The batch selects components of a finite sum: there is one here.
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch&) const override {
    if (fn == Fn::kF) return 0.5 * (y - b_).squaredNorm() + 0.5 * rho_ * x.squaredNorm();
    return 0.5 * (y - A_ * x).squaredNorm() + 0.5 * mu_ * y.squaredNorm();
  }

  // The partial gradients; either pointer may be null (that part is not needed).
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch&, Vec* gx,
               Vec* gy) const override {
    if (fn == Fn::kF) {
      if (gx) *gx = rho_ * x;
      if (gy) *gy = y - b_;
      return;
    }
    const Vec r = y - A_ * x;
    if (gx) *gx = -A_.transpose() * r;
    if (gy) *gy = r + mu_ * y;
  }

 private:
  Mat M() const { return A_ / (1 + mu_); }
  Mat phi_hessian() const {
    return M().transpose() * M() + rho_ * Mat::Identity(dim_x(), dim_x());
  }

  Mat A_;
  Vec b_;
  double rho_, mu_;
};

// Prints the run's one-line report and its distance to the known solution; true if close.
bool report(const Result& r, const Vec& x_star) {
  const double distance = (r.x - x_star).norm();
  std::cout << r.brief_report() << '\n';
  std::printf("  %s: x = [%.6f, %.6f], distance to the solution ||x - x*|| = %.3e\n\n",
              r.algorithm.c_str(), r.x(0), r.x(1), distance);
  return r.usable() && distance < 1e-4;
}

int main() {
  Mat A(3, 2);
  A << 1.0, 0.5,
       0.0, 1.0,
       0.5, -1.0;
  Vec b(3);
  b << 1.0, -1.0, 2.0;
  ShrunkFit problem(A, b, /*rho=*/0.1, /*mu=*/0.5);

  const Vec x_star = problem.solution();
  std::printf("known solution x* = [%.6f, %.6f]\n\n", x_star(0), x_star(1));

  RunSettings settings;
  settings.stopping.max_iters = 500;
  settings.stopping.tol = 1e-8;  // on the exact ||grad phi(x)||, which bilevel evaluates
  settings.log_every = 10;       // one trace record every 10 iterations
  const Vec x0 = Vec::Zero(2), y0 = Vec::Zero(3);

  // F2BA, fully first order: gradients only. Its answer is within O(1/lam) of x*; a large
  // multiplier lam brings it close (its inner step size 1/(L_f + lam L_g) follows).
  F2baOptions f2ba;
  f2ba.penalty.lam = 1e5;
  const Result r1 = F2ba(f2ba).solve(problem, x0, y0, settings);

  // AID with conjugate gradients, from Hessian-vector products (here derived from gradients),
  // every other option "auto" or its default.
  const Result r2 = solve<AidCg>(problem, AidCgOptions{}, x0, y0, settings);

  const bool ok1 = report(r1, x_star);
  const bool ok2 = report(r2, x_star);
  return ok1 && ok2 ? 0 : 1;
}
