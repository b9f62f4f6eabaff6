// The bilevel problem interface:  min_x phi(x) = f(x, y*(x)),  y*(x) = argmin_y g(x, y).
//
// Algorithms call only the public, non-virtual oracle methods, which count every call in
// OracleCounts before delegating to the protected virtual do_* implementations (so counting
// can never be forgotten by a problem author). Diagnostics (a friend) calls do_* directly:
// evaluation is never counted.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bilevel/core/batch.hpp"
#include "bilevel/core/options.hpp"
#include "bilevel/core/oracle_counts.hpp"
#include "bilevel/core/problem_constants.hpp"
#include "bilevel/core/shard.hpp"
#include "bilevel/core/types.hpp"

namespace bilevel {

class StateArchive;

// Thrown by the counted oracles when a result is not finite (NaN or infinite): the run loop
// ends the run as diverged, naming the oracle (Algorithm::solve never lets it escape).
class NonFiniteOracle : public std::runtime_error {
 public:
  explicit NonFiniteOracle(std::string oracle)
      : std::runtime_error(oracle + " returned a non-finite value"), oracle_(std::move(oracle)) {}
  // "grad_y g", "value f", "Hxy g v", "hessian g".
  const std::string& oracle() const { return oracle_; }

 private:
  std::string oracle_;
};

// A box  lower <= v <= upper  (componentwise): the simple constraint sets X and Y that
// projection methods (prox-f2sa) handle exactly.
struct Box {
  Vec lower, upper;

  // The Euclidean projection: a componentwise clamp.
  void project(Vec* v) const { *v = v->cwiseMax(lower).cwiseMin(upper); }
  bool contains(const Vec& v) const {
    return (v.array() >= lower.array()).all() && (v.array() <= upper.array()).all();
  }
};

// The blocks of the Hessian of f or g in z = (x, y) that products are taken with: H_ab is the
// derivative in a of the gradient in b.
enum class Block {
  kYY,  // Hyy v = d/dy <grad_y fn, v>:  v in R^dy, result in R^dy
  kXY,  // Hxy v = d/dx <grad_y fn, v>:  v in R^dy, result in R^dx
  kYX,  // Hyx u = d/dy <grad_x fn, u>:  u in R^dx, result in R^dy
  kXX,  // Hxx u = d/dx <grad_x fn, u>:  u in R^dx, result in R^dx
};

// A problem implements what it has: its values and gradients (required), products with the
// Hessian blocks (optional: do_hvp, derived from gradients by central differences where
// absent), dense Hessian blocks (optional: do_hessian with has_dense_hessian(); refused with a
// message naming the problem where absent), and any closed forms Diagnostics can use.
class Problem {
 public:
  virtual ~Problem() = default;
  Problem& operator=(const Problem&) = delete;

  // A fresh problem on the same data: zero counts and workspaces of its own, with what it
  // never changes (a loaded dataset) shared rather than copied where the problem keeps it
  // apart. Solves on a problem and on its clones may run at once on different threads; many
  // solves on one loaded dataset take one clone each. Throws InvalidInput for a problem that
  // does not provide it.
  virtual std::unique_ptr<Problem> clone() const;

  // --- metadata -----------------------------------------------------------------------
  virtual std::string name() const = 0;
  virtual Index dim_x() const = 0;
  virtual Index dim_y() const = 0;
  // Number of components of the finite sum f = mean f_i (resp. g); 1 if not a sum.
  virtual Index num_samples(Fn fn) const = 0;
  virtual ProblemConstants constants() const { return {}; }
  virtual Vec initial_x() const { return Vec::Zero(dim_x()); }
  virtual Vec initial_y() const { return Vec::Zero(dim_y()); }
  // The problem's options (and the sizes it derived from them), echoed in run summaries.
  virtual OptionValues option_values() const { return {}; }
  // Problem-specific trace metrics (e.g. val_loss), evaluated uncounted at (x, y).
  virtual std::vector<std::string> metric_names() const { return {}; }
  virtual std::vector<double> metrics(const Vec& /*x*/, const Vec& /*y*/) const { return {}; }
  virtual bool has_dense_hessian() const { return false; }
  // The built-in problems have Hessian-vector products (in closed form or derived by central
  // differences of their gradients). A problem defined outside (the Python module's user
  // problems) may have none: the methods that need them then refuse it
  // (Requirements::hessian_vector_products), and hvp() throws InvalidInput.
  virtual bool has_hessian_vector_products() const { return true; }
  // A minimax problem min_x max_y F: f = F and g = -F (what lmcn requires).
  virtual bool is_minimax() const { return false; }
  // Constraint sets of a problem  min_{x in X} f(x, y*(x)),  y*(x) in argmin_{y in Y} g(x, y)
  // when they are boxes; none (the default) means X = R^dx, Y = R^dy. Methods that project
  // (prox-f2sa) keep their iterates inside; the others ignore the boxes.
  virtual std::optional<Box> box_x() const { return std::nullopt; }
  virtual std::optional<Box> box_y() const { return std::nullopt; }
  // The part of the problem this object holds in a distributed run (shard.hpp): a sharded
  // problem's oracles, value and metrics are its rank's share, whose mean over the ranks is
  // the whole problem's. The default is the whole problem (count 1), which a distributed run
  // may replicate on every rank.
  virtual Shard shard() const { return {}; }

