#!/usr/bin/python3
"""Tables of bench/fused_pass_bench.cpp: the data pass against its library floor.

Reads Google Benchmark's JSON (one run, so that every ratio compares figures of one process)
and prints, per precision and n_train:
  - the pass: the best libxsmm block pass (the floor), Eigen per block, Eigen's full products
    and the project's DensePass, in GFLOP/s, with the project's fraction of the floor;
  - one F2BA outer iteration: the floor of its products, the real iteration, and their ratio.

    build/bilevel_bench --benchmark_filter='Floor|Pass|EigenFull|F2baOuter' \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
        --benchmark_out=fused.json --benchmark_out_format=json
    /usr/bin/python3 bench/fused_pass_table.py fused.json
"""

import json
import re
import sys
from collections import defaultdict


def load(path):
    with open(path) as fh:
        runs = json.load(fh)["benchmarks"]
    # Medians when repetitions were asked for, else the single runs.
    medians = [r for r in runs if r.get("aggregate_name") == "median"]
    rows = {}
    for r in medians or runs:
        name = r.get("run_name", r["name"]).replace("/real_time", "")
        rows[name] = r
    return rows


def parse(name):
    m = re.match(r"BM_(\w+?)(?:<(\w+)>)?/(\d+)(?:/(\d+))?$", name)
    if not m:
        return None
    kind, scalar, n, block = m.groups()
    return kind, scalar or "float", int(n), int(block) if block else None


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = load(argv[0])
    gflops = defaultdict(dict)   # (scalar, n) -> {label: GFLOP/s}
    ms = defaultdict(dict)       # (scalar, n) -> {label: ms}
    for name, r in rows.items():
        p = parse(name)
        if not p:
            continue
        kind, scalar, n, block = p
        rate = r.get("GFLOP/s")
        t = r["real_time"] * {"ms": 1, "us": 1e-3, "ns": 1e-6, "s": 1e3}[r.get("time_unit", "ms")]
        label = kind if block is None else f"{kind}/{block}"
        gflops[(scalar, n)][label] = rate
        ms[(scalar, n)][label] = t
    print("| precision | n_train | libxsmm floor (best block) | uint8 + libxsmm | Eigen per block (best) "
          "| Eigen full products | project pass | project / floor |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for key in sorted(gflops):
        g = gflops[key]
        best = max(((v, k) for k, v in g.items() if k.startswith("FloorXsmm/")), default=(None, None))
        u8 = max((v for k, v in g.items() if k.startswith("FloorXsmmU8/")), default=None)
        eig = max((v for k, v in g.items() if k.startswith("FloorEigen/")), default=None)
        fmt = lambda v: "-" if v is None else f"{v:.0f}"
        frac = "-" if best[0] is None or "Pass" not in g else f"{g['Pass'] / best[0]:.2f}"
        print(f"| {key[0]} | {key[1]} | {fmt(best[0])} ({best[1] or '-'}) | "
              f"{fmt(u8) if key[0] == 'float' else '-'} | {fmt(eig)} | {fmt(g.get('EigenFull'))} | "
              f"{fmt(g.get('Pass'))} | {frac} |")
    print()
    print("| precision | n_train | floor of the iteration's products | F2BA outer iteration | ratio |")
    print("|---|--:|--:|--:|--:|")
    for key in sorted(ms):
        t = ms[key]
        if "FloorF2ba" not in t or "F2baOuter" not in t:
            continue
        # BM_F2baOuter runs 3 outer iterations per benchmark iteration.
        outer = t["F2baOuter"] / 3
        print(f"| {key[0]} | {key[1]} | {t['FloorF2ba']:.1f} ms | {outer:.1f} ms | "
              f"{outer / t['FloorF2ba']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
