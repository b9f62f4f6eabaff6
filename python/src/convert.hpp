// Conversions between Python objects and the library's types, shared by the bindings.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "bilevel/core/options.hpp"
#include "bilevel/core/oracle_counts.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel::python {

namespace py = pybind11;

// A float64 copy of an array-like of n numbers (a 1-D array, or any shape holding exactly n
// values is refused: only (n,) is accepted). ValueError "<what> has shape (3,), expected (4,)",
// or "<what> is not an array of real numbers" for a value numpy cannot read as float64.
Vec to_vec(py::handle obj, Index n, const std::string& what);
// A dense float64 matrix of shape (rows, cols), with the same kind of errors.
Mat to_mat(py::handle obj, Index rows, Index cols, const std::string& what);
// A new numpy array holding a copy of v (what the user's oracles receive: they may keep it).
py::array_t<double> copy_of(const Vec& v);
// A numpy array that views v without copying; `owner` keeps v alive.
py::array_t<double> view_of(const Vec& v, py::handle owner);

// An option value as the Python object it is: None for an unresolved "auto".
py::object to_python(const OptionValue& v);
py::dict to_dict(const OptionValues& values);
// Python option values as key=value text for OptionList::set: True -> "true", 0.1 -> the
// shortest text that reads back as the same double, None -> "auto". ValueError for a key that
// is not a string or a value of another type.
KeyValues key_values(const py::dict& options, const std::string& what);
// Declared options as dicts: name, default, help, constraint, auto_rule, choices.
py::list option_docs_list(const std::vector<OptionDoc>& docs);
// {"value": .., "grad": .., "hvp": .., "hess": .., "samples": ..} of one function.
py::dict to_dict(const FunctionCounts& c);
// {"f": {...}, "g": {...}, "total": {...}}.
py::dict to_dict(const OracleCounts& c);

}  // namespace bilevel::python
