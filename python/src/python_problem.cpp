#include "python_problem.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <limits>

#include "convert.hpp"

namespace bilevel::python {

namespace {

const char* fn_name(Fn fn) { return fn == Fn::kF ? "f" : "g"; }

const char* block_name(Block block) {
  switch (block) {
    case Block::kYY: return "yy";
    case Block::kXY: return "xy";
    case Block::kYX: return "yx";
    case Block::kXX: return "xx";
  }
  return "";
}

// A required positive integer attribute.
Index positive_attribute(const py::object& obj, const std::string& problem, const char* name,
                         std::optional<Index> fallback = std::nullopt) {
  if (!py::hasattr(obj, name) || obj.attr(name).is_none()) {
    if (fallback) return *fallback;
    throw py::value_error(problem + ": the problem must define " + name +
                          " (a whole number >= 1)");
  }
  const py::object v = obj.attr(name);
  Index n = 0;
  try {
    n = py::int_(v).cast<Index>();
  } catch (const py::error_already_set&) {
    throw py::value_error(problem + ": " + name + " must be a whole number >= 1 (got " +
                          std::string(py::repr(v)) + ")");
  }
  if (n < 1 || py::float_(v).cast<double>() != static_cast<double>(n))
    throw py::value_error(problem + ": " + name + " must be a whole number >= 1 (got " +
                          std::string(py::repr(v)) + ")");
  return n;
}

// The method `name` of obj, or None when it does not have one.
py::object optional_method(const py::object& obj, const std::string& problem, const char* name) {
  if (!py::hasattr(obj, name) || obj.attr(name).is_none()) return py::none();
  py::object m = obj.attr(name);
  if (!PyCallable_Check(m.ptr()))
    throw py::value_error(problem + ": " + name + " must be a method (a callable)");
  return m;
}

py::object required_method(const py::object& obj, const std::string& problem, const char* name,
                           const char* signature) {
  py::object m = optional_method(obj, problem, name);
  if (m.is_none())
    throw py::value_error(problem + ": the problem must define " + name + signature);
  return m;
}

ProblemConstants read_constants(const py::object& obj, const std::string& problem) {
  ProblemConstants c;
  if (!py::hasattr(obj, "constants") || obj.attr("constants").is_none()) return c;
  const py::object d = obj.attr("constants");
  if (!py::isinstance<py::dict>(d))
    throw py::value_error(problem + ": constants must be a dict such as {'mu_g': 1.0}");
  const std::pair<const char*, std::optional<double> ProblemConstants::*> known[] = {
      {"mu_g", &ProblemConstants::mu_g},   {"L_g", &ProblemConstants::L_g},
      {"L_f", &ProblemConstants::L_f},     {"mu_fy", &ProblemConstants::mu_fy},
      {"L_phi", &ProblemConstants::L_phi}, {"rho_phi", &ProblemConstants::rho_phi},
      {"x_step", &ProblemConstants::x_step}};
  for (const auto& [key, value] : py::cast<py::dict>(d)) {
    const std::string k = py::str(key);
    bool found = false;
    for (const auto& [name, member] : known) {
      if (k != name) continue;
      found = true;
      if (value.is_none()) break;
      double v = 0;
      try {
        v = py::reinterpret_borrow<py::object>(value).cast<double>();
      } catch (const py::error_already_set&) {
        throw py::value_error(problem + ": constants['" + k + "'] must be a number");
      }
      if (!std::isfinite(v))
        throw py::value_error(problem + ": constants['" + k + "'] must be finite");
      c.*member = v;
    }
    if (!found)
      throw py::value_error(problem + ": unknown constant '" + k +
                            "'; known constants: mu_g, L_g, L_f, mu_fy, L_phi, rho_phi, x_step");
  }
  return c;
}

Vec start_point(const py::object& obj, const char* name, Index n, const std::string& problem) {
  if (!py::hasattr(obj, name) || obj.attr(name).is_none()) return Vec::Zero(n);
  return to_vec(obj.attr(name), n, problem + ": " + name);
}

}  // namespace

PythonProblem::PythonProblem(py::object obj) : obj_(std::move(obj)) {
  name_ = py::hasattr(obj_, "name") && py::isinstance<py::str>(obj_.attr("name"))
              ? obj_.attr("name").cast<std::string>()
              : py::type::of(obj_).attr("__name__").cast<std::string>();
  dim_x_ = positive_attribute(obj_, name_, "dim_x");
  dim_y_ = positive_attribute(obj_, name_, "dim_y");
  n_f_ = positive_attribute(obj_, name_, "num_samples_f", 1);
  n_g_ = positive_attribute(obj_, name_, "num_samples_g", 1);
  f_ = required_method(obj_, name_, "f", "(x, y) -> float");
  g_ = required_method(obj_, name_, "g", "(x, y) -> float");
  grad_f_ = required_method(obj_, name_, "grad_f", "(x, y) -> (grad_x f, grad_y f)");
  grad_g_ = required_method(obj_, name_, "grad_g", "(x, y) -> (grad_x g, grad_y g)");
  hvp_ = optional_method(obj_, name_, "hvp");
  hessian_ = optional_method(obj_, name_, "hessian");
  metrics_ = optional_method(obj_, name_, "metrics");
  constants_ = read_constants(obj_, name_);
  x0_ = start_point(obj_, "x0", dim_x_, name_);
  y0_ = start_point(obj_, "y0", dim_y_, name_);
  if (py::hasattr(obj_, "finite_difference_products"))
    finite_difference_products_ = py::bool_(obj_.attr("finite_difference_products"));
  if (!metrics_.is_none()) {
    if (!py::hasattr(obj_, "metric_names"))
      throw py::value_error(name_ + ": a problem with metrics() must list their names in "
                            "metric_names (e.g. ['val_loss'])");
    metric_names_ = obj_.attr("metric_names").cast<std::vector<std::string>>();
  }
}

PythonProblem::PythonProblem(const PythonProblem& other)
    : Problem(other),
      obj_(other.obj_),
      name_(other.name_),
      dim_x_(other.dim_x_),
      dim_y_(other.dim_y_),
      n_f_(other.n_f_),
      n_g_(other.n_g_),
      constants_(other.constants_),
      x0_(other.x0_),
      y0_(other.y0_),
      metric_names_(other.metric_names_),
      finite_difference_products_(other.finite_difference_products_),
      f_(other.f_),
      g_(other.g_),
      grad_f_(other.grad_f_),
      grad_g_(other.grad_g_),
      hvp_(other.hvp_),
      hessian_(other.hessian_),
      metrics_(other.metrics_) {}

PythonProblem::~PythonProblem() {
  // The references are dropped with the GIL held, whichever thread destroys the problem.
  py::gil_scoped_acquire gil;
  for (py::object* o : {&obj_, &f_, &g_, &grad_f_, &grad_g_, &hvp_, &hessian_, &metrics_})
    *o = py::object();
}

std::unique_ptr<Problem> PythonProblem::clone() const {
  py::gil_scoped_acquire gil;  // copying the references changes their counts
  return std::unique_ptr<Problem>(new PythonProblem(*this));
}

std::string PythonProblem::where(const char* method, Fn fn) const {
  return name_ + "." + method + (fn == Fn::kF ? " (f)" : " (g)");
}

py::object PythonProblem::call(const py::object& method, Fn fn, const Vec& x, const Vec& y,
                               const Batch& b, const py::list& lead, const py::list& tail) const {
  py::list args;
  for (const auto& a : lead) args.append(a);
  args.append(copy_of(x));
  args.append(copy_of(y));
  for (const auto& a : tail) args.append(a);
  if (!b.full() && num_samples(fn) > 1) {
    py::array_t<std::int64_t> idx(static_cast<py::ssize_t>(b.indices.size()));
    std::copy(b.indices.begin(), b.indices.end(), idx.mutable_data());
    args.append(idx);
  }
  return method(*py::tuple(args));
}

double PythonProblem::do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const {
  py::gil_scoped_acquire gil;
  const py::object r = call(fn == Fn::kF ? f_ : g_, fn, x, y, b, py::list(), py::list());
  try {
    return py::float_(r).cast<double>();
  } catch (const py::error_already_set&) {
    throw py::value_error(name_ + "." + fn_name(fn) + " must return a number (got " +
                          std::string(py::repr(r)) + ")");
  }
}

void PythonProblem::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                            Vec* gy) const {
  py::gil_scoped_acquire gil;
  const char* method = fn == Fn::kF ? "grad_f" : "grad_g";
  const py::object r = call(fn == Fn::kF ? grad_f_ : grad_g_, fn, x, y, b, py::list(), py::list());
  if (!py::isinstance<py::tuple>(r) || py::len(r) != 2)
    throw py::value_error(name_ + "." + method + " must return a pair (grad_x, grad_y) (got " +
                          std::string(py::repr(r)) + ")");
  const py::tuple t = r;
  if (gx) *gx = to_vec(t[0], dim_x_, name_ + "." + method + "'s grad_x");
  if (gy) *gy = to_vec(t[1], dim_y_, name_ + "." + method + "'s grad_y");
}

