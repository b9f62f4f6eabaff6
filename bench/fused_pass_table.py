#!/usr/bin/python3
"""Tables of bench/fused_pass_bench.cpp: the data pass against its library floor.

Reads Google Benchmark's JSON (one run, so that every ratio compares figures of one process)
and prints, per precision and n_train:
  - the pass: the best libxsmm block pass (the floor), uint8 pixels converted per block, Eigen
    per block, Eigen's full products and the project's DensePass, in GFLOP/s, with the
    project's time over the floor's measured beside it (BM_PassVsFloor);
  - one F2BA outer iteration: the floor of its products, the real iteration, and their ratio
    (BM_F2baVsFloor, measured in pairs).

    build/bilevel_bench --benchmark_filter='Floor|Vs|EigenFull' \
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
    paired = defaultdict(dict)   # (scalar, n) -> {benchmark kind: its counters}
    for name, r in rows.items():
        p = parse(name)
        if not p:
            continue
        kind, scalar, n, block = p
        if kind.endswith("VsFloor"):
            paired[(scalar, n)][kind] = r
        else:
            gflops[(scalar, n)][kind if block is None else f"{kind}/{block}"] = r.get("GFLOP/s")
    fmt = lambda v, spec=".0f": "-" if v is None else format(v, spec)
    print("| precision | n_train | libxsmm floor (best block) | uint8 + libxsmm | Eigen per block "
          "(best) | Eigen full products | project pass | pass / paired floor |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for key in sorted(gflops):
        g, pv = gflops[key], paired[key].get("PassVsFloor", {})
        best = max(((v, k) for k, v in g.items() if k.startswith("FloorXsmm/")),
                   default=(None, None))
        u8 = max((v for k, v in g.items() if k.startswith("FloorXsmmU8/")), default=None)
        eig = max((v for k, v in g.items() if k.startswith("FloorEigen/")), default=None)
        frac = pv.get("floor_fraction")
        print(f"| {key[0]} | {key[1]} | {fmt(best[0])} (B = {best[1].split('/')[-1] if best[1] else '-'}) | "
              f"{fmt(u8)} | {fmt(eig)} | {fmt(g.get('EigenFull'))} | {fmt(pv.get('pass_GFLOP/s'))} | "
              f"{fmt(None if not frac else 1 / frac, '.2f')} |")
    print()
    print("| precision | n_train | floor of the iteration's products | F2BA outer iteration | ratio |")
    print("|---|--:|--:|--:|--:|")
    for key in sorted(paired):
        f = paired[key].get("F2baVsFloor")
        if f:
            print(f"| {key[0]} | {key[1]} | {f['floor_ms']:.1f} ms | {f['f2ba_ms']:.1f} ms | "
                  f"{f['ratio']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
