// Datasets between numpy and the library: bilevel.datasets.load and the arrays a user passes
// to bilevel.run(train=(A, b), ...).
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "bilevel/data/dataset.hpp"

namespace bilevel::python {

namespace py = pybind11;

// A dataset from a feature matrix and labels. `features` is a 2-D array of real numbers, or
// the tuple ("csr", data, indices, indptr, (rows, cols)) the Python layer makes of a
// scipy.sparse matrix; `labels` a 1-D array of whole numbers in [0, num_classes). ValueError
// "<name>: ..." for anything else (shape, dtype, NaN, a label out of range).
data::Dataset dataset_from_arrays(const std::string& name, py::handle features, py::handle labels,
                                  int num_classes);
// The largest label + 1 of a labels array (0 for None), checked like dataset_from_arrays.
int num_classes_of(const std::string& name, py::handle labels);

void bind_datasets(py::module_& m);

}  // namespace bilevel::python