bool PythonProblem::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                           const Batch& b, Vec* out) const {
  if (hvp_.is_none()) return false;  // derived from the gradients (finite differences)
  py::gil_scoped_acquire gil;
  py::list lead, tail;
  lead.append(py::str(fn_name(fn)));
  lead.append(py::str(block_name(block)));
  tail.append(copy_of(v));
  const py::object r = call(hvp_, fn, x, y, b, lead, tail);
  const bool into_x = block == Block::kXY || block == Block::kXX;
  const std::string what = name_ + ".hvp('" + fn_name(fn) + "', '" + block_name(block) + "')";
  if (r.is(py::handle(Py_NotImplemented))) {
    if (finite_difference_products_) return false;
    throw py::value_error(what + " returned NotImplemented; return the product, or set "
                          "finite_difference_products = True to derive the missing ones from "
                          "the gradients");
  }
  // The products taken with v (in y) or u (in x), into x or y.
  *out = to_vec(r, into_x ? dim_x_ : dim_y_, what);
  return true;
}

bool PythonProblem::do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx,
                               Mat* hxy, Mat* hyy) const {
  if (hessian_.is_none()) return false;
  py::gil_scoped_acquire gil;
  py::list lead;
  lead.append(py::str(fn_name(fn)));
  const py::object r = call(hessian_, fn, x, y, b, lead, py::list());
  const std::string what = name_ + ".hessian('" + fn_name(fn) + "')";
  if (!py::isinstance<py::tuple>(r) || py::len(r) != 3)
    throw py::value_error(what + " must return a triple (Hxx, Hxy, Hyy)");
  const py::tuple t = r;
  if (hxx) *hxx = to_mat(t[0], dim_x_, dim_x_, what + "'s Hxx");
  if (hxy) *hxy = to_mat(t[1], dim_x_, dim_y_, what + "'s Hxy");
  if (hyy) *hyy = to_mat(t[2], dim_y_, dim_y_, what + "'s Hyy");
  return true;
}

std::vector<double> PythonProblem::metrics(const Vec& x, const Vec& y) const {
  if (metrics_.is_none()) return {};
  py::gil_scoped_acquire gil;
  const py::object r = metrics_(copy_of(x), copy_of(y));
  std::vector<double> out(metric_names_.size(), std::numeric_limits<double>::quiet_NaN());
  if (py::isinstance<py::dict>(r)) {
    const py::dict d = r;
    for (std::size_t i = 0; i < metric_names_.size(); ++i)
      if (d.contains(metric_names_[i])) out[i] = py::float_(d[py::str(metric_names_[i])]);
  } else {
    const auto values = r.cast<std::vector<double>>();
    if (values.size() != out.size())
      throw py::value_error(name_ + ".metrics returned " + std::to_string(values.size()) +
                            " values for " + std::to_string(out.size()) + " metric_names");
    out = values;
  }
  return out;
}

}  // namespace bilevel::python
