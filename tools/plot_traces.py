#!/usr/bin/python3
"""Plot one column of bilevel trace CSVs against another, one line per file.

Trace CSVs are what `bilevel run --trace FILE.csv` writes. Their header starts with
    iter,time_s,grad_calls,hvp_calls,hess_calls,samples,phi,hypergrad_norm
followed by optional problem metrics (val_loss, val_acc, ...). Empty fields are missing values.

The x axis may be a column or a sum of columns joined by '+', so methods with different oracle
mixes can be compared under one cost, e.g. --x grad_calls+hvp_calls.

Example:
    /usr/bin/python3 tools/plot_traces.py --x time_s --y val_loss \
        --out results/demo/val_loss_vs_time.png results/demo/*.csv

Run it with Debian's /usr/bin/python3 (matplotlib and numpy come from Debian packages).
Exits 2 with a one-line message for a missing file, an unknown column or a malformed CSV.
"""

import argparse
import csv
import math
import os
import sys
import tempfile

PROG = "plot_traces.py"

# Axis-label descriptions for the contract columns (the column name is always shown too).
DESCRIPTIONS = {
    "iter": "iteration",
    "time_s": "wall time [s]",
    "grad_calls": "gradient calls",
    "hvp_calls": "Hessian-vector products",
    "hess_calls": "Hessian evaluations",
    "samples": "samples touched",
    "phi": r"$\varphi(x)$",
    "hypergrad_norm": r"$\|\nabla\varphi(x)\|$",
    "min_eig": r"$\lambda_{\min}(\nabla^2\varphi(x))$",  # with bilevel run --min-eig
    # Metrics of the classification problems (hyperclean, learnreg).
    "val_loss": "validation loss",
    "val_acc": "validation accuracy",
    "test_loss": "test loss",
    "test_acc": "test accuracy",
}


