// bilevel._bilevel: the compiled part of the Python module. The public names live in the
// pure-Python layer (python/bilevel/__init__.py), which documents and forwards to these.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bilevel/core/algorithm.hpp"
#include "bilevel/core/error.hpp"
#include "bilevel/registry.hpp"
#include "convert.hpp"
#include "datasets.hpp"
#include "result_object.hpp"
#include "run.hpp"

namespace py = pybind11;
using namespace bilevel;

PYBIND11_MODULE(_bilevel, m) {
  m.doc() = "bilevel's compiled core; use the package `bilevel`";
  m.attr("__version__") = BILEVEL_VERSION;
  // Bad input is a ValueError with the library's one-line message (InvalidInput derives from
  // std::invalid_argument, which pybind11 already maps to ValueError; said here for clarity).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InvalidInput& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  python::bind_result(m);
  python::bind_datasets(m);

  m.def("_run", &python::run, py::arg("problem"), py::arg("problem_options"), py::arg("algo"),
        py::arg("options"), py::arg("settings"), py::arg("callback"), py::arg("data"),
        py::arg("trace"), py::arg("summary"), py::arg("x0"), py::arg("y0"));

  m.def("_list_problems", [] {
    py::list out;
    for (const ProblemEntry& e : problem_registry()) {
      py::dict d;
      d["name"] = e.name;
      d["description"] = e.description;
      d["options"] = python::option_docs_list(e.options());
      d["takes_data"] = static_cast<bool>(e.make_from_data);
      out.append(d);
    }
    return out;
  });
  m.def("_list_algorithms", [] {
    py::list out;
    for (const AlgorithmEntry& e : algorithm_registry()) {
      const auto a = e.make();
      py::dict d;
      d["name"] = e.name;
      d["description"] = e.description;
      d["options"] = python::option_docs_list(a->option_docs());
      d["distributed"] = a->runs_distributed();
      out.append(d);
    }
    return out;
  });
  m.def("_list_settings", [] { return python::option_docs_list(option_docs(RunSettings{}, "run")); });
}
