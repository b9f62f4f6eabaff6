#!/usr/bin/python3
"""Plot a comparison of methods over seeds: median lines and shaded 20-80% bands.

Reads the bands.csv that `bilevel compare --out DIR` writes (columns method, x, then for
each y column <y>_n, <y>_q20, <y>_median, <y>_q80; empty fields where no run has a value)
and draws one panel per y column against x, one colour per method.

Example:
    /usr/bin/python3 tools/plot_compare.py out/bands.csv --out out/compare.png --x iter \
        --y val_loss,val_acc --log-y
`bilevel compare` runs it unless --no-plot. `--check` only tests that matplotlib imports.

Run it with Debian's /usr/bin/python3 (matplotlib comes from the Debian package).
Exits 2 with a one-line message for a missing or malformed file or missing matplotlib.
"""

import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_common  # noqa: E402  (same directory)
from plot_traces import write_atomically  # noqa: E402

PROG = "plot_compare.py"


def die(message):
    plot_common.die(PROG, message)


def import_pyplot():
    return plot_common.import_pyplot(PROG)


def number(text):
    return float(text) if text != "" else math.nan


def read_bands(path, ys):
    """{method: {"x": [...], y: {"q20": [...], "median": [...], "q80": [...]}}} in file order."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as e:
        die(f"cannot read '{path}': {e.strerror}")
    methods = {}
    for row in rows:
        try:
            m = methods.setdefault(row["method"], {"x": [], **{y: {"q20": [], "median": [],
                                                                  "q80": []} for y in ys}})
            m["x"].append(number(row["x"]))
            for y in ys:
                for part in ("q20", "median", "q80"):
                    m[y][part].append(number(row[f"{y}_{part}"]))
        except (KeyError, ValueError) as e:
            die(f"'{path}' is not a bilevel compare bands file ({e})")
    return methods


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("bands", nargs="?", help="bands.csv of bilevel compare")
    p.add_argument("--out", help="image to write (png, pdf or svg)")
    p.add_argument("--x", default="iter", help="the x column's name (axis label)")
    p.add_argument("--y", default="", help="y columns, a,b (one panel each)")
    p.add_argument("--log-y", action="store_true", help="log-scale y axes")
    p.add_argument("--check", action="store_true", help="only check that matplotlib imports")
    args = p.parse_args(argv)
    if not args.check and (not args.bands or not args.out or not args.y):
        die("give BANDS.csv --out FILE --y COLUMNS (or --check)")
    return args


def main(argv):
    args = parse_args(argv)
    plt = import_pyplot()
    if args.check:
        return 0
    ys = args.y.split(",")
    methods = read_bands(args.bands, ys)
    fig, axes = plt.subplots(1, len(ys), figsize=(5.5 * len(ys), 4.2), squeeze=False)
    for ax, y in zip(axes[0], ys):
        for i, (label, m) in enumerate(methods.items()):
            colour = f"C{i % 10}"
            ax.plot(m["x"], m[y]["median"], color=colour, label=label, linewidth=1.6)
            ax.fill_between(m["x"], m[y]["q20"], m[y]["q80"], color=colour, alpha=0.2,
                            linewidth=0)
        ax.set_xlabel(args.x)
        ax.set_ylabel(y)
        if args.log_y:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize="small")
    fig.suptitle("median and 20-80% band over seeds")
    fig.tight_layout()
    write_atomically(fig, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
