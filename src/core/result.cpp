#include "bilevel/core/result.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "bilevel/core/state_archive.hpp"

namespace bilevel {

void IterRecord::visit(StateArchive& a) {
  a("iter", iter)("time_s", time_s)("counts", counts)("phi", phi)("hypergrad_norm", hypergrad_norm);
  a("min_eig", min_eig)("comm", comm);
  Vec m = Eigen::Map<const Vec>(metrics.data(), static_cast<Index>(metrics.size()));
  a("metrics", m);
  metrics.assign(m.data(), m.data() + m.size());
}

void Timings::visit(StateArchive& a) {
  a("start_s", start_s)("steps_s", steps_s)("diagnostics_s", diagnostics_s);
  a("callbacks_s", callbacks_s);
}

const char* to_string(Status s) {
  switch (s) {
    case Status::kConverged: return "converged";
    case Status::kMaxIterations: return "max_iterations";
    case Status::kOracleBudget: return "oracle_budget";
    case Status::kTimeLimit: return "time_limit";
    case Status::kDiverged: return "diverged";
    case Status::kUserStop: return "user_stop";
    case Status::kUserAbort: return "user_abort";
    case Status::kInterrupted: return "interrupted";
  }
  return "unknown";
}

std::string Result::brief_report() const {
  char buf[512];
  // lambda_min(Hess phi) only when the run computed it: the line stays as it was otherwise.
  char curvature[64] = "";
  if (!std::isnan(min_eig))
    std::snprintf(curvature, sizeof curvature, ", lambda_min(Hess phi) = %.3e", min_eig);
  std::snprintf(
      buf, sizeof buf,
      "%s after %lld iterations, %.3f s: phi = %.10g, ||grad phi|| = %.3e%s; "
      "grad calls %lld, hvp calls %lld, hess calls %lld, samples %lld",
      to_string(status), static_cast<long long>(iters), time_s, phi, hypergrad_norm, curvature,
      static_cast<long long>(counts.grad_calls()), static_cast<long long>(counts.hvp_calls()),
      static_cast<long long>(counts.hess_calls()), static_cast<long long>(counts.samples()));
  return buf;
}

namespace {

// "%-w s" rows of the report.
std::string row(const std::string& label, const std::string& value, std::size_t width = 24) {
  std::string s = "  " + label;
  if (s.size() < width) s += std::string(width - s.size(), ' ');
  return s + " " + value + "\n";
}

std::string number(double v) {
  if (std::isnan(v)) return "unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string seconds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

std::string counts_row(const std::string& label, const FunctionCounts& c) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-14s %12lld %12lld %12lld %12lld %14lld\n", label.c_str(),
                static_cast<long long>(c.value), static_cast<long long>(c.grad),
                static_cast<long long>(c.hvp), static_cast<long long>(c.hess),
                static_cast<long long>(c.samples));
  return buf;
}

void options_section(std::ostringstream& out, const std::string& title,
                     const OptionValues& values) {
  out << "\n" << title << "\n";
  if (values.empty()) out << "  (none)\n";
  for (const auto& s : values) out << row(s.name, format_value(s.value));
}

}  // namespace

std::string Result::full_report() const {
  std::ostringstream out;
  out << "Run report\n";
  out << row("method", algorithm.empty() ? "?" : algorithm);
  out << row("problem", problem.empty() ? "?" : problem);
  out << row("termination", std::string(to_string(status)) + ": " + message);
  out << row("usable", usable() ? "yes" : "no (the iterate must not be used)");
  out << row("iterations", std::to_string(iters));
  options_section(out, "Options (resolved)", options);
  options_section(out, "Problem options", problem_options);

  out << "\nOracle calls            value         grad          hvp         hess        samples\n";
  out << counts_row("f", counts.f);
  out << counts_row("g", counts.g);
  out << counts_row("total", counts.f + counts.g);

  out << "\nTime (seconds)\n";
  out << row("start", seconds(timings.start_s));
  out << row("steps", seconds(timings.steps_s));
  out << row("algorithm", seconds(time_s) + " (start + steps: the trace's time_s)");
  out << row("diagnostics", seconds(timings.diagnostics_s) + " (uncounted evaluation)");
  out << row("callbacks", seconds(timings.callbacks_s));

  out << "\nFinal point\n";
  out << row("phi", number(phi));
  out << row("||grad phi||", number(hypergrad_norm));
  if (!std::isnan(min_eig)) out << row("lambda_min", number(min_eig));
  if (!trace.records.empty()) {
    const auto& last = trace.records.back().metrics;
    for (std::size_t i = 0; i < trace.metric_names.size() && i < last.size(); ++i)
      out << row(trace.metric_names[i], number(last[i]));
  }

  if (!method_counters.empty()) {
    out << "\nMethod counters\n";
    for (const auto& [name, value] : method_counters) out << row(name, number(value));
  }
  if (!warnings.empty()) {
    out << "\nWarnings\n";
    for (const auto& w : warnings) out << "  - " << w << "\n";
  }
  return out.str();
}

}  // namespace bilevel
