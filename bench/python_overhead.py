#!/usr/bin/python3
"""What a problem defined in Python costs against the same problem in C++ (issue 17).

Part A: data hyper-cleaning (`hyperclean`, sigmoid weights, ridge c ||y||^2 on y = [vec(W); b],
50% of the training labels replaced by another class) on the same arrays, three ways, run
with the same f2ba options:
  - C++:   bilevel.run("hyperclean", ..., train=(A, a), val=(V, v)): the built-in problem on
           numpy arrays, its fused data kernels;
  - numpy: the same f and g written as a bilevel.Problem (vectorized numpy, OpenBLAS);
  - torch: the same written as a bilevel.TorchProblem (autograd).
Each runs with the run setting threads = `--threads` (2, the machine's cores) and with
threads = 1. The setting is the run's OpenMP pool (the library's, shared by torch's CPU
kernels) and a bound on numpy's BLAS (threadpoolctl).
The labels are corrupted here, in Python, and the C++ problem is given corrupt = 0, so the
three see identical data. The f2ba options are the C++ problem's resolved auto options (lam,
alpha, tau, eta from its constants), passed explicitly to all three.

First the three runs are checked to agree (x after every iteration, the validation loss per
iteration, the final y; the oracle and sample counts must be equal): at lam = 100 to rounding
(the script stops if not), and at the timed lam (auto: 1e8), where the x-step
lam (grad_x g(x, y) - grad_x g(x, z)) multiplies the rounding differences by lam. Then each
configuration is timed in interleaved repeats (the order rotated each repeat): seconds per
outer iteration from the run's `steps_s` (the problem's construction excluded), medians, and
the median of the per-repeat ratios Python / C++. "oracles alone" is the Python problem's own
grad_g / grad_f called directly from Python as often as f2ba calls them per iteration: the
Python work without the library around it.

Part B: the fixed cost of one oracle call crossing into Python: a dim_x = dim_y = 2 quadratic
written as a bilevel.Problem, and a problem of the same size whose methods return ready arrays
(no work), run with f2ba for many iterations; time per counted gradient call against the same
methods called directly (timeit), and the built-in C++ `quadratic` of the same size.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [--quick]

Diagnostics are off in every timed run (they call the oracles too). Not a test: the figures
are for docs/PERFORMANCE.md.
"""

import argparse
import os
import platform
import statistics
import sys
import time
import timeit

import numpy as np

import bilevel

C_RIDGE = 1e-3   # hyperclean's default c
CORRUPT = 0.5    # fraction of training labels replaced
SEED = 0


# --------------------------------------------------------------------------------------------
# Data

def corrupt_labels(labels, num_classes, fraction, seed):
    """A copy of labels with round(fraction n) of them (random rows) replaced by another class,
    chosen uniformly among the other C - 1."""
    rng = np.random.default_rng(seed)
    out = np.array(labels, dtype=np.int64, copy=True)
    n = len(out)
    rows = rng.choice(n, size=int(round(fraction * n)), replace=False)
    out[rows] = (out[rows] + rng.integers(1, num_classes, size=len(rows))) % num_classes
    return out


def fashion_subset(X, y, n_train, seed=SEED):
    """n_train random rows for training, n_train / 4 others for validation."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(X.shape[0])
    n_val = n_train // 4
    tr, va = np.sort(order[:n_train]), np.sort(order[n_train:n_train + n_val])
    return (np.ascontiguousarray(X[tr]), y[tr].astype(np.int64)), \
        (np.ascontiguousarray(X[va]), y[va].astype(np.int64))


def australian_split():
    """The library's own split of australian (seed 0: 346 train, 172 validation), dense."""
    train, val, _ = bilevel.datasets.split("australian", seed=SEED)
    dense = lambda X: np.ascontiguousarray(X.toarray() if hasattr(X, "toarray") else X,
                                           dtype=np.float64)
    return (dense(train.X), train.y.astype(np.int64)), (dense(val.X), val.y.astype(np.int64))


