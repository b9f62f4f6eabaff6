#include "bilevel/algorithms/building_blocks/penalty_gradients.hpp"

namespace bilevel {

void penalty_inner_gradients(Problem& p, Rng& rng, Sampler& sf, Sampler& sg, const Vec& x,
                             const Vec& z, const Vec& y, PenaltyGradients* out) {
  if (sg.batch_size() == 0) {
    const Batch bz = sg.draw(rng);
    const Batch bf = sf.draw(rng);
    const Batch by = sg.draw(rng);
    p.grad(Fn::kF, x, y, bf, nullptr, &out->gfy);
    const Vec* points[] = {&z, &y};
    const Batch batches[] = {bz, by};
    Vec* outs[] = {&out->ggz, &out->ggy};
    p.grad_y_multi(Fn::kG, x, points, batches, outs);
    return;
  }
  // Minibatches: a drawn batch views the sampler's buffer until the next draw, so each is
  // used at once.
  p.grad(Fn::kG, x, z, sg.draw(rng), nullptr, &out->ggz);
  p.grad(Fn::kF, x, y, sf.draw(rng), nullptr, &out->gfy);
  p.grad(Fn::kG, x, y, sg.draw(rng), nullptr, &out->ggy);
}

}  // namespace bilevel
