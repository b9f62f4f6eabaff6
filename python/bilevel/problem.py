"""Problems defined in Python: subclass :class:`Problem`, or pass functions to
:class:`FunctionProblem`. The library calls these methods through its counted oracles, so
oracle counts, the exact diagnostics and every method work on them as on a built-in problem
(docs/python.md)."""


class Problem:
    """A bilevel problem ``min_x f(x, y*(x))`` with ``y*(x) = argmin_y g(x, y)``.

    Required:

    - ``dim_x``, ``dim_y``: the dimensions of x and y (attributes);
    - ``f(x, y)``, ``g(x, y)``: values (floats);
    - ``grad_f(x, y)``, ``grad_g(x, y)``: the pair ``(grad_x, grad_y)`` (one call computes
      both partials, and counts as one gradient call).

    Optional:

    - ``hvp(fn, block, x, y, v)``: the product of a Hessian block of ``fn`` (``"f"`` or
      ``"g"``) with v; ``block`` is ``"yy"`` (Hyy v), ``"xy"`` (Hxy v = d/dx <grad_y fn, v>,
      a vector in x), ``"yx"`` (Hyx u = d/dy <grad_x fn, u>, in y) or ``"xx"``. Return
      ``NotImplemented`` for a block you do not provide. Without ``hvp`` the methods that need
      products (aid-cg, itd, stocbio, ...) refuse the problem, unless
      ``finite_difference_products = True`` lets the library derive them from the gradients
      by central differences (one product then costs two gradient evaluations of yours, still
      counted as one product);
    - ``hessian(fn, x, y)``: the dense blocks ``(Hxx, Hxy, Hyy)`` (fsba, lfsba, lmcn);
    - ``num_samples_f``, ``num_samples_g``: for a finite sum ``f = mean_i f_i``; the oracles
      then get a last argument ``batch`` (an int64 array of component indices) when a
      stochastic method samples a minibatch, and none for the full mean;
    - ``constants``: what the problem knows, e.g. ``{"mu_g": 1.0, "L_g": 4.0}`` (keys mu_g,
      L_g, L_f, mu_fy, L_phi, rho_phi, x_step); the methods' ``auto`` options use them;
    - ``x0``, ``y0``: the starting point (default zeros);
    - ``metrics(x, y)`` with ``metric_names``: extra trace columns (a dict or a sequence);
    - ``name``: the problem's name in reports (default: the class name).

    The arrays the oracles receive are fresh copies: keeping them is safe.
    """

    num_samples_f = 1
    num_samples_g = 1
    constants = None
    x0 = None
    y0 = None
    finite_difference_products = False

    def f(self, x, y, *batch):
        raise NotImplementedError("define f(x, y) -> float")

    def g(self, x, y, *batch):
        raise NotImplementedError("define g(x, y) -> float")

    def grad_f(self, x, y, *batch):
        raise NotImplementedError("define grad_f(x, y) -> (grad_x f, grad_y f)")

    def grad_g(self, x, y, *batch):
        raise NotImplementedError("define grad_g(x, y) -> (grad_x g, grad_y g)")


class FunctionProblem(Problem):
    """A :class:`Problem` from plain functions (the NLopt / scipy style):

    ``FunctionProblem(dim_x=2, dim_y=3, f=f, g=g, grad_f=grad_f, grad_g=grad_g,
    hvp=None, hessian=None, constants=None, x0=None, y0=None, name="functions", ...)``.
    Every keyword becomes the attribute of the same name (see :class:`Problem`)."""

    _KNOWN = {"dim_x", "dim_y", "f", "g", "grad_f", "grad_g", "hvp", "hessian", "metrics",
              "metric_names", "constants", "x0", "y0", "name", "num_samples_f",
              "num_samples_g", "finite_difference_products"}

    def __init__(self, **attributes):
        unknown = set(attributes) - self._KNOWN
        if unknown:
            raise ValueError("FunctionProblem: unknown keyword(s) %s; known: %s"
                             % (", ".join(sorted(unknown)), ", ".join(sorted(self._KNOWN))))
        missing = [k for k in ("dim_x", "dim_y", "f", "g", "grad_f", "grad_g")
                   if attributes.get(k) is None]
        if missing:
            raise ValueError("FunctionProblem: missing %s" % ", ".join(missing))
        attributes.setdefault("name", "functions")
        for key, value in attributes.items():
            setattr(self, key, value)
