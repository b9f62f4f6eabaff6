#include "bilevel/core/result.hpp"

#include <cmath>
#include <cstdio>

namespace bilevel {

const char* to_string(Status s) {
  switch (s) {
    case Status::kConverged: return "converged";
    case Status::kMaxIterations: return "max_iterations";
    case Status::kOracleBudget: return "oracle_budget";
    case Status::kTimeLimit: return "time_limit";
    case Status::kDiverged: return "diverged";
    case Status::kUserStop: return "user_stop";
  }
  return "unknown";
}

std::string Result::brief_report() const {
  char buf[512];
  // lambda_min(Hess phi) only when the run computed it: the line stays as it was otherwise.
  char curvature[64] = "";
  if (!std::isnan(min_eig))
    std::snprintf(curvature, sizeof curvature, ", lambda_min(Hess phi) = %.3e", min_eig);
  std::snprintf(buf, sizeof buf,
                "%s after %lld iterations, %.3f s: phi = %.10g, ||grad phi|| = %.3e%s; "
                "grad calls %lld, hvp calls %lld, hess calls %lld, samples %lld",
                to_string(status), static_cast<long long>(iters), time_s, phi, hypergrad_norm,
                curvature, static_cast<long long>(counts.grad_calls()),
                static_cast<long long>(counts.hvp_calls()),
                static_cast<long long>(counts.hess_calls()),
                static_cast<long long>(counts.samples()));
  return buf;
}

}  // namespace bilevel
