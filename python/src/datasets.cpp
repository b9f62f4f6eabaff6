#include "datasets.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <vector>

#include "bilevel/data/catalog.hpp"
#include "bilevel/problems/data_split.hpp"

namespace bilevel::python {

namespace {

// The labels as int, or ValueError: integer dtype, one dimension.
std::vector<int> labels_of(const std::string& name, py::handle labels) {
  const py::array a = py::array::ensure(labels);
  if (!a) throw py::value_error(name + ": labels must be an array of whole numbers");
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u')
    throw py::value_error(name + ": labels must be whole numbers (class ids 0..C-1); got dtype " +
                          std::string(py::str(a.dtype())));
  if (a.ndim() != 1)
    throw py::value_error(name + ": labels must be one-dimensional (got " +
                          std::to_string(a.ndim()) + " dimensions)");
  const auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
  std::vector<int> out(static_cast<std::size_t>(ints.size()));
  for (py::ssize_t i = 0; i < ints.size(); ++i) {
    const std::int64_t v = ints.data()[i];
    if (v < 0 || v > 1'000'000)
      throw py::value_error(name + ": sample " + std::to_string(i) + " has label " +
                            std::to_string(v) + "; labels are class ids 0..C-1");
    out[static_cast<std::size_t>(i)] = static_cast<int>(v);
  }
  return out;
}

// A 2-D array of real numbers as float64, C order.
py::array_t<double, py::array::c_style> real_matrix(const std::string& name, py::handle obj) {
  const py::array a = py::array::ensure(obj);
  if (!a) throw py::value_error(name + ": features must be a 2-D array of real numbers");
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::value_error(name + ": features must be real numbers (got dtype " +
                          std::string(py::str(a.dtype())) + ")");
  if (a.ndim() != 2)
    throw py::value_error(name + ": features must be a 2-D array (samples x features); got " +
                          std::to_string(a.ndim()) + " dimensions");
  return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
}

// The numpy arrays of a loaded dataset: features dense (a 2-D float64 array over the
// dataset's own memory) or as CSR parts.
py::dict dataset_dict(data::Dataset d) {
  auto owner = std::make_shared<data::Dataset>(std::move(d));
  py::capsule keep(new std::shared_ptr<data::Dataset>(owner), [](void* p) {
    delete static_cast<std::shared_ptr<data::Dataset>*>(p);
  });
  py::dict out;
  out["name"] = owner->name;
  out["num_classes"] = owner->num_classes;
  out["class_names"] = owner->class_names;
  py::array_t<std::int64_t> labels(static_cast<py::ssize_t>(owner->labels.size()));
  std::copy(owner->labels.begin(), owner->labels.end(), labels.mutable_data());
  out["labels"] = labels;
  const auto rows = static_cast<py::ssize_t>(owner->num_samples());
  const auto cols = static_cast<py::ssize_t>(owner->num_features());
  if (owner->is_sparse()) {
    const auto& s = owner->sparse();
    const auto nnz = static_cast<py::ssize_t>(s.nonZeros());
    out["format"] = "csr";
    out["data"] = py::array_t<double>(nnz, s.valuePtr(), keep);
    out["indices"] = py::array_t<std::int64_t>(nnz, s.innerIndexPtr(), keep);
    out["indptr"] = py::array_t<std::int64_t>(rows + 1, s.outerIndexPtr(), keep);
    out["shape"] = py::make_tuple(rows, cols);
  } else {
    out["format"] = "dense";
    const std::vector<py::ssize_t> shape{rows, cols};
    const std::vector<py::ssize_t> strides{cols * static_cast<py::ssize_t>(sizeof(double)),
                                           static_cast<py::ssize_t>(sizeof(double))};
    out["features"] = py::array_t<double>(shape, strides, owner->dense().data(), keep);
  }
  return out;
}

const char* source_name(data::DatasetSource s) {
  switch (s) {
    case data::DatasetSource::kFiles: return "files";
    case data::DatasetSource::kGenerated: return "generated";
    case data::DatasetSource::kUserFiles: return "user files";
  }
  return "";
}

}  // namespace

int num_classes_of(const std::string& name, py::handle labels) {
  if (labels.is_none()) return 0;
  int c = 0;
  for (const int l : labels_of(name, labels)) c = std::max(c, l + 1);
  return c;
}

data::Dataset dataset_from_arrays(const std::string& name, py::handle features, py::handle labels,
                                  int num_classes) {
  data::Dataset d;
  d.name = name;
  d.labels = labels_of(name, labels);
  if (py::isinstance<py::tuple>(features) && py::len(features) == 5 &&
      py::str(py::tuple(features.cast<py::tuple>())[0]).cast<std::string>() == "csr") {
    const py::tuple t = features.cast<py::tuple>();
    const auto shape = t[4].cast<std::pair<Index, Index>>();
    const auto values = real_matrix(name, py::module_::import("numpy").attr("atleast_2d")(t[1]));
    const auto indices =
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(t[2]);
    const auto indptr =
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(t[3]);
    const Index nnz = values.size();
    if (indptr.size() != shape.first + 1 || indices.size() != nnz ||
        indptr.data()[shape.first] != nnz)
      throw py::value_error(name + ": the sparse matrix's parts do not agree with its shape");
    data::SparseMatrix m(shape.first, shape.second);
    std::vector<Eigen::Triplet<double, std::int64_t>> entries;
    entries.reserve(static_cast<std::size_t>(nnz));
    for (Index r = 0; r < shape.first; ++r)
      for (std::int64_t k = indptr.data()[r]; k < indptr.data()[r + 1]; ++k) {
        const std::int64_t c = indices.data()[k];
        if (k < 0 || k >= nnz || c < 0 || c >= shape.second)
          throw py::value_error(name + ": a sparse column index is outside the matrix");
        entries.emplace_back(r, c, values.data()[k]);
      }
    m.setFromTriplets(entries.begin(), entries.end());
    d.features = std::move(m);
  } else {
    const auto a = real_matrix(name, features);
    data::DenseMatrix m(a.shape(0), a.shape(1));
    std::copy(a.data(), a.data() + a.size(), m.data());
    d.features = std::move(m);
  }
  d.num_classes = num_classes;
  for (int k = 0; k < num_classes; ++k) d.class_names.push_back(std::to_string(k));
  try {
    d.check();
  } catch (const std::exception& e) {
    throw py::value_error(e.what());
  }
  return d;
}

void bind_datasets(py::module_& m) {
  m.def("_load_dataset", [](const std::string& spec) {
    data::Dataset d;
    {
      py::gil_scoped_release release;
      d = data::load_dataset(spec);
    }
    return dataset_dict(std::move(d));
  }, py::arg("spec"));
  m.def("_split_dataset", [](const std::string& spec, Index n_train, Index n_val,
                             std::optional<Index> n_test,
                             std::uint64_t seed) {
    data::Split parts;
    {
      py::gil_scoped_release release;
      SplitSizes sizes;
      sizes.n_train = n_train;
      sizes.n_val = n_val;
      if (n_test) sizes.n_test = static_cast<double>(*n_test);
      parts = split_dataset(data::load_dataset(spec), sizes, seed, "split");
    }
    return py::make_tuple(dataset_dict(std::move(parts.train)), dataset_dict(std::move(parts.val)),
                          dataset_dict(std::move(parts.test)));
  }, py::arg("spec"), py::arg("n_train"), py::arg("n_val"), py::arg("n_test"), py::arg("seed"));
  m.def("_list_datasets", [] {
    py::list out;
    for (const auto& info : data::list_datasets()) {
      py::dict d;
      d["name"] = info.name;
      d["description"] = info.description;
      d["source"] = source_name(info.source);
      d["available"] = info.available();
      d["missing"] = info.missing;
      d["how_to_get"] = info.how_to_get;
      out.append(d);
    }
    return out;
  });
}

}  // namespace bilevel::python
