#!/usr/bin/env bash
# The f2ba paper's distributed experiment (Section 7.2, "distributed learnable regularization",
# Figure 2), reduced to what fits in about 20 minutes on a small machine: dist-f2ba (Algorithm 3),
# dist-aid (AID with distributed CG, vectors only) and aggitd (Xiao & Ji 2023), all with K = 10
# inner steps, on `learnreg` sharded over NP MPI ranks (default 4), on
#   st  synthetic-text, reduced (ST_SPEC, default synthetic-text:n=4000,d=30000; the paper uses
#       20 Newsgroups, which is not available offline: synthetic-text is generated at its scale)
#   fm  Fashion-MNIST, reduced (FM_OPTS, default n_train=8000, n_val=2000, n_test=2000)
# then a strong-scaling measurement (dist-f2ba on 1, 2, 4 ranks, same problem; on the reduced
# and on the full-size synthetic-text) and a weak-scaling one (n_train = WEAK_N0 x ranks).
#
# Step sizes: `bilevel tune` (one process: a distributed method's iterates on one rank equal
# those on many) over eta in ETA_GRID for every method and dataset, TUNE_ITERS outer iterations,
# scored by the final validation loss; for dist-f2ba then lam in LAM_GRID at the winning eta
# (the paper tunes eta in {1000, ..., 0.001} for all and lam in {10, 100, 1000} for F2BA).
# alpha, tau, N are the library's defaults (auto = 1/L_g etc.). The tuning horizon is short, so
# a comparison run that diverges (exit 3) is kept as DS_METHOD_diverged_etaE.csv and repeated
# with eta / 10, down to the smallest value of ETA_GRID.
#
# Writes, flat, under OUT_DIR (default docs/experiments/distributed):
#   tune_DS_METHOD.csv            every grid trial (options, score = final val_loss, time, status)
#   DS_METHOD.csv                 trace of the NP-rank run (DS = st, fm; METHOD = dist-f2ba,
#                                 dist-aid, aggitd), rank 0's CSV (comm_rounds, comm_bytes, ...)
#   strong_SIZE_npM.csv           dist-f2ba traces for the strong scaling (SIZE = st, stfull)
#   weak_npM.csv                  dist-f2ba traces for the weak scaling
#   DS_val_loss.png               three panels: val_loss vs time_s, comm_rounds, comm_bytes
#   summary.csv, strong_scaling.csv, weak_scaling.csv   (tools/plot_distributed.py)
# JSON summaries (run and tune) go to WORK_DIR (default a fresh mktemp -d), not to OUT_DIR.
#
# Usage: bash scripts/experiment_distributed.sh
# Environment: PHASES (default "tune compare strong weak plot"; without tune, the winning eta and
#   lam are read back from OUT_DIR/tune_*.csv of an earlier run), OUT_DIR, WORK_DIR, NP (4), CORES (2, used only by the analysis), ST_SPEC, FM_OPTS,
#   ITERS_ST (150), ITERS_FM (300), LOG_EVERY (5), TUNE (1/0, default 1), TUNE_ITERS (10),
#   ETA_GRID ("10000,1000,100,10"), LAM_GRID ("10,100,1000"), ETA_DEFAULT (1000, used when
#   TUNE=0), LAM_DEFAULT (100), SCALE_ITERS (20), STRONG_FULL (1/0, default 1: also the
#   full-size synthetic-text), FULL_ITERS (10), WEAK_N0 (1000), BUILD_DIR (build).
# The build is not run: BUILD_DIR/bilevel must exist and be built with MPI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PHASES=${PHASES:-"tune compare strong weak plot"}
OUT_DIR=${OUT_DIR:-docs/experiments/distributed}
WORK_DIR=${WORK_DIR:-$(mktemp -d /tmp/bilevel-distributed.XXXXXX)}
NP=${NP:-4}
CORES=${CORES:-2}
ST_SPEC=${ST_SPEC:-synthetic-text:n=4000,d=30000}
FM_OPTS=${FM_OPTS:-"-P n_train=8000 -P n_val=2000 -P n_test=2000"}
ITERS_ST=${ITERS_ST:-150}
ITERS_FM=${ITERS_FM:-300}
LOG_EVERY=${LOG_EVERY:-5}
TUNE=${TUNE:-1}
TUNE_ITERS=${TUNE_ITERS:-10}
ETA_GRID=${ETA_GRID:-10000,1000,100,10}
LAM_GRID=${LAM_GRID:-10,100,1000}
ETA_DEFAULT=${ETA_DEFAULT:-1000}
LAM_DEFAULT=${LAM_DEFAULT:-100}
SCALE_ITERS=${SCALE_ITERS:-20}
STRONG_FULL=${STRONG_FULL:-1}
FULL_ITERS=${FULL_ITERS:-10}
WEAK_N0=${WEAK_N0:-1000}
BUILD_DIR=${BUILD_DIR:-build}
BILEVEL="$BUILD_DIR/bilevel"
METHODS="dist-f2ba dist-aid aggitd"