def die(message):
    """Print one clear line and exit with status 2 (bad input)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Plot bilevel trace CSVs (one line per file) and write a PNG.")
    p.add_argument("files", nargs="+", metavar="TRACE.csv", help="trace CSV files")
    p.add_argument("--x", default="iter",
                   help="x column, or columns summed with '+' (default: iter), "
                        "e.g. grad_calls+hvp_calls")
    p.add_argument("--y", default="hypergrad_norm",
                   help="y column (default: hypergrad_norm)")
    p.add_argument("--labels", default=None,
                   help="comma-separated legend labels, one per file (default: file stems)")
    p.add_argument("--logx", action="store_true", help="logarithmic x axis")
    p.add_argument("--logy", action="store_true", help="logarithmic y axis")
    p.add_argument("--ylim", default=None, metavar="LO:HI",
                   help="y range, e.g. 0.29:0.36 (default: all values)")
    p.add_argument("--title", default=None, help="plot title")
    p.add_argument("--out", required=True, metavar="FILE.png", help="output image (PNG)")
    return p.parse_args(argv)


def parse_float(text, path, line, column):
    """A CSV field as a float; empty means missing (NaN); non-finite values are missing too."""
    text = text.strip()
    if text == "":
        return math.nan
    try:
        value = float(text)
    except ValueError:
        die(f"{path}:{line}: column '{column}' has non-numeric value '{text}'")
    return value if math.isfinite(value) else math.nan


def read_trace(path, columns):
    """Read the given columns of one trace CSV as lists of floats (NaN for missing values)."""
    if not os.path.isfile(path):
        die(f"no such file: {path}")
    try:
        with open(path, newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                die(f"{path}: empty file (expected a CSV header)")
            header = [h.strip() for h in header]
            for c in columns:
                if c not in header:
                    die(f"{path}: unknown column '{c}' (columns: {','.join(header)})")
            index = {c: header.index(c) for c in columns}
            data = {c: [] for c in columns}
            for line, row in enumerate(reader, start=2):
                if not row or all(not f.strip() for f in row):
                    continue  # tolerate blank lines (e.g. a trailing newline)
                if len(row) > len(header):
                    die(f"{path}:{line}: {len(row)} fields but the header has {len(header)}")
                for c in columns:
                    i = index[c]
                    # A short row leaves its trailing optional columns missing.
                    data[c].append(parse_float(row[i], path, line, c) if i < len(row)
                                   else math.nan)
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    except (csv.Error, UnicodeDecodeError) as e:
        die(f"{path}: malformed CSV: {e}")
    return data


def axis_label(spec_columns):
    """'grad_calls + hvp_calls' plus a readable description for a single known column."""
    label = " + ".join(spec_columns)
    if len(spec_columns) == 1 and spec_columns[0] in DESCRIPTIONS:
        label += f"  ({DESCRIPTIONS[spec_columns[0]]})"
    elif len(spec_columns) > 1 and all(c.endswith("_calls") for c in spec_columns):
        label += "  (oracle calls)"
    return label


def write_atomically(fig, out):
    """Save to a temporary file next to `out`, then rename it: readers never see a partial
    image, and an existing `out` is left intact if saving fails."""
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    ext = os.path.splitext(out)[1].lower().lstrip(".")
    fmt = ext if ext in ("png", "pdf", "svg") else "png"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=os.path.basename(out) + ".tmp.",
                               suffix="." + fmt)
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=120)
        # mkstemp creates the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def main(argv):
    args = parse_args(argv)

    x_columns = [c.strip() for c in args.x.split("+")]
    if any(c == "" for c in x_columns):
        die(f"bad --x '{args.x}': expected a column name or names joined by '+'")
    y_column = args.y.strip()
    if y_column == "" or "+" in y_column:
        die(f"bad --y '{args.y}': expected one column name")

    ylim = None
    if args.ylim is not None:
        try:
            lo, hi = (float(v) for v in args.ylim.split(":"))
        except ValueError:
            die(f"bad --ylim '{args.ylim}': expected LO:HI, two numbers")
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            die(f"bad --ylim '{args.ylim}': expected finite LO < HI")
        ylim = (lo, hi)

    if args.labels is not None:
        labels = [s.strip() for s in args.labels.split(",")]
        if len(labels) != len(args.files):
            die(f"--labels has {len(labels)} labels but {len(args.files)} files were given")
    else:
        labels = [os.path.splitext(os.path.basename(f))[0] for f in args.files]

    # Read everything before importing matplotlib: bad input is reported fast.
    needed = list(dict.fromkeys(x_columns + [y_column]))
    traces = [read_trace(f, needed) for f in args.files]

    try:
        import matplotlib
        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"{PROG}: error: matplotlib is not available to {sys.executable}; run with "
              "/usr/bin/python3 (bash scripts/setup.sh installs python3-matplotlib)",
              file=sys.stderr)
        sys.exit(2)

    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    plotted = 0
    for path, label, data in zip(args.files, labels, traces):
        xs = [sum(vals) for vals in zip(*(data[c] for c in x_columns))]  # NaN if any is NaN
        ys = data[y_column]
        # Points that cannot be shown on a log axis are dropped (instead of being clipped).
        points = [(x, y) for x, y in zip(xs, ys)
                  if not math.isnan(x) and not math.isnan(y)
                  and not (args.logx and x <= 0) and not (args.logy and y <= 0)]
        if not points:
            print(f"{PROG}: warning: {path}: no plottable ({args.x}, {y_column}) values",
                  file=sys.stderr)
            continue
        # Ten colours, then the same colours dashed: more than ten lines stay distinguishable.
        style = "-" if plotted < 10 else "--"
        ax.plot([p[0] for p in points], [p[1] for p in points], style, label=label,
                linewidth=1.6)
        plotted += 1
    if plotted == 0:
        die("nothing to plot: no file has values in both columns")

    if ylim is not None:
        ax.set_ylim(*ylim)
    if args.logx:
        ax.set_xscale("log")
    if args.logy:
        ax.set_yscale("log")
    ax.set_xlabel(axis_label(x_columns))
    ax.set_ylabel(axis_label([y_column]))
    if args.title:
        ax.set_title(args.title)
    ax.grid(True, which="major", alpha=0.35)
    if args.logy:
        ax.grid(True, which="minor", axis="y", alpha=0.12)
    ax.legend(loc="best", frameon=True)
    fig.tight_layout()
    write_atomically(fig, args.out)
    plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
