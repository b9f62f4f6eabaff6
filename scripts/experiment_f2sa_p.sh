#!/usr/bin/env bash
# The f2sa-p paper's learn-to-regularize study (section 5, Figure 1), reproduced with the
# project's methods: F2SA-p for several p against F2SA, stocBiO, MRBO, VRBO and an
# unregularized baseline, K = 10 inner steps, T outer steps, every method's step sizes chosen
# by a log-10 grid search (`bilevel tune`) on the validation loss, then one run with the
# winning options. Writes, under results/experiments/f2sa-p/SETTING/:
#   tune_METHOD.json   every grid trial of METHOD and the winner
#   METHOD.csv/.json   the final run's trace and summary
#   test_loss.png, test_acc.png, val_loss.png   the curves against outer iterations
#   table.md           final metrics, oracle calls and time per method
#
# Usage: bash scripts/experiment_f2sa_p.sh [SETTING]   (default: a9a)
#   a9a   real data: LIBSVM a9a (adult income, 123 binary features), 1000 training and 1000
#         validation samples (few enough for the regularizer to matter), 10000 test samples.
#   text  synthetic-text (the 20 Newsgroups stand-in, see docs/datasets.md) at a reduced
#         scale: 4000 documents x 20000 features, 1000 train / 1000 validation / 2000 test.
# Environment: T (outer steps, default 1000), T_TUNE (outer steps of each grid trial, default
# T: a shorter search favours steps that diverge later), P_LIST (default "1 2 3 5 8 10"),
# GRID (full or outer, see below), METHODS (labels to run, default all), BUILD_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SETTING=${1:-a9a}
T=${T:-1000}
T_TUNE=${T_TUNE:-$T}
P_LIST=${P_LIST:-"1 2 3 5 8 10"}
BUILD_DIR=${BUILD_DIR:-build}

case "$SETTING" in
  a9a)
    PROBLEM=(-P dataset=a9a -P n_train=1000 -P n_val=1000 -P n_test=10000)
    BATCH=100
    GRID=${GRID:-full}
    ;;
  text)
    PROBLEM=(-P "dataset=synthetic-text:n=4000,d=20000" -P n_train=1000 -P n_val=1000
             -P n_test=2000)
    BATCH=100
    GRID=${GRID:-outer}
    ;;
  *)
    echo "experiment_f2sa_p.sh: unknown setting '$SETTING' (give a9a or text)" >&2
    exit 2
    ;;
esac

BUILD_DIR="$BUILD_DIR" bash scripts/build.sh >&2
BILEVEL="$BUILD_DIR/bilevel"
OUT=results/experiments/f2sa-p/$SETTING
mkdir -p "$OUT"

# Method table: label, algorithm, fixed options, grid axes. Every stochastic method sees
# minibatches of BATCH samples at both levels and K = 10 inner steps per outer step.
# GRID=full (a9a's default) searches every step size over decades, as the paper did;
# GRID=outer (text's default: one trial there costs minutes) searches only the outer step
# over three decades, the inner settings fixed at values that train the text model stably.
declare -a LABELS ALGOS FIXED GRIDS
add() { LABELS+=("$1"); ALGOS+=("$2"); FIXED+=("$3"); GRIDS+=("$4"); }
mb="-A batch_f=$BATCH -A batch_g=$BATCH"
for p in $P_LIST; do
  if [[ $GRID == full ]]; then
    add "f2sa-p$p" f2sa-p "-A p=$p -A K=10 -A S=$BATCH -A batch_y=$BATCH" \
        "-G eta_x=1e-3:1 -G eta_y=1e-2:1 -G nu=1e-3:1"
  else
    add "f2sa-p$p" f2sa-p "-A p=$p -A K=10 -A S=$BATCH -A batch_y=$BATCH -A eta_y=1 -A nu=0.1" \
        "-G eta_x=1e-2:1"
  fi
done
if [[ $GRID == full ]]; then
  add f2sa f2sa "-A T=10 -A gamma0=0.1 $mb -A regime=both" \
      "-G alpha0=1e-3:1 -G lam0=1:100 -G xi=1:1000"
  add stocbio stocbio "-A K=10 -A Q=10 $mb" "-G alpha=1e-2:1 -G beta=1e-2:1e3 -G eta_N=1e-2:1"
  add mrbo mrbo "-A K=10 -A Q=10 -A eta_N=1 $mb" "-G alpha=1e-2:1 -G beta=1e-2:1e3"
  add vrbo vrbo "-A K=10 -A Q=10 -A eta_N=1 $mb" "-G alpha=1e-2:1 -G beta=1e-2:1e3"
  # "w/o Reg": x stays at a negligible regularization, the lower level trains alone.
  add no-reg baseline "-A K=10" "-G alpha=1e-2:10"
else
  add f2sa f2sa "-A T=10 -A gamma0=1 -A alpha0=1 -A lam0=10 $mb -A regime=both" "-G xi=1:1e4"
  # vrbo is left out here: one of its iterations costs about 3 s at this scale (its K
  # corrections each make 2Q + 2 products), 15 minutes per trial.
  for m in stocbio mrbo; do
    add "$m" "$m" "-A K=10 -A Q=10 -A alpha=1 -A eta_N=1 $mb" "-G beta=1:1e4"
  done
  add no-reg baseline "-A K=10" "-G alpha=1:100"
fi

selected() {
  [[ -z "${METHODS:-}" ]] && return 0
  for m in $METHODS; do [[ "$m" == "$1" ]] && return 0; done
  return 1
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh  # best_flags

for i in "${!LABELS[@]}"; do
  label=${LABELS[$i]}
  selected "$label" || continue
  extra=()
  [[ "$label" == no-reg ]] && extra=(-P reg0=1e-8)
  echo "== $label: grid search (${T_TUNE} outer steps per trial)" >&2
  # shellcheck disable=SC2086  # FIXED and GRIDS are flag lists
  "$BILEVEL" tune --problem learnreg "${PROBLEM[@]}" "${extra[@]}" --algo "${ALGOS[$i]}" \
    ${FIXED[$i]} ${GRIDS[$i]} --max-iters "$T_TUNE" --no-diagnostics --quiet \
    --summary "$OUT/tune_$label.json" >&2
  flags=$(best_flags "$OUT/tune_$label.json")
  echo "== $label: final run with $flags" >&2
  # shellcheck disable=SC2086
  "$BILEVEL" run --problem learnreg "${PROBLEM[@]}" "${extra[@]}" --algo "${ALGOS[$i]}" \
    ${FIXED[$i]} $flags --max-iters "$T" --log-every 10 --no-diagnostics --quiet \
    --trace "$OUT/$label.csv" --summary "$OUT/$label.json" ||
    [[ $? == 3 ]]  # a diverged run (exit 3) is a result: its trace and summary are written
done

# Curves of every method run so far in this setting, against outer iterations (Figure 1).
csvs=("$OUT"/*.csv)
for col in test_loss test_acc val_loss; do
  /usr/bin/python3 tools/plot_traces.py --x iter --y "$col" --out "$OUT/$col.png" "${csvs[@]}"
done
/usr/bin/python3 tools/summary_table.py --names stem --metrics val_loss,test_loss,test_acc \
  --out "$OUT/table.md" $(ls "$OUT"/*.json | grep -v '/tune_')
