"""A problem defined in Python: the methods reach its closed-form solution, the library counts
exactly the calls the problem receives, and the diagnostics use its products."""

import numpy as np
import pytest

import bilevel
from conftest import Quadratic


class Quad(Quadratic, bilevel.Problem):
    pass


@pytest.mark.parametrize("algo,options,tol", [
    # f2ba's penalty proxy is O(1/lam) away from phi, and so is its fixed point.
    ("f2ba", {"lam": 1e4}, 1e-3),
    ("aid-cg", {"K": 20, "N": 20}, 1e-7),
    ("itd", {"K": 100}, 1e-7),
])
def test_methods_reach_the_closed_form_solution(algo, options, tol):
    p = Quad()
    r = bilevel.run(p, None, algo, options, max_iters=5000, tol=tol)
    x_star = p.x_star()
    assert r.status == bilevel.Converged, r.message
    tol = 1e-3 if algo == "f2ba" else 1e-6
    np.testing.assert_allclose(r.x, x_star, atol=tol)
    np.testing.assert_allclose(r.y, p.y_star(r.x), atol=tol)
    # The exact diagnostics (the library's CG over the problem's products) agree with the
    # closed form of ||grad phi||.
    assert r.hypergrad_norm == pytest.approx(np.linalg.norm(p.grad_phi(r.x)), rel=1e-6,
                                             abs=1e-10)


@pytest.mark.parametrize("algo,options", [("f2ba", {}), ("aid-cg", {"K": 5, "N": 5}),
                                          ("itd", {"K": 5}), ("stocbio", {"K": 3})])
def test_counts_equal_the_calls_the_problem_receives(algo, options):
    p = Quad()
    r = bilevel.run(p, None, algo, options, max_iters=15, diagnostics=False)
    c = r.counts["total"]
    assert c["value"] == p.calls["value"]
    assert c["grad"] == p.calls["grad"]
    assert c["hvp"] == p.calls["hvp"]
    assert c["grad"] > 0
    # The trace's cumulative columns end at the totals.
    assert r.trace["grad_calls"][-1] == c["grad"]
    assert r.trace["hvp_calls"][-1] == c["hvp"]


def test_default_options_converge_on_a_python_problem():
    # f2ba with every option left at "auto": the constants the problem gives drive them.
    p = Quad()
    r = bilevel.run(p, algo="f2ba", max_iters=20000, tol=1e-5)
    assert r.status == bilevel.Converged, r.message


def test_missing_products_are_refused_naming_the_method():
    p = Quad(with_hvp=False)
    with pytest.raises(ValueError, match=r"aid-cg: needs Hessian-vector products"):
        bilevel.run(p, None, "aid-cg", {}, max_iters=5)
    # A first-order method runs, and its diagnostics derive products by finite differences.
    r = bilevel.run(p, None, "f2ba", {"lam": 1e4}, max_iters=3000)
    np.testing.assert_allclose(r.x, p.x_star(), atol=1e-3)
    assert r.hypergrad_norm == pytest.approx(np.linalg.norm(p.grad_phi(r.x)), rel=1e-6,
                                             abs=1e-8)


def test_finite_difference_products_when_asked():
    p = Quad(with_hvp=False)
    p.finite_difference_products = True
    r = bilevel.run(p, None, "aid-cg", {"K": 20, "N": 20}, max_iters=300, tol=1e-6)
    assert r.status == bilevel.Converged, r.message
    np.testing.assert_allclose(r.x, p.x_star(), atol=1e-5)
    assert r.counts["total"]["hvp"] > 0 and p.calls["hvp"] == 0


def test_function_problem_from_callables():
    q = Quadratic()
    p = bilevel.FunctionProblem(dim_x=q.dim_x, dim_y=q.dim_y, f=q.f, g=q.g, grad_f=q.grad_f,
                                grad_g=q.grad_g, hvp=q.hvp, constants=q.constants)
    r = bilevel.run(p, None, "aid-cg", {"K": 20, "N": 20}, max_iters=300, tol=1e-7)
    np.testing.assert_allclose(r.x, q.x_star(), atol=1e-6)
    assert r.problem == "functions"
    with pytest.raises(ValueError, match="missing grad_g"):
        bilevel.FunctionProblem(dim_x=1, dim_y=1, f=q.f, g=q.g, grad_f=q.grad_f)


class SumProblem(bilevel.Problem):
    """g = mean_i 1/2 (y - a_i x)^2-type finite sum, to see the minibatches arrive."""
    dim_x, dim_y = 1, 1
    num_samples_f, num_samples_g = 1, 10

    def __init__(self):
        self.a = np.arange(1.0, 11.0)
        self.batches = []
        self.constants = {"mu_g": 1.0, "L_g": 1.0, "L_f": 1.0}

    def _idx(self, batch):
        if batch:
            self.batches.append(np.array(batch[0]))
            return batch[0]
        return np.arange(10)

    def f(self, x, y):
        return 0.5 * (y[0] - 3.0) ** 2 + 0.5 * x[0] ** 2

    def grad_f(self, x, y):
        return np.array([x[0]]), np.array([y[0] - 3.0])

    def g(self, x, y, *batch):
        a = self.a[self._idx(batch)]
        return float(np.mean(0.5 * (y[0] - a * x[0]) ** 2))

    def grad_g(self, x, y, *batch):
        a = self.a[self._idx(batch)]
        return np.array([np.mean(-a * (y[0] - a * x[0]))]), np.array([np.mean(y[0] - a * x[0])])


def test_minibatches_reach_the_problem():
    p = SumProblem()
    r = bilevel.run(p, None, "f2sa", {"batch_g": 3}, max_iters=5, diagnostics=False)
    assert p.batches, "no minibatch was passed"
    for b in p.batches:
        assert b.dtype == np.int64 and len(b) == 3 and len(set(b.tolist())) == 3
        assert b.min() >= 0 and b.max() < 10
    assert r.counts["g"]["samples"] == 3 * len(p.batches)


def test_metrics_and_start_point():
    p = Quad()
    p.x0 = np.ones(p.dim_x)
    p.metric_names = ["dist_to_b"]
    p.metrics = lambda x, y: {"dist_to_b": float(np.linalg.norm(y - p.b))}
    seen = []
    r = bilevel.run(p, None, "f2ba", {}, max_iters=3,
                    callback=lambda rec, x, y: seen.append(x.copy()))
    np.testing.assert_array_equal(seen[0], np.ones(p.dim_x))
    assert np.isfinite(r.trace["dist_to_b"]).all()