# --------------------------------------------------------------------------------------------
# The hyper-cleaning problem in Python: exactly include/bilevel/problems/hyperclean.hpp
#   g(x, y) = (1/n) sum_i w_i(x) CE_i(y; train) + c ||y||^2,  w = sigmoid,
#   f(x, y) = (1/m) sum_j CE_j(y; val),
# y = [vec(W); b], W (d x C) row-major (softmax_regression.hpp), x0 = 0, y0 = 0.

def sigmoid(x):
    # The library's two branches (exp never overflows).
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class NumpyHyperclean(bilevel.Problem):
    name = "hyperclean-numpy"

    def __init__(self, train, val, num_classes, c=C_RIDGE):
        (self.A, self.a), (self.V, self.v) = train, val
        self.n, self.d = self.A.shape
        self.m = self.V.shape[0]
        self.C = num_classes
        self.c = c
        self.dim_x = self.n
        self.dim_y = (self.d + 1) * self.C
        # Finite sums as the C++ problem declares them (so the sample counts match); f2ba
        # only asks for full means, so no minibatch argument ever arrives.
        self.num_samples_f, self.num_samples_g = self.m, self.n
        self.x0 = np.zeros(self.dim_x)
        self.y0 = np.zeros(self.dim_y)
        self.rows_a = np.arange(self.n)
        self.rows_v = np.arange(self.m)

    def _forward(self, X, labels, rows, y):
        """Per-sample CE (max-shifted log-sum-exp) and the probabilities."""
        dC = self.d * self.C
        Z = X @ y[:dC].reshape(self.d, self.C)
        Z += y[dC:]
        top = Z.max(axis=1)
        P = np.exp(Z - top[:, None])
        s = P.sum(axis=1)
        ce = top + np.log(s) - Z[rows, labels]
        P /= s[:, None]
        return ce, P

    def _grad_y(self, X, labels, rows, P, scale):
        """sum_r scale_r grad CE_r in y's layout: [X' R; 1' R], R = scale (P - onehot)."""
        P[rows, labels] -= 1.0
        P *= scale[:, None]
        return np.concatenate(((X.T @ P).ravel(), P.sum(axis=0)))

    def f(self, x, y):
        ce, _ = self._forward(self.V, self.v, self.rows_v, y)
        return float(ce.mean())

    def grad_f(self, x, y):
        _, P = self._forward(self.V, self.v, self.rows_v, y)
        gy = self._grad_y(self.V, self.v, self.rows_v, P, np.full(self.m, 1.0 / self.m))
        return np.zeros(self.n), gy

    def g(self, x, y):
        ce, _ = self._forward(self.A, self.a, self.rows_a, y)
        return float(sigmoid(x) @ ce / self.n + self.c * (y @ y))

    def grad_g(self, x, y):
        ce, P = self._forward(self.A, self.a, self.rows_a, y)
        w = sigmoid(x)
        gy = self._grad_y(self.A, self.a, self.rows_a, P, w * (1.0 / self.n))
        gy += 2.0 * self.c * y
        gx = w * (1.0 - w) * (ce / self.n)
        return gx, gy

    def val_loss(self, y):
        return float(self._forward(self.V, self.v, self.rows_v, y)[0].mean())


def make_torch_problem(train, val, num_classes, c=C_RIDGE):
    import torch
    import torch.nn.functional as F

    class TorchHyperclean(bilevel.TorchProblem):
        name = "hyperclean-torch"

        def __init__(self):
            (A, a), (V, v) = train, val
            self.A, self.a = torch.from_numpy(A), torch.from_numpy(a)
            self.V, self.v = torch.from_numpy(V), torch.from_numpy(v)
            self.n, self.d = A.shape
            self.C = num_classes
            self.c = c
            self.dim_x = self.n
            self.dim_y = (self.d + 1) * self.C
            self.num_samples_f, self.num_samples_g = V.shape[0], self.n
            self.x0 = np.zeros(self.dim_x)
            self.y0 = np.zeros(self.dim_y)

        def _logits(self, X, y):
            dC = self.d * self.C
            return X @ y[:dC].view(self.d, self.C) + y[dC:]

        def upper(self, x, y):
            return F.cross_entropy(self._logits(self.V, y), self.v)

        def lower(self, x, y):
            ce = F.cross_entropy(self._logits(self.A, y), self.a, reduction="none")
            return (torch.sigmoid(x) * ce).mean() + self.c * (y @ y)

    return TorchHyperclean()


