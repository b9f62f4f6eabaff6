"""`pip install .` packages the module: the pure-Python layer, the extension and the shipped
datasets, found beside the extension wherever the package lands. The extension is the build
tree's (BILEVEL_PREBUILT_EXTENSION): building it again from scratch is what setup.py does
with CMake, checked by hand (docs/python.md gives the time)."""

import os
import subprocess
import sys

import bilevel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_pip_install_without_downloads(tmp_path):
    target = tmp_path / "site"
    env = dict(os.environ, BILEVEL_PREBUILT_EXTENSION=bilevel._bilevel.__file__,
               PIP_NO_INDEX="1")  # no index at all: nothing may be downloaded
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                    "--no-deps", "--quiet", "--target", str(target), ROOT],
                   check=True, env=env, capture_output=True, text=True)
    assert (target / "bilevel" / "share" / "bilevel" / "data" / "australian_scale").exists()
    check = ("import bilevel, sys; assert bilevel.__file__.startswith(sys.argv[1]), "
             "bilevel.__file__; X, y = bilevel.datasets.load('australian'); "
             "r = bilevel.run('hyperclean', algo='f2ba', max_iters=2); "
             "print(X.shape[0], r.iters)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BILEVEL_")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run([sys.executable, "-c", check, str(target)], check=True, env=env,
                         cwd=str(tmp_path), capture_output=True, text=True).stdout
    assert out.split() == ["690", "2"]
