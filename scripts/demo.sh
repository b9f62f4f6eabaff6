#!/usr/bin/env bash
# The demo: install what is missing, build, then run data hyper-cleaning on Fashion-MNIST
# (20,000 training images, half of their labels replaced by another class; 5,000 clean
# validation and 10,000 test images) with F2BA, AID-CG, ITD and the no-cleaning baseline, each
# for the same wall-time budget; plot the validation loss against wall time and print a table.
#
# Settings, and why:
# - Inner step alpha = 0.1 for every method: the lower level's smoothness here is about 5.6,
#   so alpha >= 1 diverges, while the auto value 1/L_g (about 0.018) comes from a bound on
#   L_g that is 10 times too pessimistic.
# - Outer step eta = 1e5 for the three bilevel methods. g is a mean over n = 20,000 samples,
#   so each entry of the hypergradient with respect to a per-sample weight is O(1/n) and a
#   useful outer step is O(n) (hyperclean's auto step is n); 1e5 = 5 n was the best f2ba
#   step in a tuned run at this size. The three methods estimate the same hypergradient, and
#   aid-cg with 3e5 gained almost nothing per iteration over 1e5, so they share it.
# - f2ba: lam = 100 (the middle of the paper's {10, 100, 1000}) and tau = alpha/lam = 1e-3,
#   the paper's 1/(L_f + lam L_g) with the measured L_g = 1/alpha; K = 10 inner steps.
# - aid-cg: K = 10 inner steps, N = 10 warm-started CG updates (defaults). itd: K = 10.
# - baseline: x stays at 0 (every weight sigmoid(0) = 1/2: no cleaning), Nesterov's method on
#   the lower level so that it reaches y*(x0), the best that training on the corrupted set can
#   do, within the budget (GD with this kappa of about 2800 would not).
# - --no-diagnostics: the exact phi and ||grad phi|| need a Newton-CG solve per trace row,
#   far too slow at this size; the trace's val_loss is f at each method's own y.
# - precision=float32: the data passes run in single precision (the features as floats, the
#   per-row softmax arithmetic in double), 1.4x as fast as float64 per f2ba iteration here
#   (docs/PERFORMANCE.md), with the same validation loss to 8 digits after 20 iterations; the
#   tests that check exactness run in float64.
# - --log-every 1: an outer iteration takes 35-110 ms (tens of gradient calls over 20,000
#   images), so every iteration gives a few hundred rows per method.
#
# Writes, under OUT_DIR (default results/demo):
#   ALGO.csv   per-iteration trace       ALGO.json   run summary
#   val_loss_vs_time.png                 the comparison plot
#   table.md                             the summary table (also printed)
# Environment: OUT_DIR, TIME_BUDGET (seconds per method, default 30), BUILD_DIR (default build).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT_DIR=${OUT_DIR:-results/demo}
TIME_BUDGET=${TIME_BUDGET:-30}   # 4 methods x (30 s + ~4 s loading the data): about 2.5 minutes
BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR
ALGOS=(f2ba aid-cg itd baseline)
declare -A ALGO_OPTIONS=(
  [f2ba]="-A lam=100 -A K=10 -A alpha=0.1 -A tau=1e-3 -A eta=1e5"
  [aid-cg]="-A K=10 -A N=10 -A alpha=0.1 -A eta=1e5"
  [itd]="-A K=10 -A alpha=0.1 -A eta=1e5"
  [baseline]="-A K=10 -A alpha=0.1 -A inner=agd"
)
PROBLEM=hyperclean
PROBLEM_OPTIONS="-P dataset=fashion-mnist -P n_train=20000 -P n_val=5000 -P n_test=10000 -P precision=float32"
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
  echo "demo: running $algo on $PROBLEM (fashion-mnist) for $TIME_BUDGET s" >&2
  start=$EPOCHREALTIME
  # --max-iters is only a safety net: the time budget ends every run.
  # shellcheck disable=SC2086  # the options are words on purpose
  "$BILEVEL" run --problem "$PROBLEM" $PROBLEM_OPTIONS --algo "$algo" ${ALGO_OPTIONS[$algo]} \
      --time-limit "$TIME_BUDGET" --max-iters 1000000 --no-diagnostics --log-every 1 \
      --trace "$trace" --summary "$summary" --quiet \
    || fail "'$BILEVEL run --problem $PROBLEM --algo $algo' exited with status $?"
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "demo:   done in %.1f s\n", b - a }' >&2
  [[ -s "$trace" && -s "$summary" ]] || fail "$algo did not write $trace and $summary"
  traces+=("$trace")
  summaries+=("$summary")
done

plot="$OUT_DIR/val_loss_vs_time.png"
# Only this run's traces are plotted (not stale CSVs left in OUT_DIR by other runs).
"$PY" tools/plot_traces.py --x time_s --y val_loss \
    --title "hyper-cleaning, Fashion-MNIST (n = 20000, half the labels corrupted)" \
    --out "$plot" "${traces[@]}" \
  || fail "tools/plot_traces.py could not plot ${traces[*]}"

table="$OUT_DIR/table.md"
echo
"$PY" tools/summary_table.py --metrics val_loss,val_acc,test_acc --out "$table" \
    "${summaries[@]}" \
  || fail "tools/summary_table.py could not tabulate ${summaries[*]}"

echo
echo "demo: traces (*.csv) and summaries (*.json) are in $OUT_DIR; plot: $plot; table: $table"
