#!/usr/bin/env python3
"""Figures and tables of scripts/experiment_distributed.sh (f2ba paper, Section 7.2).

Reads the flat directory the script writes:
  DS_METHOD.csv       traces of the comparison (DS = st, fm; METHOD = dist-f2ba, dist-aid, aggitd)
  DS_METHOD_etaE.csv  optional sensitivity runs at another step eta = E (dashed in the figure)
  strong_SIZE_npM.csv dist-f2ba traces of the strong scaling (same problem, M ranks)
  weak_npM.csv        dist-f2ba traces of the weak scaling (n_train proportional to M)
and writes:
  DS_val_loss.png     val_loss against time_s, comm_rounds and comm_bytes (three panels)
  summary.csv         per run: iterations, final val_loss / val_acc / test_acc, time per
                      iteration, communication rounds and bytes per iteration
  strong_scaling.csv  per size and M: time per outer iteration, speedup, efficiency, and the
                      estimated communication + contention share (see below)
  weak_scaling.csv    per M: n_train, time per outer iteration, efficiency

Time per outer iteration = (time_s at the last row - time_s at row 0) / iterations: row 0 is
after the method's setup (the power iteration that resolves the auto steps), and time_s excludes
the metrics. The CLI does not split computation and communication, so the split is estimated:
the computation of M ranks sharing C cores is taken as T_1 / min(M, C) (T_1: the one-rank run,
which communicates nothing: its allreduces are over one rank), and the rest,
T_M - T_1 / min(M, C), is reported as "communication + overhead" (MPI transfers and waits,
load imbalance, replicated per-rank vector work, and time-sharing losses when M > C).

Usage: plot_distributed.py --dir docs/experiments/distributed [--cores 2]
"""
import argparse
import csv
import glob
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DATASETS = {"st": "synthetic-text (reduced)", "fm": "Fashion-MNIST (reduced)"}
METHODS = ["dist-f2ba", "dist-aid", "aggitd"]
LABELS = {"dist-f2ba": "F2BA (dist.)", "dist-aid": "AID (dist. CG)", "aggitd": "AggITD"}


def read(path):
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for k in rows[0]:
        col = []
        for r in rows:
            try:
                col.append(float(r[k]))
            except (TypeError, ValueError):
                col.append(float("nan"))
        out[k] = col
    return out


def per_iter(t, key):
    iters = t["iter"][-1] - t["iter"][0]
    return (t[key][-1] - t[key][0]) / iters if iters > 0 else float("nan")


def plots(d):
    for ds, title in DATASETS.items():
        traces = {m: read(p) for m in METHODS
                  if os.path.exists(p := os.path.join(d, f"{ds}_{m}.csv"))}
        if not traces:
            continue
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
        for m, t in traces.items():
            for ax, x in zip(axes, ["time_s", "comm_rounds", "comm_bytes"]):
                ax.plot(t[x], t["val_loss"], label=LABELS[m])
        # sensitivity runs DS_METHOD_etaE.csv (not the tuned step), dashed
        for p in sorted(glob.glob(os.path.join(d, f"{ds}_*_eta*.csv"))):
            name = os.path.basename(p)[len(ds) + 1:-4]
            if "diverged" in name:
                continue
            m, eta = name.rsplit("_eta", 1)
            t = read(p)
            for ax, x in zip(axes, ["time_s", "comm_rounds", "comm_bytes"]):
                ax.plot(t[x], t["val_loss"], "--", label=f"{LABELS.get(m, m)}, eta = {eta}")
        for ax, xl in zip(axes, ["time (s), rank 0, 4 ranks on 2 cores",
                                 "communication rounds (allreduces)",
                                 "bytes sent per rank"]):
            ax.set_xlabel(xl)
            ax.set_ylabel("validation loss")
            ax.set_yscale("log")
            ax.grid(True, alpha=0.3)
        axes[2].set_xscale("log")
        axes[0].legend()
        fig.suptitle(f"learnreg on {title}: distributed methods, K = 10")
        fig.tight_layout()
        fig.savefig(os.path.join(d, f"{ds}_val_loss.png"), dpi=110)
        plt.close(fig)


def summary(d):
    rows = []
    for ds in DATASETS:
        paths = [(m, os.path.join(d, f"{ds}_{m}.csv")) for m in METHODS]
        paths += [(os.path.basename(p)[len(ds) + 1:-4], p)
                  for p in sorted(glob.glob(os.path.join(d, f"{ds}_*_eta*.csv")))]
        for m, p in paths:
            if not os.path.exists(p):
                continue
            t = read(p)
            rows.append({
                "dataset": ds, "method": m, "iters": int(t["iter"][-1]),
                "val_loss_0": t["val_loss"][0], "val_loss": t["val_loss"][-1],
                "val_acc": t["val_acc"][-1], "test_acc": t["test_acc"][-1],
                "time_s": t["time_s"][-1], "s_per_iter": per_iter(t, "time_s"),
                "setup_rounds": t["comm_rounds"][0],
                "rounds_per_iter": per_iter(t, "comm_rounds"),
                "MB_per_iter": per_iter(t, "comm_bytes") / 1e6,
                "grad_per_iter": per_iter(t, "grad_calls"),
                "hvp_per_iter": per_iter(t, "hvp_calls"),
            })
    write(os.path.join(d, "summary.csv"), rows)


def scaling(d, cores):
    rows = []
    for p in sorted(glob.glob(os.path.join(d, "strong_*_np*.csv"))):
        size, m = re.match(r"strong_(\w+?)_np(\d+)\.csv", os.path.basename(p)).groups()
        t = read(p)
        rows.append({"size": size, "ranks": int(m), "iters": int(t["iter"][-1]),
                     "s_per_iter": per_iter(t, "time_s"),
                     "MB_per_iter": per_iter(t, "comm_bytes") / 1e6})
    for r in rows:
        t1 = next((q["s_per_iter"] for q in rows if q["size"] == r["size"] and q["ranks"] == 1),
                  float("nan"))
        comp = t1 / min(r["ranks"], cores)
        r["speedup"] = t1 / r["s_per_iter"]
        r["efficiency"] = r["speedup"] / r["ranks"]
        r["est_compute_s"] = comp
        r["est_comm_overhead_s"] = r["s_per_iter"] - comp
        r["est_comm_share"] = (r["s_per_iter"] - comp) / r["s_per_iter"]
    write(os.path.join(d, "strong_scaling.csv"), rows)

    rows = []
    for p in sorted(glob.glob(os.path.join(d, "weak_np*.csv"))):
        m = int(re.match(r"weak_np(\d+)\.csv", os.path.basename(p)).group(1))
        t = read(p)
        rows.append({"ranks": m, "iters": int(t["iter"][-1]), "s_per_iter": per_iter(t, "time_s"),
                     "MB_per_iter": per_iter(t, "comm_bytes") / 1e6})
    for r in rows:
        t1 = next((q["s_per_iter"] for q in rows if q["ranks"] == 1), float("nan"))
        r["efficiency"] = t1 / r["s_per_iter"]
        # with M > C ranks time-share the cores: the best possible is T_1 * M / C
        r["efficiency_vs_cores"] = t1 * max(1.0, r["ranks"] / cores) / r["s_per_iter"]
    write(os.path.join(d, "weak_scaling.csv"), rows)


def write(path, rows):
    if not rows:
        return
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="docs/experiments/distributed")
    ap.add_argument("--cores", type=int, default=2)
    a = ap.parse_args()
    plots(a.dir)
    summary(a.dir)
    scaling(a.dir, a.cores)


if __name__ == "__main__":
    main()
