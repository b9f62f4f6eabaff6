#!/usr/bin/env bash
# The demo: install what is missing, build, then run F2BA, AID-CG and ITD on the `quadratic`
# problem (defaults: dx = dy = 20, kappa = L/mu = 10), plot ||grad phi(x_t)|| against oracle
# calls and print a summary table.
#
# Each method runs with the setting that suits a target accuracy of about 1e-3: f2ba with
# lam = 1e4 (its stationary point sits O(1/lam) away from stationarity of phi: about 3e-3
# here), itd unrolling K = 100 steps (its derivative misses a factor (1 - mu/L)^K), aid-cg with
# its defaults (warm-started CG leaves no bias).
#
# Writes, under OUT_DIR (default results/demo):
#   ALGO.csv   per-iteration trace       ALGO.json   run summary
#   hypergrad_vs_oracles.png             the comparison plot
# Environment: OUT_DIR, MAX_ITERS (default 2000), BUILD_DIR (default build).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT_DIR=${OUT_DIR:-results/demo}
MAX_ITERS=${MAX_ITERS:-1000}   # well under a second per method on the default quadratic
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
ALGOS=(f2ba aid-cg itd)
declare -A ALGO_OPTIONS=([f2ba]="-A lam=1e4" [aid-cg]="" [itd]="-A K=100")
PROBLEM=quadratic
# Debian's python: the one that sees python3-matplotlib and python3-numpy.
PY=/usr/bin/python3

fail() {
  echo "demo: FAILED: $*" >&2
  exit 1
}

bash scripts/setup.sh || fail "scripts/setup.sh could not install the required packages"
bash scripts/build.sh || fail "the build failed (see the compiler output above)"

BILEVEL="$BUILD_DIR/bilevel"
[[ -x "$BILEVEL" ]] || fail "$BILEVEL was not built"

mkdir -p "$OUT_DIR"

traces=()
summaries=()
for algo in "${ALGOS[@]}"; do
  trace="$OUT_DIR/$algo.csv"
  summary="$OUT_DIR/$algo.json"
  echo "demo: running $algo on $PROBLEM ($MAX_ITERS iterations at most)" >&2
  start=$EPOCHREALTIME
  # shellcheck disable=SC2086  # the options are words on purpose
  "$BILEVEL" run --problem "$PROBLEM" --algo "$algo" ${ALGO_OPTIONS[$algo]} --max-iters "$MAX_ITERS" \
      --trace "$trace" --summary "$summary" --quiet \
    || fail "'$BILEVEL run --problem $PROBLEM --algo $algo' exited with status $?"
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "demo:   done in %.2f s\n", b - a }' >&2
  [[ -s "$trace" && -s "$summary" ]] || fail "$algo did not write $trace and $summary"
  traces+=("$trace")
  summaries+=("$summary")
done

plot="$OUT_DIR/hypergrad_vs_oracles.png"
# Only this run's traces are plotted (not stale CSVs left in OUT_DIR by other runs).
"$PY" tools/plot_traces.py --x grad_calls+hvp_calls --y hypergrad_norm --logy \
    --title "$PROBLEM: true hypergradient norm vs oracle calls" \
    --out "$plot" "${traces[@]}" \
  || fail "tools/plot_traces.py could not plot ${traces[*]}"

# The summary table, read from the JSON summaries (python's json: no jq dependency).
"$PY" - "${summaries[@]}" <<'PYEOF' || fail "could not read the run summaries"
import json, sys

def num(v, fmt):
    return format(v, fmt) if isinstance(v, (int, float)) and not isinstance(v, bool) else "-"

rows = []
for path in sys.argv[1:]:
    with open(path) as fh:
        s = json.load(fh)
    calls = sum(s.get(k) or 0 for k in ("grad_calls", "hvp_calls", "hess_calls"))
    rows.append((str(s.get("algo", "?")), str(s.get("status", "?")), num(s.get("iters"), "d"),
                 num(s.get("grad_calls"), "d"), num(s.get("hvp_calls"), "d"), str(calls),
                 num(s.get("hypergrad_norm"), ".3e")))
head = ("algo", "status", "iters", "grad", "hvp", "oracle calls", "final ||grad phi||")
widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
line = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                           for i, (c, w) in enumerate(zip(r, widths)))
print(line(head))
print("  ".join("-" * w for w in widths))
for r in rows:
    print(line(r))
PYEOF

echo
echo "demo: traces (*.csv) and summaries (*.json) are in $OUT_DIR; plot: $plot"
