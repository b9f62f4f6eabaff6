#include "bilevel/algorithms/building_blocks/recursive_estimates.hpp"

namespace bilevel {

void RecursiveEstimates::refresh_v(Problem& p, Sampler& sg, Rng& rng, const Vec& x, const Vec& y) {
  p.grad(Fn::kG, x, y, sg.draw(rng), nullptr, &v_);
}

void RecursiveEstimates::refresh_u(Problem& p, Sampler& sf, Sampler& sg, Rng& rng, const Vec& x,
                                   const Vec& y) {
  hypergrad_.draw(sf, sg, rng);
  hypergrad_.estimate(p, x, y, &u_);
}

void RecursiveEstimates::correct_v(Problem& p, Sampler& sg, Rng& rng, const Vec& x0, const Vec& y0,
                                   const Vec& x, const Vec& y, double w) {
  by_.draw(sg, rng);
  p.grad(Fn::kG, x, y, by_.batch(), nullptr, &g_new_);
  p.grad(Fn::kG, x0, y0, by_.batch(), nullptr, &g_old_);
  v_ = g_new_ + (1 - w) * (v_ - g_old_);
}

void RecursiveEstimates::correct_u(Problem& p, Sampler& sf, Sampler& sg, Rng& rng, const Vec& x0,
                                   const Vec& y0, const Vec& x, const Vec& y, double w) {
  hypergrad_.draw(sf, sg, rng);
  hypergrad_.estimate(p, x, y, &h_new_);
  hypergrad_.estimate(p, x0, y0, &h_old_);
  u_ = h_new_ + (1 - w) * (u_ - h_old_);
}

}  // namespace bilevel