[[ -x "$BILEVEL" ]] || { echo "missing $BILEVEL (build it first)" >&2; exit 1; }
mkdir -p "$OUT_DIR" "$WORK_DIR"
echo "outputs: $OUT_DIR; JSON summaries: $WORK_DIR" >&2

# Open MPI in a container: no CMA single-copy, more ranks than cores allowed.
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN=(mpirun --allow-run-as-root --oversubscribe)

problem_flags() {  # problem_flags DS: the learnreg -P flags of a dataset label
  case $1 in
    st) echo "-P dataset=$ST_SPEC" ;;
    stfull) echo "-P dataset=synthetic-text" ;;
    fm) echo "-P dataset=fashion-mnist $FM_OPTS" ;;
    *) echo "unknown dataset label $1" >&2; return 1 ;;
  esac
}

tune_csv() {  # tune_csv JSON CSV: the trials of a bilevel tune summary as CSV
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import csv, json, sys
s = json.load(open(sys.argv[1]))
keys = sorted({k for t in s["trials"] for k in t["values"]})
with open(sys.argv[2], "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(keys + ["score_val_loss", "iters", "time_s", "status", "best"])
    for t in s["trials"]:
        w.writerow([t["values"].get(k, "") for k in keys]
                   + [t.get("score"), t.get("iters"), t.get("time_s"), t.get("status"),
                      int(t["values"] == s.get("best_options"))])
EOF
}

has_phase() { [[ " $PHASES " == *" $1 "* ]]; }

csv_best() {  # csv_best CSV KEY: the winning value of KEY in a tune_*.csv written by tune_csv
  /usr/bin/python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["best"] == "1"]
if not rows:
    sys.exit("no winner in %s" % sys.argv[1])
print(rows[0][sys.argv[2]])' "$1" "$2"
}

best_value() {  # best_value JSON KEY: the winning value of KEY in a tune summary
  /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
if not s.get("best_options"):
    sys.exit("no trial of %s scored" % sys.argv[1])
print(s["best_options"][sys.argv[2]])' "$1" "$2"
}

declare -A ETA LAM
t0=$(date +%s)

# 1. Step sizes (one process, every core).
for ds in st fm; do
  # shellcheck disable=SC2046
  pf=$(problem_flags $ds)
  for m in $METHODS; do
    if [[ $TUNE == 1 ]] && has_phase tune; then
      fixed=(-A K=10)
      [[ $m == dist-f2ba ]] && fixed+=(-A "lam=$LAM_DEFAULT")
      s=$(date +%s)
      # shellcheck disable=SC2086
      "$BILEVEL" tune --problem learnreg $pf --algo "$m" "${fixed[@]}" -G "eta=$ETA_GRID" \
        --max-iters "$TUNE_ITERS" --no-diagnostics -q --summary "$WORK_DIR/tune_${ds}_$m.json"
      ETA[$ds.$m]=$(best_value "$WORK_DIR/tune_${ds}_$m.json" eta)
      tune_csv "$WORK_DIR/tune_${ds}_$m.json" "$OUT_DIR/tune_${ds}_$m.csv"
      if [[ $m == dist-f2ba ]]; then
        # shellcheck disable=SC2086
        "$BILEVEL" tune --problem learnreg $pf --algo "$m" -A K=10 -A "eta=${ETA[$ds.$m]}" \
          -G "lam=$LAM_GRID" --max-iters "$TUNE_ITERS" --no-diagnostics -q \
          --summary "$WORK_DIR/tune_${ds}_${m}_lam.json"
        LAM[$ds]=$(best_value "$WORK_DIR/tune_${ds}_${m}_lam.json" lam)
        tune_csv "$WORK_DIR/tune_${ds}_${m}_lam.json" "$OUT_DIR/tune_${ds}_${m}_lam.csv"
      fi
      echo "tune $ds $m: eta=${ETA[$ds.$m]}$([[ $m == dist-f2ba ]] && echo " lam=${LAM[$ds]}") ($(($(date +%s) - s)) s)" >&2
    elif [[ $TUNE == 1 ]]; then  # tuned by an earlier run of this script
      ETA[$ds.$m]=$(csv_best "$OUT_DIR/tune_${ds}_$m.csv" eta)
      [[ $m == dist-f2ba ]] && LAM[$ds]=$(csv_best "$OUT_DIR/tune_${ds}_${m}_lam.csv" lam)
      echo "tuned earlier, $ds $m: eta=${ETA[$ds.$m]}" >&2
    else
      ETA[$ds.$m]=$ETA_DEFAULT
      LAM[$ds]=$LAM_DEFAULT
    fi
  done
