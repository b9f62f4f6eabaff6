"""A bilevel problem of your own in a few lines, solved by f2ba and aid-cg and checked against
its closed form.

    lower:  y*(x) = argmin_y 1/2 y'Ay - y'Bx            (so y* = A^{-1} B x)
    upper:  min_x 1/2 ||y*(x) - b||^2 + 1/2 ||x||^2

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/user_quadratic.py
"""
import numpy as np

import bilevel

rng = np.random.default_rng(0)
A = np.diag([1.0, 2.0, 4.0]); B = rng.standard_normal((3, 2)); b = rng.standard_normal(3)


class Quadratic(bilevel.Problem):
    dim_x, dim_y = 2, 3
    constants = {"mu_g": 1.0, "L_g": 4.0, "L_f": 1.0}  # what the "auto" steps use

    def f(self, x, y): return 0.5 * np.sum((y - b) ** 2) + 0.5 * x @ x
    def g(self, x, y): return 0.5 * y @ A @ y - y @ B @ x
    def grad_f(self, x, y): return x, y - b
    def grad_g(self, x, y): return -B.T @ y, A @ y - B @ x

    def hvp(self, fn, block, x, y, v):  # aid-cg needs Hyy g v and Hxy g v
        if fn == "g" and block == "yy": return A @ v
        if fn == "g" and block == "xy": return -B.T @ v
        return NotImplemented  # the others, derived from the gradients when asked
    finite_difference_products = True


J = np.linalg.solve(A, B)  # dy*/dx
x_star = np.linalg.solve(J.T @ J + np.eye(2), J.T @ b)
for algo, options in [("f2ba", {"lam": 1e4}), ("aid-cg", {})]:
    result = bilevel.run(Quadratic(), algo=algo, options=options, max_iters=3000, tol=1e-4)
    error = np.linalg.norm(result.x - x_star)
    print(f"{algo:7s} {result.status.name:15s} iterations {result.iters:5d}  "
          f"|x - x*| = {error:.1e}  gradients {result.counts['total']['grad']}  "
          f"products {result.counts['total']['hvp']}")
    assert error < 1e-3, f"{algo} did not reach x*"
