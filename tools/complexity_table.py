#!/usr/bin/env python3
"""One markdown table from several `bilevel complexity --summary` files.

Usage: complexity_table.py SUMMARY.json... > slopes.md

One row per sweep: the method and its options, the instance and the swept key, how many points
converged, the fitted exponent of the oracle calls (and its R^2), the slope between the last
two points, the exponent of the calls the instance's construction forces (chain_calls), the
range of the ratio of measured to forced calls, and the papers' lower and upper bound exponents.
Standard library only, so it runs with any python3.
"""
import json
import math
import os
import sys


def fmt(v, digits=2):
    return "" if v is None else f"{v:.{digits}f}"


def forced_exponent(summary):
    """Least-squares slope of log(chain_calls) against log(fit x), one value per point."""
    pts = {}
    for r in summary["runs"]:
        c = r.get("chain_calls")
        if c is not None and c > 0:
            pts[r["value"]] = c
    if len(pts) < 2:
        return None
    inverse = summary["key"] in ("eps", "tol")
    xs = [math.log(1 / v if inverse else v) for v in pts]
    ys = [math.log(c) for c in pts.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx > 0 else None


def ratio_range(summary):
    """Smallest and largest measured / forced calls over the converged runs: every run must
    spend at least what the construction forces (ratio >= 1)."""
    ratios = [r["calls"] / r["chain_calls"] for r in summary["runs"]
              if r["converged"] and r.get("chain_calls")]
    return (min(ratios), max(ratios)) if ratios else None


def references(summary, bound):
    return ", ".join(f"{ref['exponent']:g}" for ref in summary["references"]
                     if ref["bound"] == bound)


def row(path, summary):
    label = os.path.splitext(os.path.basename(path))[0]
    opts = " ".join(f"{k}={v}" for k, v in summary["algo_options"].items())
    fixed = " ".join(f"{k}={v}" for k, v in summary["problem_options"].items()
                     if k in ("kappa", "sigma", "eps") and k != summary["key"])
    converged = sum(1 for p in summary["points"] if p["mean_calls"] is not None)
    fit = summary["fit"]
    seeds = summary.get("seeds", 1)
    ratios = ratio_range(summary)
    return "| " + " | ".join([
        label,
        f"`{summary['algo']}`" + (f" {opts}" if opts else ""),
        f"`{summary['problem']}`" + (f" {fixed}" if fixed else ""),
        f"{summary['fit_variable']}"
        + f" ({min(summary['values']):g}..{max(summary['values']):g})",
        f"{converged}/{len(summary['points'])}" + (f" x{seeds}" if seeds > 1 else ""),
        (fmt(fit["exponent"]) + f" ({fmt(fit['r2'], 3)})") if fit["ok"] else "none",
        fmt(fit.get("last_exponent")) if fit["ok"] else "",
        fmt(forced_exponent(summary)),
        "" if ratios is None else f"{ratios[0]:.3g}..{ratios[1]:.3g}",
        references(summary, "lower"),
        references(summary, "upper"),
    ]) + " |"


def main(paths):
    if not paths:
        sys.exit("complexity_table.py: give SUMMARY.json files")
    print("| sweep | method | instance | variable (range) | converged | exponent (R^2) "
          "| last two | forced | calls / forced | lower bound | upper bound |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            print(row(path, json.load(fh)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
