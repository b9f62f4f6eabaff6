"""A run from Python and the same run from the CLI give the same trace, column by column
(the time column aside): the module is the library, not a re-implementation."""

import csv
import subprocess

import numpy as np
import pytest

import bilevel

CASES = [
    # problem, problem options, method, method options, iterations
    ("quadratic", {"dx": 5, "dy": 8}, "f2ba", {"lam": 50}, 40),
    ("quadratic", {"dx": 5, "dy": 8, "n_g": 20, "n_f": 20}, "f2sa",
     {"batch_f": 4, "batch_g": 4}, 40),
    ("hyperclean", {"dataset": "australian", "corrupt": 0.3}, "aid-cg", {"K": 5}, 15),
    ("learnreg", {"dataset": "heart"}, "itd", {"K": 5}, 10),
]


def cli_trace(cli, tmp_path, problem, popts, algo, aopts, iters, seed):
    path = tmp_path / "trace.csv"
    cmd = [cli, "run", "--problem", problem, "--algo", algo, "--max-iters", str(iters),
           "--seed", str(seed), "--trace", str(path), "--quiet"]
    for k, v in popts.items():
        cmd += ["-P", "%s=%s" % (k, v)]
    for k, v in aopts.items():
        cmd += ["-A", "%s=%s" % (k, v)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) if r[k] != "" else np.nan for r in rows])
            for k in rows[0]}


@pytest.mark.parametrize("problem,popts,algo,aopts,iters", CASES,
                         ids=[c[0] + "-" + c[2] for c in CASES])
def test_python_and_cli_traces_are_identical(cli, tmp_path, problem, popts, algo, aopts,
                                             iters):
    seed = 7
    expected = cli_trace(cli, tmp_path, problem, popts, algo, aopts, iters, seed)
    result = bilevel.run(problem, popts, algo, aopts, max_iters=iters, seed=seed)
    assert len(expected["iter"]) == iters + 1
    for column, values in expected.items():
        if column == "time_s":
            continue
        got = np.asarray(result.trace[column], dtype=float)
        np.testing.assert_array_equal(got, values, err_msg=column)


def test_the_same_seed_repeats_and_another_differs():
    args = ("quadratic", {"n_g": 20, "n_f": 20}, "f2sa", {"batch_f": 4, "batch_g": 4})
    a = bilevel.run(*args, max_iters=20, seed=1)
    b = bilevel.run(*args, max_iters=20, seed=1)
    c = bilevel.run(*args, max_iters=20, seed=2)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, c.x)
