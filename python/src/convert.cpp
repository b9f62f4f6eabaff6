#include "convert.hpp"

#include <pybind11/stl.h>

#include <string>

namespace bilevel::python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i)
    s += std::to_string(a.shape(i)) + (a.ndim() == 1 || i + 1 < a.ndim() ? "," : "");
  if (a.ndim() > 1) s.pop_back();
  return s + ")";
}

// The object as a float64 numpy array, or ValueError naming `what`.
py::array_t<double, py::array::c_style> as_float_array(py::handle obj, const std::string& what) {
  py::array a;
  try {
    a = py::array::ensure(obj);
  } catch (const py::error_already_set&) {
  }
  if (!a) throw py::value_error(what + " is not an array of real numbers");
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::value_error(what + " must hold real numbers (got dtype " +
                          std::string(py::str(a.dtype())) + ")");
  return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
}

}  // namespace

Vec to_vec(py::handle obj, Index n, const std::string& what) {
  const auto a = as_float_array(obj, what);
  if (a.ndim() != 1 || a.shape(0) != n)
    throw py::value_error(what + " has shape " + shape_text(a) + ", expected (" +
                          std::to_string(n) + ",)");
  return Eigen::Map<const Vec>(a.data(), n);
}

Mat to_mat(py::handle obj, Index rows, Index cols, const std::string& what) {
  const auto a = as_float_array(obj, what);
  if (a.ndim() != 2 || a.shape(0) != rows || a.shape(1) != cols)
    throw py::value_error(what + " has shape " + shape_text(a) + ", expected (" +
                          std::to_string(rows) + ", " + std::to_string(cols) + ")");
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(a.data(), rows, cols);
}

py::array_t<double> copy_of(const Vec& v) {
  py::array_t<double> a(v.size());
  std::copy(v.data(), v.data() + v.size(), a.mutable_data());
  return a;
}

py::array_t<double> view_of(const Vec& v, py::handle owner) {
  return py::array_t<double>({v.size()}, {static_cast<py::ssize_t>(sizeof(double))}, v.data(),
                             owner);
}

py::object to_python(const OptionValue& v) {
  return std::visit(
      [](const auto& x) -> py::object {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return py::none();
        else
          return py::cast(x);
      },
      v);
}

py::dict to_dict(const OptionValues& values) {
  py::dict d;
  for (const OptionSetting& s : values) d[py::str(s.name)] = to_python(s.value);
  return d;
}

KeyValues key_values(const py::dict& options, const std::string& what) {
  KeyValues kv;
  for (const auto& [key, item] : options) {
    // A numpy scalar (np.int64(10), np.bool_(True)) as the Python number it holds.
    py::object value = py::reinterpret_borrow<py::object>(item);
    if (py::hasattr(value, "dtype") && py::hasattr(value, "item") &&
        py::len(py::tuple(value.attr("shape"))) == 0)
      value = value.attr("item")();
    if (!py::isinstance<py::str>(key))
      throw py::value_error(what + ": option names must be strings (got " +
                            std::string(py::repr(key)) + ")");
    std::string text;
    if (value.is_none())
      text = "auto";
    else if (py::isinstance<py::bool_>(value))
      text = value.cast<bool>() ? "true" : "false";
    else if (py::isinstance<py::int_>(value))
      text = std::string(py::str(value));
    else if (py::isinstance<py::float_>(value))
      text = format_double(value.cast<double>());  // reads back as the same double
    else if (py::isinstance<py::str>(value))
      text = value.cast<std::string>();
    else
      throw py::value_error(what + ": option " + key.cast<std::string>() +
                            " must be a number, a bool, a string or None (auto); got " +
                            std::string(py::repr(value)));
    kv.emplace_back(key.cast<std::string>(), std::move(text));
  }
  return kv;
}

py::list option_docs_list(const std::vector<OptionDoc>& docs) {
  py::list out;
  for (const OptionDoc& d : docs) {
    py::dict o;
    o["name"] = d.name;
    o["default"] = d.value;
    o["help"] = d.help;
    o["constraint"] = d.constraint;
    o["auto_rule"] = d.auto_rule;
    o["choices"] = d.choices;
    out.append(o);
  }
  return out;
}

py::dict to_dict(const FunctionCounts& c) {
  py::dict d;
  d["value"] = c.value;
  d["grad"] = c.grad;
  d["hvp"] = c.hvp;
  d["hess"] = c.hess;
  d["samples"] = c.samples;
  return d;
}

py::dict to_dict(const OracleCounts& c) {
  py::dict d;
  d["f"] = to_dict(c.f);
  d["g"] = to_dict(c.g);
  d["total"] = to_dict(c.f + c.g);
  return d;
}

}  // namespace bilevel::python
