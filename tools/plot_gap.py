#!/usr/bin/env python3
"""The f2ba paper's Figure 1 axes from a `bilevel compare` runs.csv: the gap
y - f_star[seed] of every run (f_star per seed: each seed has its own split and corruption)
against x, resampled onto a common grid as `bilevel compare` resamples (a run's value at a
grid point is its last record at or before it; none before its first record or after its
last), median line and 20-80% band (np.quantile, linear) per method, log-scale y.

usage: plot_gap.py RUNS.csv FSTAR.json OUT.png --x time_s --y phi [--title T] [--points 100]
FSTAR.json maps each seed (as text) to its f_star. Gaps below `floor` (1e-8 of f_star) are
drawn at the floor, so that a run reaching f_star stays on the log scale."""

import argparse
import csv
import json
import sys

from plot_common import die, import_pyplot

PROG = "plot_gap.py"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("fstar")
    ap.add_argument("out")
    ap.add_argument("--x", default="time_s")
    ap.add_argument("--y", default="phi")
    ap.add_argument("--title", default="")
    ap.add_argument("--points", type=int, default=100)
    a = ap.parse_args()
    import numpy as np

    fstar = {int(k): float(v) for k, v in json.load(open(a.fstar)).items()}
    runs = {}  # (method, seed) -> (xs, ys)
    order = []
    with open(a.runs, newline="") as f:
        for row in csv.DictReader(f):
            if row[a.y] == "":
                continue
            key = (row["method"], int(row["seed"]))
            if key not in runs:
                runs[key] = ([], [])
                if row["method"] not in order:
                    order.append(row["method"])
            runs[key][0].append(float(row[a.x]))
            runs[key][1].append(float(row[a.y]) - fstar[key[1]])
    if not runs:
        die(PROG, "no records with a %s value in %s" % (a.y, a.runs))
    lo = min(xs[0] for xs, _ in runs.values())
    hi = max(xs[-1] for xs, _ in runs.values())
    grid = np.linspace(lo, hi, a.points)
    floor = 1e-8 * max(abs(v) for v in fstar.values())
    plt = import_pyplot(PROG)
    fig, ax = plt.subplots(figsize=(6, 4))
    for method in order:
        curves = []
        for (m, seed), (xs, ys) in runs.items():
            if m != method:
                continue
            xs, ys = np.array(xs), np.maximum(np.array(ys), floor)
            idx = np.searchsorted(xs, grid, side="right") - 1
            vals = np.where((idx >= 0) & (grid <= xs[-1]), ys[np.clip(idx, 0, None)], np.nan)
            curves.append(vals)
        c = np.array(curves)
        ok = ~np.all(np.isnan(c), axis=0)
        q = np.full((3, len(grid)), np.nan)
        q[:, ok] = np.nanquantile(c[:, ok], [0.2, 0.5, 0.8], axis=0)
        line, = ax.plot(grid, q[1], label=method)
        ax.fill_between(grid, q[0], q[2], color=line.get_color(), alpha=0.25, linewidth=0)
    ax.set_yscale("log")
    ax.set_xlabel(a.x.replace("time_s", "time (s)"))
    ax.set_ylabel("%s - f*  (median, 20-80%% band)" % a.y)
    if a.title:
        ax.set_title(a.title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out + ".tmp.png", dpi=110)
    import os
    os.replace(a.out + ".tmp.png", a.out)


if __name__ == "__main__":
    sys.exit(main())