def with_val_loss(problem, reference):
    """Adds the trace column val_loss (the C++ problem's metric) to a Python problem."""
    problem.metric_names = ["val_loss"]
    problem.metrics = lambda x, y: {"val_loss": reference.val_loss(y)}
    return problem


# --------------------------------------------------------------------------------------------
# Runs

def run_cpp(train, val, options, iters, threads, callback=None, log_every=None):
    return bilevel.run("hyperclean", {"corrupt": 0.0, "c": C_RIDGE, "seed": SEED,
                                      "weight": "sigmoid"},
                       "f2ba", options, train=train, val=val, max_iters=iters,
                       diagnostics=False, threads=threads, callback=callback,
                       log_every=log_every or iters)


def run_python(problem, options, iters, threads, callback=None, log_every=None):
    # threads bounds numpy's BLAS and torch's threads during the run (restored after it).
    return bilevel.run(problem, None, "f2ba", options, max_iters=iters, diagnostics=False,
                       threads=threads, callback=callback, log_every=log_every or iters)


def per_iteration(result):
    return result.timings["steps_s"] / result.iters


def check_agreement(train, val, C, options, iters, threads, torch_problem):
    """Runs the three versions with a trace row per iteration; returns, per Python version,
    the largest relative differences to the C++ run of x (per iteration, over ||x||_inf), of
    val_loss (per iteration) and of the final y."""
    xs = {}

    def collect(key):
        xs[key] = []
        return lambda rec, x, y: xs[key].append(np.array(x, copy=True))

    ref = NumpyHyperclean(train, val, C)
    runs = {"C++": run_cpp(train, val, options, iters, threads, collect("C++"), 1),
            "numpy": run_python(with_val_loss(NumpyHyperclean(train, val, C), ref), options,
                                iters, threads, collect("numpy"), 1)}
    if torch_problem is not None:
        runs["torch"] = run_python(with_val_loss(torch_problem, ref), options, iters,
                                   threads, collect("torch"), 1)
        del torch_problem.metrics, torch_problem.metric_names
    base = runs["C++"]
    out = {}
    for key, r in runs.items():
        if key == "C++":
            continue
        # The same method: the same oracle calls, sample counts included.
        assert r.counts == base.counts, (key, r.counts, base.counts)
        dx = max(np.max(np.abs(a - b)) / np.max(np.abs(b))
                 for a, b in zip(xs[key][1:], xs["C++"][1:]))
        dl = np.max(np.abs(r.trace["val_loss"] - base.trace["val_loss"]) /
                    np.abs(base.trace["val_loss"]))
        dy = np.max(np.abs(r.y - base.y)) / np.max(np.abs(base.y))
        out[key] = (dx, dl, dy)
        print("    %-6s vs C++: x %.1e, val_loss %.1e, final y %.1e (largest relative "
              "differences over %d iterations)" % (key, dx, dl, dy, iters))
    print("    val_loss (C++) %.10f -> %.10f" % (base.trace["val_loss"][0],
                                                  base.trace["val_loss"][-1]))
    return out


class thread_limits:
    """What bilevel.run(threads=N) does for a Python problem, for the loops timed outside a
    run: numpy's BLAS bounded through threadpoolctl (when installed) and torch's threads set,
    both restored on exit."""

    def __init__(self, threads):
        self.threads = threads

    def __enter__(self):
        self.limits = None
        try:
            import threadpoolctl
            self.limits = threadpoolctl.threadpool_limits(limits=self.threads)
        except ImportError:
            pass
        self.torch = sys.modules.get("torch")
        if self.torch is not None:
            self.previous = self.torch.get_num_threads()
            self.torch.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        if self.torch is not None:
            self.torch.set_num_threads(self.previous)
        if self.limits is not None:
            self.limits.restore_original_limits()


