"""bilevel: gradient-based bilevel optimization, from Python.

    min_x phi(x) = f(x, y*(x)),   y*(x) = argmin_y g(x, y)

``bilevel.run`` runs any method of the library (f2ba, f2sa, aid-cg, itd, ...) on a built-in
problem by name, on a built-in problem over your numpy arrays, or on a problem you define in
Python (:class:`Problem`). Options, checks and error messages are the library's, as in the
command-line tool; every oracle call is counted. See docs/python.md.
"""

import contextlib

from . import _bilevel
from ._bilevel import Result, Status
from .problem import FunctionProblem, Problem
from . import datasets

__version__ = _bilevel.__version__

# The statuses by name: `result.status == bilevel.Diverged`.
Converged = Status.CONVERGED
MaxIterations = Status.MAX_ITERATIONS
OracleBudget = Status.ORACLE_BUDGET
TimeLimit = Status.TIME_LIMIT
Diverged = Status.DIVERGED
UserStop = Status.USER_STOP
UserAbort = Status.USER_ABORT
Interrupted = Status.INTERRUPTED


class Action:
    """What a callback may return (None or False also continue, True also stops)."""
    CONTINUE = "continue"
    STOP = "stop"    # end the run; its iterate is usable (Status.USER_STOP)
    ABORT = "abort"  # end the run; its iterate must not be used (Status.USER_ABORT)


# The run settings' keywords: those of the CLI's flags (--max-iters is max_iters).
_SETTINGS = ("max_iters", "max_oracle_calls", "time_limit", "tol", "seed", "log_every",
             "diagnostics", "min_eig", "keep_trace", "threads", "max_memory")


def _data_set(name, value):
    """(features, labels) as the compiled layer takes it: dense arrays as they are, a
    scipy.sparse matrix as its CSR parts."""
    if value is None:
        return None
    try:
        features, labels = value
    except (TypeError, ValueError):
        raise ValueError("%s must be a pair (features, labels)" % name) from None
    if hasattr(features, "tocsr") and hasattr(features, "nnz"):  # scipy.sparse
        csr = features.tocsr()
        features = ("csr", csr.data, csr.indices, csr.indptr, csr.shape)
    return (features, labels)


def _thread_limits(threads):
    """threads=N bounds the thread pools of the process for the run, as the CLI's --threads.
    The run itself sets the library's OpenMP pool to N, which PyTorch's CPU kernels share
    (one libgomp), and restores it afterwards; here numpy's BLAS is lowered to N when it uses
    more (threadpoolctl, Debian's python3-threadpoolctl; never raised), for the problems
    written in Python. 0 or None: no bound."""
    stack = contextlib.ExitStack()
    if not threads:
        return stack
    try:
        import threadpoolctl
    except ImportError:
        return stack
    blas = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    if blas and max(blas) > threads:
        stack.enter_context(threadpoolctl.threadpool_limits(limits=int(threads), user_api="blas"))
    return stack


def run(problem, problem_options=None, algo=None, options=None, *, callback=None,
        train=None, val=None, test=None, trace=None, summary=None, x0=None, y0=None,
        **settings):
    """Run the method ``algo`` on ``problem`` and return a :class:`Result`.

    problem: a built-in problem's name (``bilevel.list_problems()``) or a :class:`Problem`.
    problem_options: the built-in problem's options, e.g. ``{"dataset": "australian"}``.
    algo: the method's name (``bilevel.list_algorithms()``); options: its options, e.g.
        ``{"lam": 100, "K": 10}`` (None means "auto").
    x0, y0: the starting point (1-D arrays of the problem's dimensions; a previous run's
        ``result.x`` and ``result.y``); default the problem's initial point.
    settings: ``max_iters``, ``max_oracle_calls``, ``time_limit`` (seconds), ``tol`` (on the
        exact ||grad phi||), ``seed``, ``log_every``, ``diagnostics``, ``min_eig``,
        ``keep_trace``, ``threads``, ``max_memory``: the CLI's run flags, same defaults.
        ``threads`` sets the library's OpenMP pool for the run (shared by PyTorch's kernels)
        and bounds numpy's BLAS; both are as before after the run.
    callback: ``callback(record, x, y)`` after every trace record (a dict of the trace
        columns); return None to go on, ``bilevel.Action.STOP`` (or True) to stop,
        ``bilevel.Action.ABORT`` to abort.
    train, val, test: your own sets for hyperclean or learnreg, each ``(features, labels)``
        with features a 2-D numpy array or a scipy.sparse matrix and labels whole numbers
        0..C-1 (test may be omitted); they replace the problem's ``dataset`` and split.
    trace, summary: files to write the trace CSV and the summary JSON to (atomically, after
        the run), as the CLI's --trace and --summary.

    Bad input raises ValueError with the library's message. Divergence is not an exception:
    ``result.status == bilevel.Diverged``. Ctrl-C stops the run after the current iteration
    and raises KeyboardInterrupt, whose ``result`` attribute holds the run so far.
    """
    if algo is None:
        raise ValueError("run needs algo=NAME; known algorithms: "
                         + ", ".join(a["name"] for a in list_algorithms()))
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise ValueError("run: unknown keyword(s) %s; the settings are %s"
                         % (", ".join(sorted(unknown)), ", ".join(_SETTINGS)))
    data = None
    if train is not None or val is not None or test is not None:
        if train is None or val is None:
            raise ValueError("train and val are both needed when data are given (test is "
                             "optional)")
        data = (_data_set("train", train), _data_set("val", val), _data_set("test", test))
    threads = settings.get("threads")
    with _thread_limits(threads if isinstance(threads, int) and threads > 0 else 0):
        result = _bilevel._run(problem, dict(problem_options or {}), algo,
                               dict(options or {}),
                               {k: v for k, v in settings.items() if v is not None}, callback,
                               data, trace or "", summary or "", x0, y0)
    if result.status == Status.INTERRUPTED:
        interrupt = KeyboardInterrupt("bilevel.run interrupted after iteration %d"
                                      % result.iters)
        interrupt.result = result
        raise interrupt
    return result


def list_problems():
    """The built-in problems: name, description, options (name, default, help, constraint,
    auto_rule, choices) and whether they take your own data sets (takes_data)."""
    return _bilevel._list_problems()


def list_algorithms():
    """The methods: name, description, options (as list_problems) and whether they run on
    several MPI ranks (distributed)."""
    return _bilevel._list_algorithms()


def list_settings():
    """The run settings run() accepts as keywords, with their defaults and help."""
    return _bilevel._list_settings()


def list_datasets():
    """The datasets bilevel.datasets.load knows, with their availability here."""
    return datasets.list()


def _trace_frame(self):
    """The trace as a pandas.DataFrame (needs pandas: Debian's python3-pandas)."""
    try:
        import pandas
    except ImportError:
        raise ImportError("Result.trace_frame() needs pandas (Debian: python3-pandas); "
                          "Result.trace is the same data as a dict of numpy arrays") from None
    return pandas.DataFrame(self.trace)


Result.trace_frame = _trace_frame


def __getattr__(name):
    # The PyTorch adapter imports torch: only when asked for.
    if name == "TorchProblem":
        from .torch_problem import TorchProblem
        return TorchProblem
    raise AttributeError("module 'bilevel' has no attribute %r" % name)


__all__ = ["run", "Problem", "FunctionProblem", "TorchProblem", "Result", "Status", "Action",
           "datasets", "list_problems", "list_algorithms", "list_settings", "list_datasets",
           "Converged", "MaxIterations", "OracleBudget", "TimeLimit", "Diverged", "UserStop",
           "UserAbort", "Interrupted"]
