"""Shared fixtures of the Python module's tests (run by ctest: PYTHONPATH holds the build
tree's package, BILEVEL_CLI the command-line tool built beside it)."""

import os
import shutil

import numpy as np
import pytest


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("BILEVEL_CLI") or shutil.which("bilevel")
    if not path:
        pytest.fail("set BILEVEL_CLI to the bilevel executable (ctest does)")
    return path


class Quadratic:
    """A strongly convex quadratic bilevel problem with closed forms, as a bilevel.Problem
    that counts the calls it receives:
        g(x, y) = 1/2 y'Ay - y'Bx,   f(x, y) = 1/2 ||y - b||^2 + 1/2 rho ||x||^2,
    so y*(x) = A^{-1} B x and phi is a strongly convex quadratic in x."""

    def __init__(self, dim_x=3, dim_y=5, seed=0, with_hvp=True):
        rng = np.random.default_rng(seed)
        self.dim_x, self.dim_y = dim_x, dim_y
        Q, _ = np.linalg.qr(rng.standard_normal((dim_y, dim_y)))
        eig = np.linspace(1.0, 4.0, dim_y)
        self.A = Q @ np.diag(eig) @ Q.T
        self.B = rng.standard_normal((dim_y, dim_x))
        self.b = rng.standard_normal(dim_y)
        self.rho = 0.5
        J = np.linalg.solve(self.A, self.B)
        L_phi = float(np.linalg.eigvalsh(J.T @ J + self.rho * np.eye(dim_x)).max())
        self.constants = {"mu_g": 1.0, "L_g": 4.0, "L_f": 1.0, "L_phi": L_phi}
        self.calls = {"value": 0, "grad": 0, "hvp": 0}
        if with_hvp:
            self.hvp = self._hvp

    def f(self, x, y):
        self.calls["value"] += 1
        return 0.5 * np.sum((y - self.b) ** 2) + 0.5 * self.rho * x @ x

    def g(self, x, y):
        self.calls["value"] += 1
        return 0.5 * y @ self.A @ y - y @ self.B @ x

    def grad_f(self, x, y):
        self.calls["grad"] += 1
        return self.rho * x, y - self.b

    def grad_g(self, x, y):
        self.calls["grad"] += 1
        return -self.B.T @ y, self.A @ y - self.B @ x

    def _hvp(self, fn, block, x, y, v):
        self.calls["hvp"] += 1
        # Hxy v = d/dx <grad_y, v> (v in y), Hyx u = d/dy <grad_x, u> (u in x).
        if fn == "f":
            products = {"yy": lambda: v, "xy": lambda: np.zeros(self.dim_x),
                        "yx": lambda: np.zeros(self.dim_y), "xx": lambda: self.rho * v}
        else:
            products = {"yy": lambda: self.A @ v, "xy": lambda: -self.B.T @ v,
                        "yx": lambda: -self.B @ v, "xx": lambda: np.zeros(self.dim_x)}
        return products[block]()

    # closed forms
    def y_star(self, x):
        return np.linalg.solve(self.A, self.B @ x)

    def x_star(self):
        # phi(x) = 1/2 ||J x - b||^2 + rho/2 ||x||^2 with J = A^{-1} B
        J = np.linalg.solve(self.A, self.B)
        return np.linalg.solve(J.T @ J + self.rho * np.eye(self.dim_x), J.T @ self.b)

    def grad_phi(self, x):
        J = np.linalg.solve(self.A, self.B)
        return J.T @ (J @ x - self.b) + self.rho * x


@pytest.fixture
def quadratic():
    import bilevel

    class Q(Quadratic, bilevel.Problem):
        pass

    return Q()