done

algo_flags() {  # algo_flags DS METHOD
  local f="-A K=10 -A eta=${ETA[$1.$2]}"
  [[ $2 == dist-f2ba ]] && f+=" -A lam=${LAM[$1]}"
  echo "$f"
}

mpi_run() {  # mpi_run NP OUT_CSV ITERS LOG_EVERY PROBLEM_FLAGS ALGO_FLAGS ALGO: one traced run
  local np=$1 csv=$2 iters=$3 every=$4 pf=$5 af=$6 algo=$7 s
  s=$(date +%s)
  # One data thread per rank: the ranks, not threads, share the cores.
  # shellcheck disable=SC2086
  "${MPIRUN[@]}" -np "$np" "$BILEVEL" run --problem learnreg $pf --algo "$algo" $af \
    --max-iters "$iters" --log-every "$every" --no-diagnostics --threads 1 -q \
    --trace "$csv" --summary "$WORK_DIR/$(basename "$csv" .csv).json" || [[ $? == 3 ]]
  echo "run $(basename "$csv"): $(($(date +%s) - s)) s wall" >&2
}

status_of() {  # status_of CSV: the status in the run's JSON summary
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' \
    "$WORK_DIR/$(basename "$1" .csv).json"
}

# 2. The comparison on NP ranks (a diverged run is repeated with eta / 10).
min_eta=$(tr , '\n' <<<"$ETA_GRID" | sort -g | head -1)
if has_phase compare; then
  rm -f "$OUT_DIR"/*_diverged_eta*.csv
  for ds in st fm; do
    iters=$ITERS_ST
    [[ $ds == fm ]] && iters=$ITERS_FM
    for m in $METHODS; do
      while true; do
        csv="$OUT_DIR/${ds}_$m.csv"
        mpi_run "$NP" "$csv" "$iters" "$LOG_EVERY" "$(problem_flags $ds)" "$(algo_flags $ds $m)" "$m"
        [[ $(status_of "$csv") == diverged ]] || break
        mv "$csv" "$OUT_DIR/${ds}_${m}_diverged_eta${ETA[$ds.$m]}.csv"
        awk -v e="${ETA[$ds.$m]}" -v lo="$min_eta" 'BEGIN { exit !(e / 10 >= lo) }' || break
        ETA[$ds.$m]=$(awk -v e="${ETA[$ds.$m]}" 'BEGIN { print e / 10 }')
        echo "$ds $m diverged: again with eta=${ETA[$ds.$m]}" >&2
      done
      echo "final $ds $m: $(algo_flags $ds $m)" >&2
    done
  done
fi

# 3. Strong scaling: dist-f2ba, same problem, 1, 2, 4 ranks (the st step sizes).
sizes="st"
[[ $STRONG_FULL == 1 ]] && sizes="st stfull"
has_phase strong || sizes=""
for size in $sizes; do
  iters=$SCALE_ITERS
  [[ $size == stfull ]] && iters=$FULL_ITERS
  for np in 1 2 4; do
    mpi_run "$np" "$OUT_DIR/strong_${size}_np$np.csv" "$iters" "$iters" "$(problem_flags $size)" \
      "-A K=10 -A eta=${ETA[st.dist-f2ba]} -A lam=${LAM[st]}" dist-f2ba
  done
done

# 4. Weak scaling: n_train = WEAK_N0 x ranks on one generated dataset (validation and test fixed).
wn=$((4 * WEAK_N0 + 2 * WEAK_N0))
has_phase weak && for np in 1 2 4; do
  mpi_run "$np" "$OUT_DIR/weak_np$np.csv" "$SCALE_ITERS" "$SCALE_ITERS" \
    "-P dataset=synthetic-text:n=$wn,d=30000 -P n_train=$((np * WEAK_N0)) -P n_val=$WEAK_N0 -P n_test=$WEAK_N0" \
    "-A K=10 -A eta=${ETA[st.dist-f2ba]} -A lam=${LAM[st]}" dist-f2ba
done

# 5. Figures and tables.
has_phase plot && /usr/bin/python3 tools/plot_distributed.py --dir "$OUT_DIR" --cores "$CORES"
echo "done in $(($(date +%s) - t0)) s" >&2
