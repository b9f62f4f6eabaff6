#!/usr/bin/python3
"""Plot a complexity sweep: oracle calls against 1/eps (or the swept value), log-log.

Reads the summary JSON that `bilevel complexity --summary FILE.json` writes (keys described
in include/bilevel/io/complexity_output.hpp) and draws
  - every run that reached its tolerance (small dots; several per point with --seeds),
  - the mean over seeds of each point whose seeds all converged (large markers),
  - runs that spent their budget (crosses at the calls they spent: a lower bound on the cost),
  - the fitted power law (solid line, its exponent in the legend),
  - each reference exponent as a dashed line anchored at the first converged point, labelled
    with its exponent, bound and source.

Example:
    /usr/bin/python3 tools/plot_complexity.py complexity.json --out complexity.png
`bilevel complexity --plot FILE.png` runs it. `--check` only tests that matplotlib imports.

Run it with Debian's /usr/bin/python3 (matplotlib comes from the Debian package).
Exits 2 with a one-line message for a missing or malformed summary or missing matplotlib.
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plot_common  # noqa: E402  (same directory)
from plot_traces import write_atomically  # noqa: E402

PROG = "plot_complexity.py"


def die(message):
    plot_common.die(PROG, message)


def import_pyplot():
    return plot_common.import_pyplot(PROG)


def read_summary(path):
    try:
        with open(path, encoding="utf-8") as fh:
            summary = json.load(fh)
    except OSError as e:
        die(f"cannot read '{path}': {e.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        die(f"'{path}' is not JSON: {e}")
    for key in ("key", "fit_variable", "runs", "points", "fit", "references", "algo", "problem"):
        if key not in summary:
            die(f"'{path}' has no '{key}': not a bilevel complexity summary")
    return summary


def fit_x(summary, value):
    """The x of the fit for a swept value: 1/value for eps and tol, else the value."""
    return 1.0 / value if summary["fit_variable"].startswith("1/") else value


def variable_label(summary):
    var = summary["fit_variable"]
    return {"1/eps": r"$1/\epsilon$", "1/tol": r"$1/\mathrm{tol}$",
            "kappa": r"$\kappa$"}.get(var, var)


def main(argv):
    p = argparse.ArgumentParser(prog=PROG, description="Plot a bilevel complexity sweep.")
    p.add_argument("summary", nargs="?", metavar="SUMMARY.json")
    p.add_argument("--out", metavar="FILE.png", help="image to write (atomically)")
    p.add_argument("--check", action="store_true", help="only check that matplotlib imports")
    args = p.parse_args(argv)
    if args.check:
        import_pyplot()
        return 0
    if not args.summary or not args.out:
        die("give SUMMARY.json and --out FILE.png")

    summary = read_summary(args.summary)
    plt = import_pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5.0))

    converged = [(fit_x(summary, r["value"]), r["calls"]) for r in summary["runs"]
                 if r["converged"] and r["calls"] > 0]
    budget = [(fit_x(summary, r["value"]), r["calls"]) for r in summary["runs"]
              if not r["converged"] and r["calls"] > 0]
    means = sorted((pt["x"], pt["mean_calls"]) for pt in summary["points"]
                   if pt["mean_calls"] is not None and pt["mean_calls"] > 0)
    if converged and len(summary["runs"]) > len(summary["points"]):
        ax.plot(*zip(*converged), ".", color="0.55", markersize=5, label="runs (converged)")
    if budget:
        ax.plot(*zip(*budget), "x", color="tab:red", markersize=7,
                label="runs that spent the budget")
    # What the construction forces (the instance's chain_calls): every method must lie above.
    forced = sorted({(fit_x(summary, r["value"]), r["chain_calls"]) for r in summary["runs"]
                     if r.get("chain_calls") is not None and r["chain_calls"] > 0})
    if forced:
        ax.plot(*zip(*forced), "s--", color="0.35", markersize=5, linewidth=1,
                label="calls the construction forces (chain_calls)")
    if means:
        ax.plot(*zip(*means), "o", color="tab:blue", markersize=7,
                label="mean over seeds" if len(summary["runs"]) > len(summary["points"])
                else "converged runs")

    xs_all = [x for x, _ in converged + budget] or [fit_x(summary, v) for v in summary["values"]]
    lo, hi = min(xs_all), max(xs_all)
    fit = summary["fit"]
    if fit["ok"] and means:
        a, c = fit["exponent"], fit["log_constant"]
        f_lo, f_hi = means[0][0], means[-1][0]
        ax.plot([f_lo, f_hi], [math.exp(c) * f_lo ** a, math.exp(c) * f_hi ** a], "-",
                color="tab:blue", linewidth=1.8,
                label=(f"fit: exponent {a:.2f} ($R^2$ {fit['r2']:.3f})" if fit["r2"] is not None
                       else f"fit: exponent {a:.2f}")
                + (f", last two points {fit['last_exponent']:.2f}"
                   if fit.get("last_exponent") is not None else ""))
    if means:
        x0, y0 = means[0]
        styles = ["--", "-.", ":", (0, (5, 2, 1, 2))]
        # Not blue (the measurements) and not red (the budget crosses).
        colors = ["tab:green", "tab:purple", "tab:orange", "tab:brown", "tab:pink", "tab:olive"]
        for i, ref in enumerate(summary["references"]):
            b = ref["exponent"]
            ax.plot([lo, hi], [y0 * (lo / x0) ** b, y0 * (hi / x0) ** b],
                    linestyle=styles[i % len(styles)], color=colors[i % len(colors)],
                    linewidth=1.3,
                    label=f"{ref['bound']} bound, exponent {b:g}: {ref['formula']}\n"
                          f"   ({ref['source']})")
    if not (converged or budget):
        die("nothing to plot: no run made an oracle call")

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(variable_label(summary))
    ax.set_ylabel("oracle calls (grad + hvp + hess)")
    ax.set_title(f"{summary['algo']} on {summary['problem']}: calls vs "
                 f"{summary['fit_variable']}", fontsize=11)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    ax.legend(loc="upper left", fontsize=7, frameon=True)
    fig.tight_layout()
    write_atomically(fig, args.out)
    plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
