"""Bad input raises ValueError with the library's message (the CLI's, without its
"bilevel: error: " prefix); an exception in the user's code propagates with its traceback and
leaves no file behind."""

import subprocess
import traceback

import numpy as np
import pytest

import bilevel
from conftest import Quadratic


def cli_error(cli, *args):
    p = subprocess.run([cli, "run", "--quiet", *args], capture_output=True, text=True)
    assert p.returncode != 0
    line = p.stderr.strip().splitlines()[-1]
    assert line.startswith("bilevel: error: "), p.stderr
    return line[len("bilevel: error: "):]


@pytest.mark.parametrize("python_args,cli_args", [
    (dict(algo="f2ba", options={"lam": -1}), ["--algo", "f2ba", "-A", "lam=-1"]),
    (dict(algo="f2ba", options={"no_such": 1}), ["--algo", "f2ba", "-A", "no_such=1"]),
    (dict(algo="f2bb"), ["--algo", "f2bb"]),
    (dict(algo="f2ba", problem_options={"mu": 2, "L": 1}),
     ["--algo", "f2ba", "-P", "mu=2", "-P", "L=1"]),
    (dict(algo="aid-cg", options={"K": 2.5}), ["--algo", "aid-cg", "-A", "K=2.5"]),
])
def test_bad_options_raise_the_library_message(cli, python_args, cli_args):
    expected = cli_error(cli, "--problem", "quadratic", *cli_args)
    with pytest.raises(ValueError) as e:
        bilevel.run("quadratic", **python_args)
    assert str(e.value) == expected


def test_bad_settings_and_keywords():
    with pytest.raises(ValueError, match=r"run: max_iters must be >= 1 \(got 0\)"):
        bilevel.run("quadratic", algo="f2ba", max_iters=0)
    with pytest.raises(ValueError, match="tol needs the exact"):
        bilevel.run("quadratic", algo="f2ba", tol=1e-3, diagnostics=False)
    with pytest.raises(ValueError, match="unknown keyword.*max_iter\\b"):
        bilevel.run("quadratic", algo="f2ba", max_iter=3)
    with pytest.raises(ValueError, match="option lam must be a number"):
        bilevel.run("quadratic", algo="f2ba", options={"lam": [1, 2]})


def australian_arrays():
    X, y = bilevel.datasets.load("australian")
    X = X.toarray()  # LIBSVM files load sparse
    return X[:400], y[:400], X[400:], y[400:]


@pytest.mark.parametrize("mutate,message", [
    (lambda A, b: (A[:, :, None], b), "train: features must be a 2-D array"),
    (lambda A, b: (A.astype(complex), b), r"train: features must be real numbers \(got dtype complex128\)"),
    (lambda A, b: (np.where(np.arange(A.size).reshape(A.shape) == 7, np.nan, A), b),
     "train: a feature value is not finite"),
    (lambda A, b: (A, b[:-1]), "train: 400 feature rows but 399 labels"),
    (lambda A, b: (A, b.astype(float)), "train: labels must be whole numbers"),
    (lambda A, b: (A, b - 1), "train: sample 0 has label -1|train: sample [0-9]+ has label -1"),
    (lambda A, b: (A[:, :5], b), "the validation set has 14 features and 2 classes, the training set 5"),
])
def test_bad_arrays_raise_value_error(mutate, message):
    A, b, V, c = australian_arrays()
    with pytest.raises(ValueError, match=message):
        bilevel.run("hyperclean", algo="f2ba", train=mutate(A, b), val=(V, c), max_iters=2)


class Failing(Quadratic, bilevel.Problem):
    def grad_g(self, x, y):
        if self.calls["grad"] > 5:
            raise ZeroDivisionError("inside the user's oracle")
        return super().grad_g(x, y)


def test_a_user_exception_propagates_with_its_traceback(tmp_path):
    trace = tmp_path / "trace.csv"
    summary = tmp_path / "summary.json"
    summary.write_text("an earlier run's summary")
    with pytest.raises(ZeroDivisionError, match="inside the user's oracle") as e:
        bilevel.run(Failing(), algo="f2ba", max_iters=50, trace=str(trace),
                    summary=str(summary))
    frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    assert "grad_g" in frames
    # No trace written, the existing summary intact, no temporary file left.
    assert not trace.exists()
    assert summary.read_text() == "an earlier run's summary"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_bad_return_values_are_named():
    class BadShape(Quadratic, bilevel.Problem):
        def grad_f(self, x, y):
            return np.zeros(self.dim_x + 1), y - self.b

    with pytest.raises(ValueError, match=r"grad_f's grad_x has shape \(4,\), expected \(3,\)"):
        bilevel.run(BadShape(), algo="f2ba", max_iters=2)

    class NoPair(Quadratic, bilevel.Problem):
        def grad_g(self, x, y):
            return np.zeros(self.dim_y)

    with pytest.raises(ValueError, match=r"grad_g must return a pair"):
        bilevel.run(NoPair(), algo="f2ba", max_iters=2)

    class NoDims(bilevel.Problem):
        pass

    with pytest.raises(ValueError, match="must define dim_x"):
        bilevel.run(NoDims(), algo="f2ba")


def test_divergence_is_a_status_not_an_exception():
    r = bilevel.run("quadratic", algo="f2ba", options={"alpha": 100, "eta": 100}, max_iters=50)
    assert r.status == bilevel.Diverged
    assert not r.usable
    assert "diverged" in r.message
