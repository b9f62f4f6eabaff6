"""The library's datasets as numpy arrays: ``X, y = bilevel.datasets.load("australian")``.

Dense features come as a 2-D float64 array over the loaded data (no copy); sparse ones
(synthetic-text, LIBSVM files with many features) as a ``scipy.sparse.csr_matrix`` (needs
scipy: Debian's python3-scipy). The specs are those of the CLI (``bilevel list datasets``):
catalog names such as ``australian``, ``a9a:test``, ``fashion-mnist``, generated
``synthetic-text:n=2000``, and your files ``libsvm:PATH``, ``csv:PATH``, ``idx:PREFIX``.
"""

from . import _bilevel


class Dataset:
    """A loaded dataset: ``X`` (samples x features), ``y`` (class ids 0..C-1, int64),
    ``num_classes``, ``class_names`` (the labels as the source wrote them) and ``name``.
    Unpacks as ``X, y = dataset``."""

    def __init__(self, name, X, y, num_classes, class_names):
        self.name, self.X, self.y = name, X, y
        self.num_classes, self.class_names = num_classes, class_names

    def __iter__(self):
        return iter((self.X, self.y))

    def __repr__(self):
        return "<bilevel Dataset %s: %d samples, %d features, %d classes%s>" % (
            self.name, self.X.shape[0], self.X.shape[1], self.num_classes,
            ", sparse" if not hasattr(self.X, "ndim") or self.X.__class__.__name__ != "ndarray"
            else "")


def load(name_or_spec):
    """Load a dataset by name or spec (ValueError, with what to install, when it cannot)."""
    return _dataset(_bilevel._load_dataset(name_or_spec), name_or_spec)


def split(name_or_spec, n_train=0, n_val=0, n_test=None, seed=0):
    """The train / validation / test split hyperclean and learnreg make of a dataset with
    these options (n_val = 0: a quarter for validation; n_test = None: a quarter for test,
    0: no test set; n_train = 0: the rest for training; ``seed`` shuffles the rows): three
    :class:`Dataset`. The problems' runs on
    these arrays (``bilevel.run(..., train=..., val=..., test=...)``) are their runs on
    ``dataset=name_or_spec`` with the same seed."""
    return tuple(_dataset(d, name_or_spec)
                 for d in _bilevel._split_dataset(name_or_spec, n_train, n_val, n_test, seed))


def _dataset(d, name_or_spec):
    if d["format"] == "csr":
        try:
            import scipy.sparse
        except ImportError:
            raise ImportError("%s is sparse: loading it needs scipy (Debian: python3-scipy)"
                              % name_or_spec) from None
        X = scipy.sparse.csr_matrix((d["data"], d["indices"], d["indptr"]), shape=d["shape"],
                                    copy=False)
    else:
        X = d["features"]
    return Dataset(d["name"], X, d["labels"], d["num_classes"], d["class_names"])


def list():
    """Every dataset name with its description and availability on this machine."""
    return _bilevel._list_datasets()
