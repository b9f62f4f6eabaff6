// bilevel.run's compiled part (python/bilevel/__init__.py gives it its keywords).
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "result_object.hpp"

namespace bilevel::python {

namespace py = pybind11;

// Runs `algo` on `problem` (a built-in problem's name, or a Python problem object). `data` is
// None or (train, val, test), each None or (features, labels). `settings` holds the run
// settings by their declared names (max_iters, tol, seed, ...). Raises ValueError for bad
// input, with the library's message; never for divergence (Result.status).
std::shared_ptr<ResultObject> run(const py::object& problem, const py::dict& problem_options,
                                  const std::string& algo, const py::dict& options,
                                  const py::dict& settings, const py::object& callback,
                                  const py::object& data, const std::string& trace_path,
                                  const std::string& summary_path, const py::object& x0,
                                  const py::object& y0);

}  // namespace bilevel::python
