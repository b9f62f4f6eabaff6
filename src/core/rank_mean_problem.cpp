#include "bilevel/core/rank_mean_problem.hpp"

#include <vector>

namespace bilevel {

RankMeanProblem::RankMeanProblem(Problem& local, Comm& comm, Counting counting)
    : local_(local), comm_(comm), counting_(counting), shard_(local.shard()) {}

void RankMeanProblem::mean(std::span<Vec* const> parts) const {
  auto reduce = [&](std::span<double> all) {
    if (counting_ == Counting::kMethod) comm_.allreduce_mean(all);
    else comm_.uncounted_mean(all);
  };
  if (parts.size() == 1) {  // in place: no stacking copy (CG's products)
    reduce({parts[0]->data(), static_cast<std::size_t>(parts[0]->size())});
    return;
  }
  Index total = 0;
  for (const Vec* p : parts) total += p->size();
  stacked_.resize(total);
  Index at = 0;
  for (const Vec* p : parts) {
    stacked_.segment(at, p->size()) = *p;
    at += p->size();
  }
  reduce({stacked_.data(), static_cast<std::size_t>(total)});
  at = 0;
  for (Vec* p : parts) {
    *p = stacked_.segment(at, p->size());
    at += p->size();
  }
}

double RankMeanProblem::do_value(Fn fn, const Vec& x, const Vec& y, const Batch& b) const {
  Vec v(1);
  v(0) = local_.value(fn, x, y, b);
  Vec* parts[] = {&v};
  mean(parts);
  return v(0);
}

void RankMeanProblem::local_x_mean(Vec* v) const {
  *v /= static_cast<double>(shard_.count);
}

void RankMeanProblem::do_grad(Fn fn, const Vec& x, const Vec& y, const Batch& b, Vec* gx,
                              Vec* gy) const {
  local_.grad(fn, x, y, b, gx, gy);
  std::vector<Vec*> parts;
  if (gx && shard_.x_local) local_x_mean(gx);
  else if (gx) parts.push_back(gx);
  if (gy) parts.push_back(gy);
  if (!parts.empty()) mean(parts);
}

void RankMeanProblem::do_grad_y_multi(Fn fn, const Vec& x, std::span<const Vec* const> ys,
                                      std::span<const Batch> batches,
                                      std::span<Vec* const> outs) const {
  local_.grad_y_multi(fn, x, ys, batches, outs);
  mean(outs);
}

bool RankMeanProblem::do_hvp(Fn fn, Block block, const Vec& x, const Vec& y, const Vec& v,
                             const Batch& b, Vec* out) const {
  // Without products of its own the local problem's hvp refuses: the diagnostics' products
  // are then central differences of the averaged gradients.
  if (!local_.has_hessian_vector_products()) return false;
  local_.hvp(fn, block, x, y, v, b, out);
  // Products into x-space (Hxy v, Hxx u) of a problem whose x is split: this rank's block.
  if (shard_.x_local && (block == Block::kXY || block == Block::kXX)) {
    local_x_mean(out);
    return true;
  }
  Vec* parts[] = {out};
  mean(parts);
  return true;
}

}  // namespace bilevel
