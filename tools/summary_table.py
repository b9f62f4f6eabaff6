#!/usr/bin/python3
"""Tabulate bilevel run summaries (one row per JSON file) as a Markdown table.

Run summaries are what `bilevel run --summary FILE.json` writes. Each row shows the method,
why it stopped, outer iterations, algorithm wall time, the time per outer iteration, counted
oracle calls (gradients +
Hessian-vector products + Hessians) and the final value of each requested problem metric
(from the summary's "metrics" object, i.e. the last trace row); a metric the problem does
not report is shown as '-'.

Example:
    /usr/bin/python3 tools/summary_table.py --metrics val_loss,val_acc,test_acc \
        --out results/demo/table.md results/demo/*.json

The table is printed on stdout and, with --out, also written to that file.
Exits 2 with a one-line message for a missing or malformed summary.
"""

import argparse
import json
import os
import sys

PROG = "summary_table.py"


def die(message):
    """Print one clear line and exit with status 2 (bad input)."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG,
                                description="Tabulate bilevel run summaries as Markdown.")
    p.add_argument("files", nargs="+", metavar="SUMMARY.json", help="run summaries")
    p.add_argument("--metrics", default="",
                   help="comma-separated problem metrics to show (e.g. val_loss,val_acc)")
    p.add_argument("--out", default=None, metavar="FILE.md", help="also write the table here")
    p.add_argument("--names", choices=("algo", "stem"), default="algo",
                   help="first column: the summary's algorithm name, or the file name without "
                        "its extension (to tell apart runs of one algorithm, e.g. f2sa-p for "
                        "several p)")
    return p.parse_args(argv)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def fmt(v, spec):
    return format(v, spec) if is_number(v) else "-"


def read_summary(path):
    try:
        with open(path) as fh:
            s = json.load(fh)
    except OSError as e:
        die(f"cannot read {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        die(f"{path}: malformed JSON: {e}")
    if not isinstance(s, dict):
        die(f"{path}: expected a JSON object (a bilevel run summary)")
    return s


def row(s, metrics, name):
    calls = sum(s.get(k) or 0 for k in ("grad_calls", "hvp_calls", "hess_calls"))
    values = s.get("metrics") or {}
    iters, time_s = s.get("iters"), s.get("time_s")
    per_iter = (1e3 * time_s / iters if is_number(iters) and is_number(time_s) and iters > 0
                else None)
    return [name, str(s.get("status", "?")), fmt(iters, "d"), fmt(time_s, ".1f"),
            fmt(per_iter, ".1f"), str(calls)] + [fmt(values.get(m), ".4f") for m in metrics]


def markdown(head, rows):
    """A Markdown table padded so that it also reads well as plain text."""
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    left = {0, 1}  # names left-aligned, numbers right-aligned

    def line(r):
        return "| " + " | ".join(c.ljust(w) if i in left else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(r, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i not in left else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), rule] + [line(r) for r in rows]) + "\n"


def main(argv):
    args = parse_args(argv)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    for path in args.files:
        if not os.path.isfile(path):
            die(f"no such file: {path}")
    rows = []
    for path in args.files:
        s = read_summary(path)
        name = (os.path.splitext(os.path.basename(path))[0] if args.names == "stem"
                else str(s.get("algo", "?")))
        rows.append(row(s, metrics, name))
    head = (["run" if args.names == "stem" else "algo", "status", "iters", "time [s]",
             "ms / iter", "oracle calls"] + [f"final {m}" for m in metrics])
    table = markdown(head, rows)
    sys.stdout.write(table)
    if args.out:
        tmp = f"{args.out}.tmp.{os.getpid()}"
        try:
            with open(tmp, "w") as fh:
                fh.write(table)
            os.replace(tmp, args.out)  # readers never see half a table
        except OSError as e:
            die(f"cannot write {args.out}: {e.strerror}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
