// The Python view of a run's Result: x and y as numpy arrays over the Result's own memory (no
// copy; the arrays keep it alive), the trace as a dict of numpy columns, counts and options as
// dicts. Read-only: a Result is what a run returned.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "bilevel/core/result.hpp"

namespace bilevel::python {

namespace py = pybind11;

struct ResultObject {
  Result result;
  py::object trace_columns;  // built on first use (the dict of numpy columns)
};

void bind_result(py::module_& m);

}  // namespace bilevel::python
