// A problem defined in Python (bilevel.Problem, docs/python.md): the library's Problem
// interface over a Python object's methods. Every oracle takes the GIL, calls the object with
// fresh numpy copies of its arguments and checks the shape of what comes back, so counting,
// the diagnostics and every method work on it as on a built-in problem. An exception raised
// by the user's code propagates (pybind11's error_already_set) through the run to the caller.
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "bilevel/core/problem.hpp"

namespace bilevel::python {

namespace py = pybind11;

class PythonProblem : public Problem {
 public:
  // Reads the object's attributes (dim_x, dim_y, the oracles, the optional ones); ValueError
  // naming what is missing or malformed.
  explicit PythonProblem(py::object obj);
  ~PythonProblem() override;
  PythonProblem& operator=(const PythonProblem&) = delete;
  // The same Python object with counts of its own (solves on clones share the object).
  std::unique_ptr<Problem> clone() const override;

  std::string name() const override { return name_; }
  Index dim_x() const override { return dim_x_; }
  Index dim_y() const override { return dim_y_; }
  Index num_samples(Fn fn) const override { return fn == Fn::kF ? n_f_ : n_g_; }
  ProblemConstants constants() const override { return constants_; }
  Vec initial_x() const override { return x0_; }
  Vec initial_y() const override { return y0_; }
  std::vector<std::string> metric_names() const override { return metric_names_; }
  std::vector<double> metrics(const Vec& x, const Vec& y) const override;
  bool has_dense_hessian() const override { return !hessian_.is_none(); }
  // With neither hvp() nor finite_difference_products = True, the methods that need products
  // refuse the problem before they start (the diagnostics still derive them, uncounted).
  bool has_hessian_vector_products() const override {
    return !hvp_.is_none() || finite_difference_products_;
  }

 protected:
  PythonProblem(const PythonProblem& other);
  double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const override;
  void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy) const override;
  bool do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
              Vec* out) const override;
  bool do_hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy,
                  Mat* hyy) const override;

 private:
  // Calls method(*lead, x, y, *tail) with copies of x and y, adding the batch's indices as a
  // last argument when it selects components of a sum.
  py::object call(const py::object& method, Fn fn, const Vec& x, const Vec& y, const Batch& b,
                  const py::list& lead = py::list(),
                  const py::list& tail = py::list()) const;
  std::string where(const char* method, Fn fn) const;

  py::object obj_;
  std::string name_;
  Index dim_x_ = 0, dim_y_ = 0, n_f_ = 1, n_g_ = 1;
  ProblemConstants constants_;
  Vec x0_, y0_;
  std::vector<std::string> metric_names_;
  bool finite_difference_products_ = false;
  py::object f_, g_, grad_f_, grad_g_, hvp_, hessian_, metrics_;
};

}  // namespace bilevel::python
