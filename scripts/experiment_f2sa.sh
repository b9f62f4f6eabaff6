#!/usr/bin/env bash
# The Kwon et al. slides' corrupted-labels experiment ("Classification with Corrupted Labels"):
# stochastic data hyper-cleaning with sigmoid weights, label corruption p = 0.1 and p = 0.3,
# minibatches of 50 and 500 samples; F2SA and F3SA (fully first-order) against the
# second-order stochastic methods stocBiO, MRBO and SOBA, and "without bilevel optimization"
# (baseline: the classifier trained on the corrupted set with equal weights); the validation
# loss against the samples touched, several seeds (each its own split and corruption) with
# 20-80% bands, through `bilevel compare` (docs/experiments/f2sa.md).
#
# The slides give neither the dataset nor the step sizes: we use Fashion-MNIST (installed by
# set-up) and every method's default options, batch sizes aside, so the figure also shows how
# the defaults behave. Each run gets the same wall-time budget; the x-axis is the samples its
# oracle calls touched (the trace column `samples`).
#
# Writes results/experiments/f2sa/SIZE/p{0.1,0.3}_b{50,500}/ (the compare outputs and
# compare.png: val_loss against samples).
#
# Usage: bash scripts/experiment_f2sa.sh [full|reduced]
#   full     5000 train / 1000 validation / 1000 test samples, RUN_S = 5 s per run, 5 seeds
#   reduced  300 / 100 / 100 samples, 0.3 s per run, 2 seeds, p = 0.3 and batch 50 only (CI)
# Environment: BUILD_DIR (default build), OUT (default results/experiments/f2sa/SIZE).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SIZE=${1:-full}
BUILD_DIR=${BUILD_DIR:-build}
case "$SIZE" in
  full)
    NTR=5000; NVAL=1000; NTEST=1000; RUN_S=5; SEEDS=5; RATES="0.1 0.3"; BATCHES="50 500"
    LOG_EVERY=10
    ;;
  reduced)
    NTR=300; NVAL=100; NTEST=100; RUN_S=0.3; SEEDS=2; RATES="0.3"; BATCHES="50"; LOG_EVERY=5
    ;;
  *)
    echo "experiment_f2sa.sh: unknown size '$SIZE' (give full or reduced)" >&2
    exit 2
    ;;
esac
OUT=${OUT:-results/experiments/f2sa/$SIZE}
# shellcheck source=lib.sh
source scripts/lib.sh
experiment_start experiment_f2sa.sh
start=$(date +%s)

for p in $RATES; do
  for b in $BATCHES; do
    batches=()
    for m in f2sa f3sa stocbio mrbo soba; do
      batches+=(-A "$m:batch_f=$b" -A "$m:batch_g=$b")
    done
    "$BILEVEL" compare --problem hyperclean -P dataset=fashion-mnist -P n_train=$NTR \
      -P n_val=$NVAL -P n_test=$NTEST -P corrupt="$p" -P weight=sigmoid -P c=1e-3 \
      --algo f2sa,f3sa,stocbio,mrbo,soba,baseline "${batches[@]}" --seeds "$SEEDS" \
      --max-iters 1000000000 --time-limit "$RUN_S" --no-diagnostics --log-every "$LOG_EVERY" \
      --x samples --y val_loss,test_acc --jobs 2 --quiet --out "$OUT/p${p}_b${b}"
  done
done
echo "f2sa experiment ($SIZE): done in $(( $(date +%s) - start )) s; results in $OUT" >&2
