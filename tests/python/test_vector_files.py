"""--x0 / --save-x with NumPy: the CLI reads what np.save writes (float32, big-endian, a column)
and np.load reads what the CLI writes, the same doubles."""

import subprocess

import numpy as np


def run(cli, *args):
    return subprocess.run([cli, "run", "--problem", "quadratic", "--algo", "f2ba", "--quiet",
                           *args], capture_output=True, text=True)


def test_numpy_writes_and_reads_the_cli_files(cli, tmp_path):
    r = run(cli, "--max-iters", "15", "--save-x", str(tmp_path / "x.npy"),
            "--save-y", str(tmp_path / "y.txt"), "--save-every", "5",
            "--save-history", str(tmp_path / "h.npy"))
    assert r.returncode == 0, r.stderr
    x = np.load(tmp_path / "x.npy")
    assert x.dtype == np.float64 and x.shape == (20,)
    y = np.loadtxt(tmp_path / "y.txt")
    h = np.load(tmp_path / "h.npy")
    assert h.shape == (4, 21)
    assert list(h[:, 0]) == [0, 5, 10, 15]
    assert np.array_equal(h[-1, 1:], x)

    # Other layouts NumPy writes: a big-endian float32 column, a row of float64.
    np.save(tmp_path / "x32.npy", x.astype(">f4").reshape(-1, 1))
    np.save(tmp_path / "yrow.npy", y.reshape(1, -1))
    r = run(cli, "--tol", "1e300", "--x0", str(tmp_path / "x32.npy"), "--y0",
            str(tmp_path / "yrow.npy"), "--save-x", str(tmp_path / "x_again.npy"),
            "--save-y", str(tmp_path / "y_again.npy"))
    assert r.returncode == 0, r.stderr
    assert np.array_equal(np.load(tmp_path / "x_again.npy"), x.astype(np.float32).astype(float))
    assert np.array_equal(np.load(tmp_path / "y_again.npy"), y)


def test_an_integer_array_is_refused_with_what_to_do(cli, tmp_path):
    np.save(tmp_path / "ints.npy", np.arange(20))
    r = run(cli, "--x0", str(tmp_path / "ints.npy"))
    assert r.returncode == 2
    assert "is not supported; save the array as float64" in r.stderr
    assert r.stderr.count("\n") == 1


def test_python_run_starts_from_x0_y0():
    import bilevel
    import pytest
    first = bilevel.run("quadratic", algo="f2ba", max_iters=10)
    again = bilevel.run("quadratic", algo="f2ba", tol=1e300, x0=first.x, y0=first.y)
    assert again.iters == 0
    assert np.array_equal(again.x, first.x) and np.array_equal(again.y, first.y)
    assert again.trace["phi"][0] == pytest.approx(first.trace["phi"][-1], rel=1e-10)
    with pytest.raises(ValueError, match="x0 has shape"):
        bilevel.run("quadratic", algo="f2ba", x0=np.zeros(3))
