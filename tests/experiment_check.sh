#!/usr/bin/env bash
# ctest's check of an experiment script (Experiments.*): its reduced configuration runs within
# the time its docs page states, writes the files the page describes, and every figure the page
# shows is in the repository.
#
#   experiment_check.sh SCRIPT PAGE LIMIT_S BUILD_DIR FILE...
# FILE...: paths (relative to the output folder) that the reduced run must write.
set -euo pipefail
script=$1 page=$2 limit=$3 build=$4
shift 4
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
BUILD_DIR="$build" OUT="$out/run" bash "$script" reduced
elapsed=$(( $(date +%s) - start ))
echo "experiment_check: $script reduced took ${elapsed} s (limit ${limit} s)"
status=0
if (( elapsed > limit )); then
  echo "experiment_check: $script reduced took ${elapsed} s, more than the ${limit} s $page states" >&2
  status=1
fi
for f in "$@"; do
  if [[ ! -s "$out/run/$f" ]]; then
    echo "experiment_check: $script reduced did not write $f" >&2
    status=1
  fi
done
# Every image the page shows exists (paths relative to the page).
dir=$(dirname "$page")
figures=$(grep -o '!\[[^]]*\]([^)]*\.png)' "$page" | sed 's/.*(\(.*\))/\1/' || true)
if [[ -z "$figures" ]]; then
  echo "experiment_check: $page shows no figure" >&2
  status=1
fi
for fig in $figures; do
  if [[ ! -s "$dir/$fig" ]]; then
    echo "experiment_check: $page shows $fig, which is not in the repository" >&2
    status=1
  fi
done
exit $status