  // --- counted oracles (what algorithms call) -----------------------------------------
  double value(Fn fn, const Vec& x, const Vec& y, const Batch& b = {});
  // Both partial gradients at one point are one call; pass nullptr for a part not needed.
  void grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx, Vec* gy);
  // outs[k] = grad_y fn(x, ys[k]) on batches[k], for several points at the same x: counted
  // as ys.size() gradient calls. Problems whose data pass can serve all points at once
  // override do_grad_y_multi (one pass over the data for F2BA's y and z sequences).
  void grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                    std::span<const Batch> batches, std::span<Vec* const> outs);
  // out = H_block(fn) v (see Block): one Hessian-vector product. Throws InvalidInput for a
  // problem without products (has_hessian_vector_products()).
  void hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
           Vec* out);
  // The same, by block: Hyy v; Hxy v = d/dx <grad_y fn, v>; Hyx u = d/dy <grad_x fn, u>; Hxx u
  // (the products of the second-order methods that never form Hessians, such as ifsba).
  void hyy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b, Vec* out) {
    hvp(fn, Block::kYY, x, y, v, b, out);
  }
  void hxy(Fn fn, const Vec& x, const Vec& y, const Vec& v, const Batch& b, Vec* out) {
    hvp(fn, Block::kXY, x, y, v, b, out);
  }
  void hyx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b, Vec* out) {
    hvp(fn, Block::kYX, x, y, u, b, out);
  }
  void hxx(Fn fn, const Vec& x, const Vec& y, const Vec& u, const Batch& b, Vec* out) {
    hvp(fn, Block::kXX, x, y, u, b, out);
  }
  // Dense Hessian blocks (any pointer may be null). Throws InvalidInput if the problem has
  // no dense Hessians (see has_dense_hessian()).
  void hessian(Fn fn, const Vec& x, const Vec& y, const Batch& b, Mat* hxx, Mat* hxy, Mat* hyy);

  const OracleCounts& counts() const { return counts_; }
  void reset_counts() { counts_ = {}; }
  // The problem's own state that changes during a run besides its counts (a stochastic
  // oracle's generator, a cache that changes results), for checkpoints (state_archive.hpp).
  // The built-in problems have none: their oracle noise comes from the batches' seeds.
  virtual void visit(StateArchive& /*a*/) {}

  // --- optional closed forms, used by Diagnostics when present ---------------------------
  // argmin_y sigma * f(x, y) + g(x, y) for sigma >= 0 (sigma = 0: y*(x); sigma = 1/lam:
  // the penalty solution y*_lam(x)), over box_y() when the problem has one. Return false
  // when there is no closed form (Diagnostics' generic Newton solve ignores boxes, so a
  // problem with box_y() must provide this). A problem whose phi is not differentiable may
  // return a NaN hypergradient: traces then show hypergrad_norm as unknown (empty).
  virtual bool closed_form_solution(const Vec& /*x*/, double /*sigma*/, Vec* /*y*/) const {
    return false;
  }
  virtual bool closed_form_hypergradient(const Vec& /*x*/, Vec* /*g*/) const { return false; }
  virtual bool closed_form_hessian_phi(const Vec& /*x*/, Mat* /*h*/) const { return false; }

 protected:
  Problem() = default;
  // A copy starts with zero counts: counts belong to the runs on one object.
  Problem(const Problem&) : counts_() {}

  virtual double do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const = 0;
  virtual void do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                       Vec* gy) const = 0;
  // Default: one do_grad per point.
  virtual void do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                               std::span<const Batch> batches,
                               std::span<Vec* const> outs) const;
  // The product with one block (see Block) in closed form. Return false for a block the
  // problem does not provide: it is then derived by central differences of do_grad.
  virtual bool do_hvp(Fn /*fn*/, Block /*block*/, const Vec& /*x*/, const Vec& /*y*/,
                      const Vec& /*v*/, const Batch& /*b*/, Vec* /*out*/) const {
    return false;
  }
  // Dense Hessian blocks (any pointer may be null), for problems with has_dense_hessian().
  virtual bool do_hessian(Fn /*fn*/, const Vec& /*x*/, const Vec& /*y*/, const Batch& /*b*/,
                          Mat* /*hxx*/, Mat* /*hxy*/, Mat* /*hyy*/) const {
    return false;
  }

 private:
  friend class Diagnostics;
  void count(Fn fn, Index FunctionCounts::*kind, const Batch& b, bool touches_samples = true);
  // do_hvp, or its derivation by central differences: the uncounted product.
  void product(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v, const Batch& b,
               Vec* out) const;
  OracleCounts counts_;
};

}  // namespace bilevel
