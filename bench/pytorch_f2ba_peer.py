#!/usr/bin/python3
"""A plain PyTorch F2BA outer iteration on data hyper-cleaning, the peer of BM_F2baOuter.

The same iteration as `bilevel run --problem hyperclean -P dataset=fashion-mnist --algo f2ba
-A K=10` (float32): K = 10 inner steps, each one product of the training features with the
stacked [W_y W_z] (784 x 20) and one back, plus the validation gradient at y; then the outer
step on the per-sample weights. Explicit gradients (no autograd), the way a PyTorch user
writes it when speed matters. Prints the median seconds per outer iteration for each n_train.

    /usr/bin/python3 bench/pytorch_f2ba_peer.py [--threads 2] [--sizes 5000,20000,50000]

Which BLAS PyTorch calls is printed (Debian's python3-torch uses the system BLAS: OpenBLAS when
libopenblas0-pthread is installed). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE change OpenBLAS's
kernel choice: run it with them unset (what a user has) and, to compare, set.
"""

import argparse
import gzip
import os
import statistics
import sys
import time

import numpy as np
import torch

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def f2ba_iteration(a, labels, onehot, a_val, onehot_val, x, y, z, K=10, alpha=0.1, tau=1e-3,
                   lam=100.0, eta=1e5, c=1e-3):
    """One outer iteration; y and z are (785, 10) = [W; b] (W: 784 x 10). Updates in place.
    onehot, onehot_val: the labels one-hot (made once, outside the timed iterations)."""
    n, m = a.shape[0], a_val.shape[0]
    d = a.shape[1]

    def ce_coefficients(logits, hot, weights):
        p = torch.softmax(logits, dim=1)
        return (p - hot) * weights[:, None]

    for _ in range(K):
        w = torch.sigmoid(x) / n
        stacked = torch.cat([y[:d], z[:d]], dim=1)                      # 784 x 20
        logits = a @ stacked                                             # n x 20
        logits[:, :10] += y[d]
        logits[:, 10:] += z[d]
        r = torch.cat([ce_coefficients(logits[:, :10], onehot, w),
                       ce_coefficients(logits[:, 10:], onehot, w)], dim=1)
        back = a.t() @ r                                                 # 784 x 20
        gy = torch.cat([back[:, :10], r[:, :10].sum(0, keepdim=True)]) + 2 * c * y
        gz = torch.cat([back[:, 10:], r[:, 10:].sum(0, keepdim=True)]) + 2 * c * z
        lv = a_val @ y[:d] + y[d]
        rv = ce_coefficients(lv, onehot_val, torch.full((m,), 1.0 / m, dtype=a.dtype))
        fy = torch.cat([a_val.t() @ rv, rv.sum(0, keepdim=True)])
        z -= alpha * gz
        y -= tau * (fy + lam * gy)
    # Outer step: d/dx_i of lam (g(x, y) - g(x, z)) = lam sigmoid'(x_i) (CE_i(y) - CE_i(z)) / n.
    both = a @ torch.cat([y[:d], z[:d]], dim=1)
    ce_y = torch.nn.functional.cross_entropy(both[:, :10] + y[d], labels, reduction="none")
    ce_z = torch.nn.functional.cross_entropy(both[:, 10:] + z[d], labels, reduction="none")
    s = torch.sigmoid(x)
    x -= eta * lam * s * (1 - s) * (ce_y - ce_z) / n


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2,
                   help="torch.set_num_threads (on 2 cores, 1 can be faster: try both)")
    p.add_argument("--sizes", default="5000,20000,50000")
    p.add_argument("--iters", type=int, default=7)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    images = read_idx(f"{DATA}/train-images-idx3-ubyte.gz").reshape(60000, 784)
    labels = torch.from_numpy(read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").astype(np.int64))
    env = {k: os.environ.get(k, "unset") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    blas = [l for l in torch.__config__.show().splitlines() if "BLAS_INFO" in l]
    print(f"torch {torch.__version__}, {args.threads} threads, {args.dtype}, {env}; "
          f"{blas[0].strip()[:60] if blas else ''}", file=sys.stderr)
    for n in [int(s) for s in args.sizes.split(",")]:
        a = torch.from_numpy(images[:n].astype(np.float32) / 255).to(dtype)
        a_val = torch.from_numpy(images[n:n + 5000].astype(np.float32) / 255).to(dtype)
        x = torch.zeros(n, dtype=dtype)
        y = torch.zeros(785, 10, dtype=dtype)
        z = torch.zeros(785, 10, dtype=dtype)
        hot = torch.nn.functional.one_hot(labels[:n], 10).to(dtype)
        hot_val = torch.nn.functional.one_hot(labels[n:n + 5000], 10).to(dtype)
        step = lambda: f2ba_iteration(a, labels[:n], hot, a_val, hot_val, x, y, z)
        step()  # warm-up
        times = []
        for _ in range(args.iters):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(f"n_train {n}: {statistics.median(times) * 1e3:.1f} ms per outer iteration "
              f"(median of {args.iters})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