def oracles_alone(problem, g_calls, f_calls, iterations, threads):
    """Seconds per iteration of the problem's own grad_g / grad_f called directly from Python
    as many times as f2ba calls them in `iterations` iterations (with the run's thread
    limits): the Python side's work without the library around it."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(problem.dim_x)
    y = 0.01 * rng.standard_normal(problem.dim_y)
    with thread_limits(threads):
        t = time.perf_counter()
        for _ in range(iterations):
            for _ in range(g_calls):
                problem.grad_g(x, y)
            for _ in range(f_calls):
                problem.grad_f(x, y)
        return (time.perf_counter() - t) / iterations


def bench_hyperclean(label, train, val, C, iters, repeats, threads, use_torch, lam):
    n, d = train[0].shape
    print("\n== hyperclean, %s: n_train = %d, n_val = %d, %d features, %d classes, dim y = %d, "
          "%d iterations" % (label, n, val[0].shape[0], d, C, (d + 1) * C, iters))
    # The C++ problem's resolved f2ba options (its constants give lam, alpha, tau, eta), passed
    # explicitly to all three so that they run the identical method.
    asked = {} if lam is None else {"lam": lam}
    options = dict(run_cpp(train, val, asked, 1, threads).options)
    print("  f2ba options:", ", ".join("%s=%s" % kv for kv in options.items()))
    print("  load average: %s" % " ".join("%.2f" % l for l in os.getloadavg()))
    tp = make_torch_problem(train, val, C) if use_torch else None

    # Agreement. The x-step is lam (grad_x g(x, y) - grad_x g(x, z)) with y - z = O(1/lam):
    # the rounding of the two gradients (different summation orders in the three codes) is
    # multiplied by lam. At lam = 100 the three must agree to rounding; at the timed lam
    # (auto: 1e8) x agrees to about lam * 1e-15 and the validation loss much closer.
    check_iters = max(3, min(10, 50000 // n))
    agreement = {}
    low = dict(run_cpp(train, val, {"lam": 100.0}, 1, threads).options)
    for key, opts in (("lam=100", low), ("timed", options)):
        print("  agreement at lam = %g:" % opts["lam"])
        agreement[key] = check_agreement(train, val, C, opts, check_iters, threads, tp)
    for k, (dx, dl, dy) in agreement["lam=100"].items():
        bound = 1e-10 if k == "numpy" else 1e-9
        if not (dx < bound and dl < 1e-12 and dy < bound):
            raise SystemExit("%s disagrees with the C++ problem at lam = 100: the formulas "
                             "differ" % k)
    for k, (dx, dl, dy) in agreement["timed"].items():
        if not dl < (1e-8 if k == "numpy" else 1e-7):
            raise SystemExit("%s: val_loss disagrees with the C++ problem at the timed options"
                             % k)

    np_problem = NumpyHyperclean(train, val, C)
    g_calls = f_calls = None
    configs = {"C++": lambda: run_cpp(train, val, options, iters, threads),
               "C++ 1 thread": lambda: run_cpp(train, val, options, iters, 1),
               "numpy": lambda: run_python(np_problem, options, iters, threads),
               "numpy 1 thread": lambda: run_python(np_problem, options, iters, 1),
               "numpy alone": lambda: oracles_alone(np_problem, g_calls, f_calls,
                                                    max(1, iters // 4), threads)}
    if use_torch:
        configs["torch"] = lambda: run_python(tp, options, iters, threads)
        configs["torch 1 thread"] = lambda: run_python(tp, options, iters, 1)
        configs["torch alone"] = lambda: oracles_alone(tp, g_calls, f_calls,
                                                       max(1, iters // 4), threads)
    keys = list(configs)
    times = {k: [] for k in keys}
    for rep in range(repeats):
        order = keys[rep % len(keys):] + keys[:rep % len(keys)]
        if g_calls is None:  # the counts first (the "alone" loops need them)
            order = sorted(order, key=lambda k: "alone" in k)
        for k in order:
            r = configs[k]()
            if "alone" in k:
                times[k].append(r)
                continue
            assert r.iters == iters, (k, r.iters, r.message)
            times[k].append(per_iteration(r))
            g_calls = r.counts["g"]["grad"] // iters
            f_calls = r.counts["f"]["grad"] // iters
        print("  repeat %d: %s" % (rep + 1, ", ".join("%s %s" % (k, fmt_s(times[k][-1]))
                                                      for k in keys)))
    row = {"label": label, "n": n, "m": val[0].shape[0], "d": d, "C": C, "iters": iters,
           "calls": (g_calls, f_calls), "agreement": agreement, "lam": options["lam"]}
    for k in keys:
        row[k] = statistics.median(times[k])
        row[k + " min"] = min(times[k])
        if k != "C++":
            row[k + "/C++"] = statistics.median(a / b for a, b in zip(times[k], times["C++"]))
    # Other jobs only ever slow a run down: the ratio of the fastest repeats estimates the
    # ratio on a quiet machine (the runs on 2 threads suffer most from a busy one).
    for k in ("numpy", "torch"):
        if k in keys:
            row[k + "/C++ fastest"] = row[k + " min"] / row["C++ min"]
            row[k + "/C++ 1 thread"] = statistics.median(
                a / b for a, b in zip(times[k + " 1 thread"], times["C++ 1 thread"]))
    print("  medians per outer iteration: " + ", ".join("%s %s" % (k, fmt_s(row[k]))
                                                         for k in keys))
    return row


# --------------------------------------------------------------------------------------------
# Part B: the per-call crossing on a tiny quadratic

class TinyQuadratic(bilevel.Problem):
    """g = 1/2 y'Ay - y'Bx, f = 1/2 ||y - b||^2 + rho/2 ||x||^2 with dim_x = dim_y = 2."""
    dim_x = dim_y = 2
    name = "tiny-quadratic"

    def __init__(self):
        self.A = np.array([[2.0, 0.5], [0.5, 1.0]])
        self.B = np.array([[1.0, -0.5], [0.25, 1.0]])
        self.b = np.array([1.0, -2.0])
        self.rho = 0.5

    def f(self, x, y):
        r = y - self.b
        return 0.5 * (r @ r) + 0.5 * self.rho * (x @ x)

    def g(self, x, y):
        return 0.5 * (y @ self.A @ y) - y @ self.B @ x

    def grad_f(self, x, y):
        return self.rho * x, y - self.b

    def grad_g(self, x, y):
        return -(self.B.T @ y), self.A @ y - self.B @ x


class NoWork(TinyQuadratic):
    """The same sizes, methods that return arrays made once: the crossing alone (plus one
    Python-level call)."""
    name = "no-work"

    def __init__(self):
        super().__init__()
        self.gx, self.gy = np.zeros(2), np.ones(2)

    def grad_f(self, x, y):
        return self.gx, self.gy

    def grad_g(self, x, y):
        return self.gx, self.gy


def bench_crossing(iters, repeats):
    print("\n== the crossing: dim_x = dim_y = 2, f2ba, %d iterations per run" % iters)
    # Explicit options (the Python problem gives no constants); the built-in quadratic of the
    # same size runs with the same ones.
    options = {"lam": 100.0, "K": 10, "alpha": 0.4, "tau": 1.0 / (1.0 + 100 * 2.21),
               "eta": 0.1, "inner": "gd", "inner_tol": 0.0}
    p, nothing = TinyQuadratic(), NoWork()
    x, y = np.array([0.3, -0.7]), np.array([1.1, 0.4])
    number = 20000

    def per_call(problem_or_name, problem_options=None):
        r = bilevel.run(problem_or_name, problem_options, "f2ba", options, max_iters=iters,
                        diagnostics=False, log_every=iters, threads=1)
        return r.timings["steps_s"] / r.counts["total"]["grad"], r.counts

    def raw(problem, g_share):
        tg = min(timeit.repeat(lambda: problem.grad_g(x, y), number=number, repeat=3))
        tf = min(timeit.repeat(lambda: problem.grad_f(x, y), number=number, repeat=3))
        return (g_share * tg + (1 - g_share) * tf) / number

    configs = {
        "python": lambda: per_call(p)[0],
        "no-work": lambda: per_call(nothing)[0],
        "cpp": lambda: per_call("quadratic", {"dx": 2, "dy": 2, "n_f": 1, "n_g": 1})[0],
        "raw": lambda: raw(p, 2 / 3),          # f2ba: 2 grad_g per grad_f
        "raw no-work": lambda: raw(nothing, 2 / 3),
    }
    _, counts = per_call(p)
    assert counts["g"]["grad"] == 2 * counts["f"]["grad"], counts
    times = {k: [] for k in configs}
    for rep in range(repeats):
        keys = list(configs)
        for k in keys[rep % len(keys):] + keys[:rep % len(keys)]:
            times[k].append(configs[k]())
        print("  repeat %d: %s" % (rep + 1, ", ".join("%s %.3f us/call" % (k, 1e6 * times[k][-1])
                                                      for k in configs)))
    out = {k: statistics.median(v) for k, v in times.items()}
    out["calls"] = counts["total"]["grad"]
    out["iters"] = iters
    return out


# --------------------------------------------------------------------------------------------

def fmt_s(t):
    if t < 1e-3:
        return "%.0f us" % (1e6 * t)
    return "%.3g ms" % (1e3 * t) if t < 1 else "%.2f s" % t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: Fashion-MNIST n_train = 1000 only, 1 repeat")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats (default 3)")
    ap.add_argument("--iters", type=int, default=None,
                    help="outer iterations per timed run (default: 50 on australian, 20 on "
                    "Fashion-MNIST 1000, 10 at n_train >= 5000)")
    ap.add_argument("--threads", type=int, default=2,
                    help="the runs' threads setting (each also runs with 1)")
    ap.add_argument("--sizes", default=None, help="Fashion-MNIST n_train list, e.g. 1000,5000")
    ap.add_argument("--lam", type=float, default=None,
                    help="f2ba's lam (default: the auto value, resolved by the C++ problem)")
    ap.add_argument("--no-torch", action="store_true")
    args = ap.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else \
        ([1000] if args.quick else [1000, 5000, 20000])
    iters_for = lambda n: args.iters or (50 if n < 1000 else 20 if n < 5000 else 10)
    use_torch = not args.no_torch
    if use_torch:
        import torch
        torch_info = "torch %s (%d intra-op threads)" % (torch.__version__,
                                                         torch.get_num_threads())
    else:
        torch_info = "torch not run"
    t_start = time.monotonic()
    print("bilevel %s; numpy %s; %s; python %s; %d CPUs; OPENBLAS_NUM_THREADS=%s, "
          "OPENBLAS_CORETYPE=%s, OMP_NUM_THREADS=%s; load average %s"
          % (bilevel.__version__, np.__version__, torch_info, platform.python_version(),
             os.cpu_count(), os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
             os.environ.get("OPENBLAS_CORETYPE", "unset"),
             os.environ.get("OMP_NUM_THREADS", "unset"),
             " ".join("%.2f" % l for l in os.getloadavg())))

    rows = []
    (A, a), val = australian_split()
    train = (A, corrupt_labels(a, 2, CORRUPT, SEED))
    rows.append(bench_hyperclean("australian", train, val, 2, iters_for(A.shape[0]), repeats,
                                 args.threads, use_torch, args.lam))
    X, labels = bilevel.datasets.load("fashion-mnist")
    for n in sizes:
        (A, a), (V, v) = fashion_subset(X, labels, n)
        a = corrupt_labels(a, 10, CORRUPT, SEED)
        rows.append(bench_hyperclean("Fashion-MNIST", (A, a), (V, v), 10, iters_for(n),
                                     repeats, args.threads, use_torch, args.lam))
    crossing = bench_crossing(200 if args.quick else 2000, repeats)

    torch_cols = use_torch
    print("\n## Results (medians of %d interleaved repeats; load average at the end %s)\n"
          % (repeats, " ".join("%.2f" % l for l in os.getloadavg())))
    t = args.threads
    print("Seconds per f2ba outer iteration (%d grad_g + %d grad_f calls), the same problem "
          "and options, medians; 'oracles alone': the Python problem's own calls, made "
          "directly, with %d threads.\n" % (rows[0]["calls"][0], rows[0]["calls"][1], t))
    head = ("| data | n_train x d (n_val) | iters | C++, %d threads | C++, 1 thread | "
            "numpy, %d threads | numpy, 1 thread | numpy oracles alone |" % (t, t))
    rule = "|---|---|--:|--:|--:|--:|--:|--:|"
    if torch_cols:
        head += " torch, %d threads | torch, 1 thread | torch oracles alone |" % t
        rule += "--:|--:|--:|"
    print(head)
    print(rule)
    for r in rows:
        line = ("| %s | %d x %d (%d) | %d | %s | %s | %s | %s | %s |"
                % (r["label"], r["n"], r["d"], r["m"], r["iters"], fmt_s(r["C++"]),
                   fmt_s(r["C++ 1 thread"]), fmt_s(r["numpy"]), fmt_s(r["numpy 1 thread"]),
                   fmt_s(r["numpy alone"])))
        if torch_cols:
            line += " %s | %s | %s |" % (fmt_s(r["torch"]), fmt_s(r["torch 1 thread"]),
                                         fmt_s(r["torch alone"]))
        print(line)
    print("\nPython / C++ at the same threads setting: the median of the per-repeat ratios "
          "(in parentheses: fastest repeat over fastest repeat).\n")
    head = "| data | n_train | numpy / C++, %d threads | numpy / C++, 1 thread |" % t
    rule = "|---|--:|--:|--:|"
    if torch_cols:
        head += " torch / C++, %d threads | torch / C++, 1 thread |" % t
        rule += "--:|--:|"
    print(head)
    print(rule)
    for r in rows:
        line = "| %s | %d | %.1f (%.1f) | %.1f |" % (r["label"], r["n"], r["numpy/C++"],
                                                    r["numpy/C++ fastest"],
                                                    r["numpy/C++ 1 thread"])
        if torch_cols:
            line += " %.1f (%.1f) | %.1f |" % (r["torch/C++"], r["torch/C++ fastest"],
                                               r["torch/C++ 1 thread"])
        print(line)
    print("\nAgreement with the C++ run (largest relative differences of x over the checked "
          "iterations, and of val_loss), numpy; torch:\n")
    print("| data | n_train | x at lam = 100 | val_loss at lam = 100 | x at lam = %g (timed) "
          "| val_loss at lam = %g |" % (rows[0]["lam"], rows[0]["lam"]))
    print("|---|--:|--:|--:|--:|--:|")
    for r in rows:
        ag = r["agreement"]
        cell = lambda key, i: "; ".join("%.0e" % ag[key][k][i] for k in ag[key])
        print("| %s | %d | %s | %s | %s | %s |" % (r["label"], r["n"], cell("lam=100", 0),
                                                   cell("lam=100", 1), cell("timed", 0),
                                                   cell("timed", 1)))
    c = crossing
    print("\nOne gradient call on a dim_x = dim_y = 2 problem (f2ba, %d iterations, %d calls "
          "per run):\n" % (c["iters"], c["calls"]))
    print("| | per gradient call |")
    print("|---|--:|")
    print("| quadratic as a bilevel.Problem, through bilevel.run | %.2f us |" % (1e6 * c["python"]))
    print("| its grad_f / grad_g called directly (timeit) | %.2f us |" % (1e6 * c["raw"]))
    print("| methods returning ready arrays, through bilevel.run | %.2f us |"
          % (1e6 * c["no-work"]))
    print("| the same called directly (timeit) | %.2f us |" % (1e6 * c["raw no-work"]))
    print("| built-in C++ `quadratic` dx = dy = 2 (f2ba's own work included) | %.3f us |"
          % (1e6 * c["cpp"]))
    print("\ncrossing per call: %.2f us (quadratic), %.2f us (ready arrays)"
          % (1e6 * (c["python"] - c["raw"]), 1e6 * (c["no-work"] - c["raw no-work"])))
    print("total runtime %.0f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    sys.exit(main())
