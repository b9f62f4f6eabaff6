"""bilevel.datasets.load gives numpy / scipy.sparse arrays; the data-driven problems take
arrays directly."""

import numpy as np
import pytest
import scipy.sparse

import bilevel


def test_load_dense():
    d = bilevel.datasets.load("fashion-mnist:test")
    X, y = d
    assert X.shape == (10000, 784) and X.dtype == np.float64 and X.flags["C_CONTIGUOUS"]
    assert y.shape == (10000,) and y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert d.num_classes == 10 and len(d.class_names) == 10
    # No copy: the array views the loaded dataset, which it keeps alive.
    assert X.base is not None and not X.flags["OWNDATA"]


def test_load_libsvm_is_sparse():
    d = bilevel.datasets.load("australian")
    assert scipy.sparse.isspmatrix_csr(d.X) and d.X.shape == (690, 14)
    assert d.y.dtype == np.int64 and set(np.unique(d.y)) == {0, 1} and d.num_classes == 2


def test_load_sparse():
    X, y = bilevel.datasets.load("synthetic-text:n=300,d=500,nnz=20,classes=3")
    assert scipy.sparse.isspmatrix_csr(X) and X.shape == (300, 500)
    assert X.nnz > 0 and set(np.unique(y)) <= {0, 1, 2}


def test_load_errors_and_listing():
    with pytest.raises(ValueError, match="unknown dataset"):
        bilevel.datasets.load("no-such-dataset")
    names = [d["name"] for d in bilevel.list_datasets()]
    assert "australian" in names and "fashion-mnist" in names


def split(X, y, n_train, n_val):
    return (X[:n_train], y[:n_train]), (X[n_train:n_train + n_val], y[n_train:n_train + n_val]), \
        (X[n_train + n_val:], y[n_train + n_val:])


@pytest.mark.parametrize("problem", ["hyperclean", "learnreg"])
def test_problems_take_arrays(problem):
    X, y = bilevel.datasets.load("australian")
    train, val, test = split(X, y, 400, 150)
    r = bilevel.run(problem, {"c" if problem == "hyperclean" else "reg0": 1e-3}, "f2ba",
                    max_iters=5, train=train, val=val, test=test)
    assert r.problem == problem and r.iters == 5
    assert len(r.x) == (400 if problem == "hyperclean" else 14)
    assert np.isfinite(r.trace["test_acc"]).all()
    # The same arrays as a sparse matrix give the same run.
    sparse = [(scipy.sparse.csr_matrix(a), b) for a, b in (train, val, test)]
    s = bilevel.run(problem, {"c" if problem == "hyperclean" else "reg0": 1e-3}, "f2ba",
                    max_iters=5, train=sparse[0], val=sparse[1], test=sparse[2])
    np.testing.assert_allclose(s.x, r.x, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("problem,algo", [("hyperclean", "f2ba"), ("learnreg", "aid-cg")])
def test_arrays_equal_the_catalog_split(problem, algo):
    # The library's own split, passed back as arrays, is the same problem: the same trace,
    # label corruption included (it applies to the training arrays with the same seed).
    options = {"corrupt": 0.3, "seed": 3}
    named = bilevel.run(problem, dict(options, dataset="heart"), algo, max_iters=8)
    train, val, test = bilevel.datasets.split("heart", seed=3)
    arrays = bilevel.run(problem, options, algo, max_iters=8, train=tuple(train),
                         val=tuple(val), test=tuple(test))
    for column, values in named.trace.items():
        if column != "time_s":
            np.testing.assert_array_equal(arrays.trace[column], values, err_msg=column)
    np.testing.assert_array_equal(arrays.x, named.x)


def test_without_a_test_set():
    X, y = bilevel.datasets.load("australian")
    r = bilevel.run("hyperclean", {"corrupt": 0}, "f2ba", max_iters=3,
                    train=(X[:300], y[:300]), val=(X[300:], y[300:]))
    assert r.problem_options["dataset"] == "train"
    assert np.isnan(r.trace["test_loss"]).all()


def test_data_options_that_conflict_are_refused():
    X, y = bilevel.datasets.load("australian")
    with pytest.raises(ValueError, match="option dataset chooses or splits a dataset"):
        bilevel.run("hyperclean", {"dataset": "heart"}, "f2ba", train=(X, y), val=(X, y))
    with pytest.raises(ValueError, match="takes no data sets"):
        bilevel.run("quadratic", None, "f2ba", train=(X, y), val=(X, y))
    with pytest.raises(ValueError, match="train and val are both needed"):
        bilevel.run("hyperclean", None, "f2ba", train=(X, y))
    with pytest.raises(ValueError, match="must be a pair"):
        bilevel.run("hyperclean", None, "f2ba", train=X, val=(X, y))
