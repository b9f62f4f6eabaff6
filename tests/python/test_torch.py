"""The PyTorch adapter: a problem written with tensors (autograd for gradients and products)
runs every kind of method and agrees with the same problem written with numpy."""

import numpy as np
import pytest

import bilevel
from conftest import Quadratic

torch = pytest.importorskip("torch")


class TorchQuadratic(bilevel.TorchProblem):
    """conftest.Quadratic with tensors."""

    def __init__(self, q):
        self.q = q
        self.dim_x, self.dim_y, self.constants = q.dim_x, q.dim_y, q.constants
        self.A, self.B, self.b = (torch.tensor(m) for m in (q.A, q.B, q.b))

    def upper(self, x, y):
        return 0.5 * torch.sum((y - self.b) ** 2) + 0.5 * self.q.rho * x @ x

    def lower(self, x, y):
        return 0.5 * y @ self.A @ y - y @ self.B @ x


@pytest.mark.parametrize("algo,options", [("f2ba", {"lam": 100}), ("aid-cg", {"K": 10}),
                                          ("itd", {"K": 10})])
def test_torch_problem_matches_numpy(algo, options):
    q = Quadratic()
    numpy_problem = type("N", (Quadratic, bilevel.Problem), {})()
    a = bilevel.run(numpy_problem, None, algo, options, max_iters=30)
    b = bilevel.run(TorchQuadratic(q), None, algo, options, max_iters=30)
    np.testing.assert_allclose(b.x, a.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.trace["hypergrad_norm"], a.trace["hypergrad_norm"],
                               rtol=1e-8)
    assert b.counts == a.counts


def test_torch_products_equal_the_closed_forms():
    q = Quadratic()
    t = TorchQuadratic(q)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal(q.dim_x), rng.standard_normal(q.dim_y)
    for fn in ("f", "g"):
        for block, n in (("yy", q.dim_y), ("xy", q.dim_y), ("yx", q.dim_x), ("xx", q.dim_x)):
            v = rng.standard_normal(n)
            np.testing.assert_allclose(t.hvp(fn, block, x, y, v), q._hvp(fn, block, x, y, v),
                                       atol=1e-12, err_msg=fn + block)


def test_torch_minibatches():
    class Sum(bilevel.TorchProblem):
        dim_x, dim_y, num_samples_g = 1, 1, 8
        constants = {"mu_g": 1.0, "L_g": 1.0, "L_f": 1.0}
        a = torch.arange(1.0, 9.0, dtype=torch.float64)

        def upper(self, x, y):
            return 0.5 * (y[0] - 3) ** 2 + 0.5 * x[0] ** 2

        def lower(self, x, y, batch=None):
            a = self.a if batch is None else self.a[batch]
            return torch.mean(0.5 * (y[0] - a * x[0]) ** 2)

    r = bilevel.run(Sum(), None, "stocbio", {"batch_g": 2}, max_iters=5)
    assert r.counts["g"]["samples"] > 0 and np.isfinite(r.x).all()


def test_threads_sets_the_shared_pool_bounds_blas_and_restores_both():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    seen = []

    def blas_threads():
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]

    class Watch(TorchQuadratic):
        def grad_g(self, x, y, *batch):
            seen.append((torch.get_num_threads(), blas_threads()))
            return super().grad_g(x, y, *batch)

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
            bilevel.run(Watch(Quadratic()), None, "f2ba", {}, max_iters=2, threads=1)
            assert seen and all(t == 1 and all(b == 1 for b in blas) for t, blas in seen), seen
            # Both put back after the run.
            assert torch.get_num_threads() == 2 and all(b == 2 for b in blas_threads())
        # numpy's BLAS is bounded, never raised: at 1 thread it stays at 1 under threads=2;
        # the OpenMP pool (the library's, shared by torch) is the run's 2.
        with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
            torch.set_num_threads(1)
            seen.clear()
            bilevel.run(Watch(Quadratic()), None, "f2ba", {}, max_iters=2, threads=2)
            assert seen and all(t == 2 and all(b == 1 for b in blas) for t, blas in seen), seen
            assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
