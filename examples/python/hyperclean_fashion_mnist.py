"""Data hyper-cleaning on Fashion-MNIST from numpy arrays, with a matplotlib plot.

Half of the training labels are corrupted here, in numpy; the built-in `hyperclean` problem
learns one weight per training sample (sigmoid of x) so that a logistic regression trained on
the weighted set does well on a clean validation set. f2ba (fully first-order) and aid-cg
(Hessian-vector products) run on the same arrays; the plot shows the validation loss against
time and the fraction of corrupted samples among those given the lowest weights.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/hyperclean_fashion_mnist.py \
         [--n-train 5000] [--iters 200] [--out results/python-hyperclean.png]
"""
import argparse
import os

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import bilevel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--n-train", type=int, default=5000)
parser.add_argument("--iters", type=int, default=200)
parser.add_argument("--out", default="results/python-hyperclean.png")
args = parser.parse_args()

# Fashion-MNIST as numpy arrays (Debian's dataset-fashion-mnist): 60000 x 784, scaled to [0, 1].
X, y = bilevel.datasets.load("fashion-mnist")
rng = np.random.default_rng(0)
rows = rng.permutation(len(y))
n, m = args.n_train, args.n_train // 5
train, val, test = rows[:n], rows[n:n + m], rows[n + m:n + 2 * m]

# Corrupt half of the training labels: each one moves to another class, uniformly.
labels = y[train].copy()
corrupted = rng.choice(n, size=n // 2, replace=False)
labels[corrupted] = (labels[corrupted] + rng.integers(1, 10, size=len(corrupted))) % 10
print(f"{n} training images, {len(corrupted)} with a wrong label; {m} validation, {m} test")

runs = {}
for algo, options in [("f2ba", {}), ("aid-cg", {"K": 10, "N": 10})]:
    # corrupt=0: the arrays are used as given (the problem would otherwise corrupt them itself).
    result = bilevel.run("hyperclean", {"corrupt": 0, "c": 1e-3}, algo, options,
                         train=(X[train], labels), val=(X[val], y[val]), test=(X[test], y[test]),
                         max_iters=args.iters, log_every=max(1, args.iters // 40),
                         diagnostics=False)
    runs[algo] = result
    weights = 1 / (1 + np.exp(-result.x))
    flagged = np.argsort(weights)[:len(corrupted)]
    caught = np.isin(flagged, corrupted).mean()
    t = result.trace
    print(f"{algo:7s} {result.iters} iterations in {result.time_s:.1f} s: validation loss "
          f"{t['val_loss'][0]:.3f} -> {t['val_loss'][-1]:.3f}, test accuracy "
          f"{t['test_acc'][-1]:.3f}, lowest weights on corrupted samples: {caught:.0%}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for algo, result in runs.items():
    t = result.trace
    left.plot(t["time_s"], t["val_loss"], label=algo)
    right.plot(t["time_s"], t["test_acc"], label=algo)
left.set(xlabel="time (s)", ylabel="validation loss", title="Hyper-cleaning, Fashion-MNIST")
right.set(xlabel="time (s)", ylabel="test accuracy")
left.legend()
fig.tight_layout()
os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
fig.savefig(args.out, dpi=120)
print("wrote", args.out)
