"""A bilevel problem written with PyTorch tensors: learning one ridge penalty per feature.

    lower:  w*(x) = argmin_w  1/n ||A w - b||^2 + sum_j exp(x_j) w_j^2     (training set)
    upper:  min_x  1/m ||V w*(x) - c||^2                                    (validation set)

bilevel.TorchProblem turns the two objectives into the oracles the library counts: autograd
gives the gradients and every Hessian-vector product, so second-order methods (aid-cg) and
fully first-order ones (f2ba) both run on it. The data are the shipped `australian` set
(credit approval, 14 features), its labels as +-1 regression targets.

Run: PYTHONPATH=build/python /usr/bin/python3 examples/python/torch_problem.py [--iters 300]
"""
import argparse

import numpy as np
import torch

import bilevel

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--iters", type=int, default=300)
args = parser.parse_args()

X, y = bilevel.datasets.load("australian")
X = torch.tensor(X.toarray())           # LIBSVM files load as scipy.sparse
t = torch.tensor(2.0 * y - 1.0)         # labels 0/1 -> targets -1/+1
A, b, V, c = X[:400], t[:400], X[400:], t[400:]


class LearnedRidge(bilevel.TorchProblem):
    dim_x = dim_y = X.shape[1]
    x0 = np.full(dim_x, np.log(1e-2))    # every penalty starts at 0.01
    # 2 lambda(A'A/n) spans [0.023, 8.3], plus 2 exp(x0) = 0.02; 2 lambda_max(V'V/m) = 8.7.
    constants = {"mu_g": 0.04, "L_g": 8.4, "L_f": 8.7}

    def upper(self, x, w):
        return torch.mean((V @ w - c) ** 2)

    def lower(self, x, w):
        return torch.mean((A @ w - b) ** 2) + torch.sum(torch.exp(x) * w ** 2)


problem = LearnedRidge()
for algo, options in [("aid-cg", {"K": 20, "N": 20, "eta": 30.0}),
                      ("f2ba", {"lam": 100, "K": 20, "eta": 30.0})]:
    r = bilevel.run(problem, algo=algo, options=options, max_iters=args.iters, log_every=10)
    trace = r.trace
    print(f"{algo:7s} phi (validation MSE) {trace['phi'][0]:.4f} -> {trace['phi'][-1]:.4f}, "
          f"||grad phi|| {trace['hypergrad_norm'][-1]:.1e}, {r.counts['total']['grad']} "
          f"gradients, {r.counts['total']['hvp']} products, {r.time_s:.1f} s")
    assert trace["phi"][-1] < trace["phi"][0], "the learned penalties should help"
print("learned penalties exp(x):", np.array2string(np.exp(r.x), precision=3))
