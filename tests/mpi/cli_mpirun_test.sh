#!/bin/bash
# `bilevel run` under mpirun (ctest Mpi.Cli): usage cli_mpirun_test.sh BILEVEL MPIEXEC.
#  1. A run on 2 ranks prints one report, and rank 0 writes one trace whose phi and validation
#     loss are those of the same run in one process (the problem sharded, the values computed
#     across ranks).
#  2. One rank cannot read its shard: every rank ends non-zero within seconds, with one line
#     naming the rank and the error (no rank left waiting in a collective).
#  3. A method that does not run distributed, and `tune`, are refused with one message.
set -u
bilevel=$1
mpiexec=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
fail() {
  echo "FAIL: $*"
  for f in "$dir"/*; do echo "--- $f"; head -c 3000 "$f"; done
  exit 1
}
mpi() { "$mpiexec" --allow-run-as-root --oversubscribe "$@"; }

args=(run --problem learnreg -P corrupt=0.2 --algo f2ba --max-iters 10)
"$bilevel" "${args[@]}" --quiet --trace "$dir/serial.csv" || fail "serial run"
mpi -np 2 "$bilevel" "${args[@]}" --trace "$dir/dist.csv" --summary "$dir/dist.json" \
  >"$dir/out" 2>"$dir/err" || fail "the run on 2 ranks"
grep -q '"ranks": 2' "$dir/dist.json" || fail "the summary does not say 2 ranks"
calls=$(tail -1 "$dir/dist.csv" | awk -F, '{print $3 + $4 + $5}')
grep -q "\"oracle_calls_all_ranks\": $((2 * calls))," "$dir/dist.json" ||
  fail "the summary's total over ranks is not twice rank 0's $calls calls"
[ "$(grep -c max_iterations "$dir/out")" -eq 1 ] || fail "the report is not printed once"
# serial: phi is column 7, val_loss 9; distributed: comm_rounds, comm_bytes come in at 9, 10.
paste -d, "$dir/serial.csv" "$dir/dist.csv" | awk -F, '
  NR == 1 { if ($7 != "phi" || $21 != "comm_rounds" || $23 != "val_loss") bad = "header"; next }
  function rel(a, b) { d = a - b; if (d < 0) d = -d; if (b < 0) b = -b; return d / (b + 1e-300) }
  { if (rel($19, $7) > 1e-9 || rel($23, $9) > 1e-11) bad = bad " row " NR ": " $7 " " $19 " " $9 " " $23 }
  END { if (bad != "") { print bad; exit 1 } if (NR != 12) { print "rows " NR; exit 1 } }' ||
  fail "the distributed trace differs from the serial one"

start=$(date +%s)
timeout 60 "$mpiexec" --allow-run-as-root --oversubscribe \
  -np 1 "$bilevel" run --problem learnreg --algo f2ba : \
  -np 1 "$bilevel" run --problem learnreg --algo f2ba -P "dataset=libsvm:$dir/missing" \
  >"$dir/out2" 2>"$dir/err2"
rc=$?
elapsed=$(($(date +%s) - start))
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a rank failing to load its shard: exit code $rc"
[ "$elapsed" -lt 30 ] || fail "the ranks took $elapsed s to end"
[ "$(grep -c '^bilevel: error: rank 1: .*missing' "$dir/err2")" -eq 1 ] ||
  fail "not one message naming rank 1 and the file"

mpi -np 2 "$bilevel" run --problem quadratic --algo aid-cg >"$dir/out3" 2>"$dir/err3" &&
  fail "aid-cg ran on 2 ranks"
[ "$(grep -c 'does not run on several ranks' "$dir/err3")" -eq 1 ] ||
  fail "not one message refusing aid-cg"
mpi -np 2 "$bilevel" tune --problem quadratic --algo f2ba -G eta=0.1:1 >"$dir/out4" 2>"$dir/err4" &&
  fail "tune ran on 2 ranks"
[ "$(grep -c 'tune runs on one process' "$dir/err4")" -eq 1 ] || fail "not one message refusing tune"
echo "ok"
