#include "result_object.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bilevel/io/trace_writer.hpp"
#include "convert.hpp"

namespace bilevel::python {

namespace {

// The trace's columns under the names of the CSV contract (trace_writer.hpp), one numpy array
// each: counts as int64, the rest as float64 with NaN for unknown values.
py::dict trace_columns(const Trace& trace) {
  std::vector<std::string> names;
  {
    const std::string header = trace_csv_header(trace);
    std::size_t start = 0;
    for (std::size_t comma; (comma = header.find(',', start)) != std::string::npos;
         start = comma + 1)
      names.push_back(header.substr(start, comma - start));
    names.push_back(header.substr(start));
  }
  const auto n = static_cast<py::ssize_t>(trace.records.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  py::dict columns;
  const std::size_t first_metric = names.size() - trace.metric_names.size();
  for (std::size_t c = 0; c < names.size(); ++c) {
    const std::string& name = names[c];
    auto integer = [&](auto get) {
      py::array_t<std::int64_t> a(n);
      auto* out = a.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i) out[i] = get(trace.records[i]);
      columns[py::str(name)] = a;
    };
    auto real = [&](auto get) {
      py::array_t<double> a(n);
      auto* out = a.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i) out[i] = get(trace.records[i]);
      columns[py::str(name)] = a;
    };
    if (name == "iter") integer([](const IterRecord& r) { return r.iter; });
    else if (name == "time_s") real([](const IterRecord& r) { return r.time_s; });
    else if (name == "grad_calls") integer([](const IterRecord& r) { return r.counts.grad_calls(); });
    else if (name == "hvp_calls") integer([](const IterRecord& r) { return r.counts.hvp_calls(); });
    else if (name == "hess_calls") integer([](const IterRecord& r) { return r.counts.hess_calls(); });
    else if (name == "samples") integer([](const IterRecord& r) { return r.counts.samples(); });
    else if (name == "phi") real([](const IterRecord& r) { return r.phi; });
    else if (name == "hypergrad_norm") real([](const IterRecord& r) { return r.hypergrad_norm; });
    else if (name == "comm_rounds") integer([](const IterRecord& r) { return r.comm.rounds; });
    else if (name == "comm_bytes") integer([](const IterRecord& r) { return r.comm.bytes; });
    else if (name == "min_eig") real([](const IterRecord& r) { return r.min_eig; });
    else if (c >= first_metric) {
      const std::size_t k = c - first_metric;
      real([&](const IterRecord& r) { return k < r.metrics.size() ? r.metrics[k] : nan; });
    } else {
      throw std::logic_error("trace column '" + name + "' has no Python conversion");
    }
  }
  // Beyond the CSV: the calls by function and kind, for users who count them separately.
  for (const Fn fn : {Fn::kF, Fn::kG}) {
    const std::string p = fn == Fn::kF ? "f_" : "g_";
    const std::pair<const char*, Index FunctionCounts::*> kinds[] = {
        {"value_calls", &FunctionCounts::value}, {"grad_calls", &FunctionCounts::grad},
        {"hvp_calls", &FunctionCounts::hvp},     {"hess_calls", &FunctionCounts::hess},
        {"samples", &FunctionCounts::samples}};
    for (const auto& [kind, member] : kinds) {
      py::array_t<std::int64_t> a(n);
      auto* out = a.mutable_data();
      for (py::ssize_t i = 0; i < n; ++i) out[i] = trace.records[i].counts.of(fn).*member;
      columns[py::str(p + kind)] = a;
    }
  }
  return columns;
}

py::dict timings_dict(const Timings& t) {
  py::dict d;
  d["start_s"] = t.start_s;
  d["steps_s"] = t.steps_s;
  d["diagnostics_s"] = t.diagnostics_s;
  d["callbacks_s"] = t.callbacks_s;
  return d;
}

}  // namespace

void bind_result(py::module_& m) {
  py::enum_<Status>(m, "Status", "Why a run stopped (Result.status).")
      .value("CONVERGED", Status::kConverged)
      .value("MAX_ITERATIONS", Status::kMaxIterations)
      .value("ORACLE_BUDGET", Status::kOracleBudget)
      .value("TIME_LIMIT", Status::kTimeLimit)
      .value("DIVERGED", Status::kDiverged)
      .value("USER_STOP", Status::kUserStop)
      .value("USER_ABORT", Status::kUserAbort)
      .value("INTERRUPTED", Status::kInterrupted);

  using Self = ResultObject;
  py::class_<Self, std::shared_ptr<Self>>(m, "Result",
                                          "What a run returned (bilevel.run). x and y view the "
                                          "result's memory; trace is a dict of numpy columns.")
      .def_property_readonly("x", [](py::object self) {
        return view_of(self.cast<Self&>().result.x, self);
      }, "final upper-level iterate (numpy, no copy)")
      .def_property_readonly("y", [](py::object self) {
        return view_of(self.cast<Self&>().result.y, self);
      }, "the method's final estimate of y*(x) (numpy, no copy)")
      .def_property_readonly("status", [](const Self& s) { return s.result.status; })
      .def_property_readonly("message", [](const Self& s) { return s.result.message; })
      .def_property_readonly("algorithm", [](const Self& s) { return s.result.algorithm; })
      .def_property_readonly("problem", [](const Self& s) { return s.result.problem; })
      .def_property_readonly("iters", [](const Self& s) { return s.result.iters; })
      .def_property_readonly("time_s", [](const Self& s) { return s.result.time_s; })
      .def_property_readonly("phi", [](const Self& s) { return s.result.phi; })
      .def_property_readonly("hypergrad_norm",
                             [](const Self& s) { return s.result.hypergrad_norm; })
      .def_property_readonly("min_eig", [](const Self& s) { return s.result.min_eig; })
      .def_property_readonly("usable", [](const Self& s) { return s.result.usable(); },
                             "False when the run diverged or was aborted")
      .def_property_readonly("counts", [](const Self& s) { return to_dict(s.result.counts); },
                             "oracle calls by function (f, g, total) and kind")
      .def_property_readonly("comm", [](const Self& s) {
        py::dict d;
        d["rounds"] = s.result.comm.rounds;
        d["bytes"] = s.result.comm.bytes;
        return d;
      })
      .def_property_readonly("options", [](const Self& s) { return to_dict(s.result.options); },
                             "the method's resolved options, typed")
      .def_property_readonly("problem_options",
                             [](const Self& s) { return to_dict(s.result.problem_options); })
      .def_property_readonly("method_counters", [](const Self& s) {
        py::dict d;
        for (const auto& [k, v] : s.result.method_counters) d[py::str(k)] = v;
        return d;
      })
      .def_property_readonly("warnings", [](const Self& s) { return s.result.warnings; })
      .def_property_readonly("timings", [](const Self& s) { return timings_dict(s.result.timings); })
      .def_property_readonly("trace", [](Self& s) {
        if (!s.trace_columns) s.trace_columns = trace_columns(s.result.trace);
        return s.trace_columns;
      }, "the per-iteration trace: the CSV columns (iter, time_s, ..., metrics) and the calls "
         "by function and kind (f_grad_calls, ...), one numpy array each")
      .def("brief_report", [](const Self& s) { return s.result.brief_report(); })
      .def("full_report", [](const Self& s) { return s.result.full_report(); })
      .def("__repr__", [](const Self& s) {
        return "<bilevel.Result " + s.result.brief_report() + ">";
      });
}

}  // namespace bilevel::python
