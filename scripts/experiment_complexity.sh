#!/usr/bin/env bash
# The complexity lab on the lower-bound instances (docs/experiments/complexity.md): each sweep
# runs one method on one hard-instance family over a range of eps (or kappa), every run stopped
# at the exact ||grad phi|| <= eps, and fits the log-log slope of its oracle calls; the table
# sets the measured exponents beside the papers' lower and upper bounds and beside the growth of
# the calls the instance's construction forces (chain_calls).
#
# Writes, under results/experiments/complexity/:
#   LABEL.csv / LABEL.json / LABEL.png / LABEL.txt   one `bilevel complexity` sweep each
#   slopes.md                                      the table of every sweep (in this order)
#
# Usage: bash scripts/experiment_complexity.sh
# Environment: BUILD_DIR (default build), ONLY (a regular expression: run only the sweeps whose
# label matches; the table still lists every sweep whose summary is in the directory).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${BUILD_DIR:-build}
ONLY=${ONLY:-.}
BUILD_DIR="$BUILD_DIR" bash scripts/build.sh >&2
BILEVEL="$BUILD_DIR/bilevel"
ROOT=results/experiments/complexity
mkdir -p "$ROOT"
start=$(date +%s)

LABELS=()
sweep() {  # LABEL, then the `bilevel complexity` arguments
  local label=$1
  shift
  LABELS+=("$label")
  [[ $label =~ $ONLY ]] || return 0
  echo "== $label: bilevel complexity $*" >&2
  local t0=$(date +%s)
  "$BILEVEL" complexity "$@" --csv "$ROOT/$label.csv" --summary "$ROOT/$label.json" \
    --plot "$ROOT/$label.png" > "$ROOT/$label.txt"
  grep '^fit' "$ROOT/$label.txt" >&2
  echo "   ($(($(date +%s) - t0)) s)" >&2
}

# --- deterministic oracles, eps sweeps ---------------------------------------------------------
# hard-carmon: T = floor(1/(1824 eps^2)) = 5, 21, 87, 350, 1403 links.
CARMON=(--problem hard-carmon --sweep eps=0.01:0.000625:5 --max-iters 2000000)
sweep carmon-f2ba "${CARMON[@]}" --algo f2ba
sweep carmon-aid-cg "${CARMON[@]}" --algo aid-cg
sweep carmon-itd "${CARMON[@]}" --algo itd
sweep carmon-f2sa "${CARMON[@]}" --algo f2sa -A regime=none -A k0=1000 -A xi=3

# hard-ji at kappa = 17 (n = 2): T grows like eps^-2, the forced calls T n + 2 with it.
JI_EPS=(--problem hard-ji -P kappa=17 --sweep eps=0.08:0.01:4 --max-iters 2000000)
sweep ji-eps-f2ba "${JI_EPS[@]}" --algo f2ba
sweep ji-eps-aid-cg "${JI_EPS[@]}" --algo aid-cg
sweep ji-eps-itd "${JI_EPS[@]}" --algo itd
sweep ji-eps-f2sa "${JI_EPS[@]}" --algo f2sa -A regime=none -A k0=1000 -A xi=3

# --- kappa sweeps: hard-ji at eps = 0.04, n = 2..7 (kappa = 4 n^2 + 1) --------------------------
# ITD's unrolled depth must grow with kappa for its hypergradient to be accurate (K = kappa/2);
# with the default K = 10 it stops converging at kappa >= 145.
JI_KAPPA=(--problem hard-ji -P eps=0.04 --tol 0.04 --sweep kappa=17,37,65,101,145,197
          --max-iters 2000000)
sweep ji-kappa-f2ba "${JI_KAPPA[@]}" --algo f2ba
sweep ji-kappa-aid-cg "${JI_KAPPA[@]}" --algo aid-cg
sweep ji-kappa-itd "${JI_KAPPA[@]}" --algo itd -A K=0.5*kappa

# --- stochastic oracles ------------------------------------------------------------------------
# hard-separable (the f2sa-p paper's construction): probability-p oracle for grad_x f with
# variance <= sigma^2 = 1, so p = (23 eps)^2 / ((23 eps)^2 + 1) ~ eps^2; two seeds per point.
SEP=(--problem hard-separable -P sigma=1 --sweep eps=0.01:0.00125:4 --seeds 2 --max-iters 5000000)
sweep sep-f2sa "${SEP[@]}" --algo f2sa -A regime=upper -A k0=1000 -A xi=3
for p in 1 2 4; do
  sweep "sep-f2sa-p$p" "${SEP[@]}" --algo f2sa-p -A p=$p -A eps=eps
done

# hard-arjevani: the same oracle on grad_y f, the chain in the lower level.
ARJ=(--problem hard-arjevani -P sigma=1 --sweep eps=0.01:0.00125:4 --seeds 2 --max-iters 5000000)
sweep arj-f2sa "${ARJ[@]}" --algo f2sa -A regime=upper -A k0=1000 -A xi=3
sweep arj-f2sa-p2 "${ARJ[@]}" --algo f2sa-p -A p=2 -A eps=eps

# hard-kwon's y*-aware oracle (variance <= sigma^2 on |y - F(x)| <= eps): p ~ eps^4.
KWON=(--problem hard-kwon -P sigma=0.001 --sweep eps=0.005:0.00125:3 --max-iters 5000000)
sweep kwon-f2ba "${KWON[@]}" --algo f2ba
sweep kwon-f2sa-p2 "${KWON[@]}" --algo f2sa-p -A p=2 -A eps=eps

# hard-ji-stoch: Theorem 2's oracle on g with sigma = 30 (p ~ eps^2 at these sizes).
sweep ji-stoch-f2sa --problem hard-ji-stoch -P kappa=17 -P sigma=30 --sweep eps=0.08:0.01:4 \
  --max-iters 5000000 --algo f2sa -A regime=both -A k0=1000 -A xi=3

# --- the table -----------------------------------------------------------------------------------
summaries=()
for label in "${LABELS[@]}"; do
  [[ -f "$ROOT/$label.json" ]] && summaries+=("$ROOT/$label.json")
done
/usr/bin/python3 tools/complexity_table.py "${summaries[@]}" > "$ROOT/slopes.md.tmp"
mv "$ROOT/slopes.md.tmp" "$ROOT/slopes.md"
cat "$ROOT/slopes.md"
echo "experiment_complexity: $(($(date +%s) - start)) s; results in $ROOT" >&2
