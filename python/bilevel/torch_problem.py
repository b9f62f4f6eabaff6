"""A thin adapter for problems written with PyTorch tensors: define the two objectives,
autograd gives the gradients and every Hessian-vector product.

    class MyProblem(bilevel.TorchProblem):
        dim_x, dim_y = 10, 20
        def upper(self, x, y):      # f(x, y) as a scalar tensor
            ...
        def lower(self, x, y):      # g(x, y) as a scalar tensor
            ...

A finite sum declares ``num_samples_f`` / ``num_samples_g``; ``upper`` and ``lower`` then
take a third argument ``batch`` (a LongTensor of component indices, or None for the full
mean). Computations run in float64 on the CPU (``dtype``, ``device`` may be overridden).
"""

import numpy as np
import torch

from .problem import Problem


class TorchProblem(Problem):
    dtype = torch.float64
    device = "cpu"

    def upper(self, x, y, *batch):
        raise NotImplementedError("define upper(x, y) -> f(x, y) as a scalar tensor")

    def lower(self, x, y, *batch):
        raise NotImplementedError("define lower(x, y) -> g(x, y) as a scalar tensor")

    # --- what the library calls -----------------------------------------------------------
    def _tensor(self, a, grad=False):
        return torch.tensor(a, dtype=self.dtype, device=self.device, requires_grad=grad)

    def _batch(self, batch):
        return (torch.as_tensor(batch[0], device=self.device),) if batch else ()

    def _function(self, fn):
        return self.upper if fn == "f" else self.lower

    def _value(self, fn, x, y, batch):
        with torch.no_grad():
            return float(self._function(fn)(self._tensor(x), self._tensor(y), *self._batch(batch)))

    def _grad(self, fn, x, y, batch):
        tx, ty = self._tensor(x, True), self._tensor(y, True)
        value = self._function(fn)(tx, ty, *self._batch(batch))
        gx, gy = torch.autograd.grad(value, (tx, ty), allow_unused=True)
        return self._numpy(gx, tx), self._numpy(gy, ty)

    @staticmethod
    def _numpy(g, like):
        return np.zeros(like.shape) if g is None else g.detach().cpu().numpy().astype(np.float64)

    def f(self, x, y, *batch):
        return self._value("f", x, y, batch)

    def g(self, x, y, *batch):
        return self._value("g", x, y, batch)

    def grad_f(self, x, y, *batch):
        return self._grad("f", x, y, batch)

    def grad_g(self, x, y, *batch):
        return self._grad("g", x, y, batch)

    def hvp(self, fn, block, x, y, v, *batch):
        """Hyy v, Hxy v = d/dx <grad_y, v>, Hyx u = d/dy <grad_x, u>, Hxx u: one
        differentiation of the gradient part in the block's second letter, by the first."""
        tx, ty = self._tensor(x, True), self._tensor(y, True)
        value = self._function(fn)(tx, ty, *self._batch(batch))
        gx, gy = torch.autograd.grad(value, (tx, ty), create_graph=True, allow_unused=True)
        part = gy if block[1] == "y" else gx
        by = ty if block[0] == "y" else tx
        if part is None or not part.requires_grad:  # that gradient does not depend on `by`
            return np.zeros(by.shape)
        (product,) = torch.autograd.grad(part, by, grad_outputs=self._tensor(v),
                                         allow_unused=True)
        return self._numpy(product, by)
