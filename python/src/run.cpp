// bilevel.run: the Python shell over Algorithm::solve, doing what the CLI's `run` does (same
// options, same checks in the same order, the same files) with Python objects for flags.
#include "run.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <omp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "bilevel/core/error.hpp"
#include "bilevel/io/output_files.hpp"
#include "bilevel/io/summary.hpp"
#include "bilevel/io/trace_writer.hpp"
#include "bilevel/registry.hpp"
#include "convert.hpp"
#include "datasets.hpp"
#include "python_problem.hpp"
#include "result_object.hpp"

namespace bilevel::python {

namespace {

// The run settings from Python keywords, checked by their declarations (RunSettings::declare):
// the messages are the library's ("run: max_iters must be >= 1 (got 0)").
RunSettings settings_from(const py::dict& kwargs) {
  RunSettings s;
  OptionList list("run");
  s.declare(list);
  list.set_all(key_values(kwargs, "run"));
  Violations v;
  v.add_all(list.violations());
  // The tolerance tests the exact ||grad phi||, which only the diagnostics compute: without
  // them the run would silently go on to its other limits (as the CLI refuses it).
  v.check(s.diagnostics || s.stopping.tol == 0,
          "tol needs the exact ||grad phi||, which diagnostics=False turns off; drop one of them");
  v.throw_if_any("run");
  return s;
}

// The record a callback receives: the trace row as a dict (the CSV's column names).
py::dict record_dict(const IterRecord& r, const std::vector<std::string>& metric_names) {
  py::dict d;
  d["iter"] = r.iter;
  d["time_s"] = r.time_s;
  d["grad_calls"] = r.counts.grad_calls();
  d["hvp_calls"] = r.counts.hvp_calls();
  d["hess_calls"] = r.counts.hess_calls();
  d["samples"] = r.counts.samples();
  d["phi"] = r.phi;
  d["hypergrad_norm"] = r.hypergrad_norm;
  d["min_eig"] = r.min_eig;
  d["comm_rounds"] = r.comm.rounds;
  d["comm_bytes"] = r.comm.bytes;
  d["counts"] = to_dict(r.counts);
  for (std::size_t k = 0; k < metric_names.size() && k < r.metrics.size(); ++k)
    d[py::str(metric_names[k])] = r.metrics[k];
  return d;
}

// What a Python callback's return value asks: None or False continue, True or "stop" stop,
// "abort" aborts (or the bilevel.Action values, which are those strings).
Action action_of(const py::object& r) {
  if (r.is_none()) return Action::kContinue;
  if (py::isinstance<py::bool_>(r)) return r.cast<bool>() ? Action::kStop : Action::kContinue;
  if (py::isinstance<py::str>(r)) {
    const std::string s = r.cast<std::string>();
    if (s == "continue") return Action::kContinue;
    if (s == "stop") return Action::kStop;
    if (s == "abort") return Action::kAbort;
  }
  throw py::value_error("a callback must return None, False or 'continue' (go on), True or "
                        "'stop' (end the run, keep its iterate) or 'abort'; got " +
                        std::string(py::repr(r)));
}

std::unique_ptr<Problem> build_problem(const py::object& problem, const KeyValues& problem_kv,
                                       const py::object& data) {
  if (!py::isinstance<py::str>(problem)) {
    if (!problem_kv.empty())
      throw py::value_error("problem_options apply to a built-in problem given by name; a "
                            "Python problem takes its settings in its own constructor");
    if (!data.is_none())
      throw py::value_error("train, val and test apply to a built-in problem given by name");
    return std::make_unique<PythonProblem>(problem);
  }
  const std::string name = problem.cast<std::string>();
  if (data.is_none()) {
    py::gil_scoped_release release;  // loading a dataset may take seconds
    return make_problem(name, problem_kv);
  }
  // (train, val, test): each (features, labels) or None.
  const py::tuple sets = data;
  int classes = 0;
  const char* names[] = {"train", "val", "test"};
  for (int i = 0; i < 3; ++i)
    if (!sets[i].is_none())
      classes = std::max(classes, num_classes_of(names[i], sets[i].cast<py::tuple>()[1]));
  data::Dataset parts[3];
  for (int i = 0; i < 3; ++i) {
    if (sets[i].is_none()) continue;
    const py::tuple t = sets[i];
    parts[i] = dataset_from_arrays(names[i], t[0], t[1], classes);
  }
  if (sets[2].is_none()) {  // no test set: an empty one with the same shape
    parts[2] = parts[0].subset({}, "test");
  }
  py::gil_scoped_release release;
  return make_problem_from_data(name, problem_kv, std::move(parts[0]), std::move(parts[1]),
                                std::move(parts[2]));
}

}  // namespace

std::shared_ptr<ResultObject> run(const py::object& problem, const py::dict& problem_options,
                                  const std::string& algo, const py::dict& options,
                                  const py::dict& settings_kwargs, const py::object& callback,
                                  const py::object& data, const std::string& trace_path,
                                  const std::string& summary_path, const py::object& x0,
                                  const py::object& y0) {
  // The order of the CLI's checks: settings, output files, the method's options, then the
  // (possibly expensive) problem.
  RunSettings settings = settings_from(settings_kwargs);
  const KeyValues problem_kv = key_values(problem_options, "problem_options");
  const KeyValues algo_kv = key_values(options, algo);
  check_output_files({{"trace", trace_path, "trace file"},
                      {"summary", summary_path, "summary file"}});
  if (trace_path == "-" || summary_path == "-")
    throw InvalidInput("trace and summary need file names ('-', the standard output, is the "
                       "CLI's); read Result.trace instead");
  const std::unique_ptr<Algorithm> algorithm = make_algorithm(algo, algo_kv);
  {
    Violations v;
    v.add_all(algorithm->validate());
    v.throw_if_any(algorithm->name());
  }
  settings.apply_memory_limit();
  const std::unique_ptr<Problem> built = build_problem(problem, problem_kv, data);
  const std::vector<std::string> metric_names = built->metric_names();
  // The starting point: the problem's own, or the caller's (copied, length checked).
  const Vec start_x = x0.is_none() ? built->initial_x() : to_vec(x0, built->dim_x(), "x0");
  const Vec start_y = y0.is_none() ? built->initial_y() : to_vec(y0, built->dim_y(), "y0");

  // Ctrl-C: the interpreter only notes the signal while C++ runs; the run looks at that note
  // after a record at most every 0.1 s (taking the GIL costs up to the interpreter's switch
  // interval, 5 ms, when another thread holds it), stops as interrupted, and the Python layer
  // raises KeyboardInterrupt.
  std::atomic<bool> interrupted{false};
  settings.interrupt = &interrupted;
  auto last_look = std::chrono::steady_clock::now();
  settings.callbacks.push_back([&](const IterRecord&, const Vec&, const Vec&) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_look < std::chrono::milliseconds(100)) return Action::kContinue;
    last_look = now;
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();  // raised again by the Python layer, with the result
      interrupted = true;
    }
    return Action::kContinue;
  });
  if (!callback.is_none()) {
    settings.callbacks.push_back([&](const IterRecord& r, const Vec& x, const Vec& y) {
      py::gil_scoped_acquire gil;
      return action_of(callback(record_dict(r, metric_names), copy_of(x), copy_of(y)));
    });
  }

  auto out = std::make_shared<ResultObject>();
  // The run sets the calling thread's OpenMP count (RunSettings::threads), which PyTorch's
  // kernels share: it is put back afterwards, so that a run changes no setting of the caller.
  struct RestoreThreads {
    int count = omp_get_max_threads();
    ~RestoreThreads() { omp_set_num_threads(count); }
  } restore_threads;
  {
    // The GIL is released for the whole run: other Python threads go on. A Python problem's
    // oracles and the callbacks take it back while they run.
    py::gil_scoped_release release;
    out->result = algorithm->solve(*built, start_x, start_y, settings);
  }
  // Only a finished run writes its files, each atomically: an exception above (a user's
  // oracle raising) leaves no file, and an existing one intact.
  if (!trace_path.empty()) write_trace_csv(out->result.trace, trace_path);
  if (!summary_path.empty()) {
    nlohmann::json summary = run_summary(out->result, settings, peak_rss_mb());
    summary["bilevel_version"] = BILEVEL_VERSION;
    write_summary_json(summary, summary_path);
  }
  return out;
}

}  // namespace bilevel::python
