#!/usr/bin/env bash
# THE test command of the project: install what is missing, build, run every test.
# Exits non-zero when any test fails. CI (.ci/run) calls exactly `bash scripts/test.sh`.
#
# Three passes (README.md, "Tests"):
#   1. the Release build (BUILD_DIR, default build/): every test, with ctest;
#   2. a second build (SANITIZE_BUILD_DIR, default build-sanitize/) with clang,
#      AddressSanitizer and UndefinedBehaviorSanitizer (-DBILEVEL_SANITIZE=ON, -O1): the tests
#      again, but for the slow ones listed in tests/sanitizer_skip.txt;
#   3. the libFuzzer targets (docs/fuzzing.md).
# SKIP_SANITIZERS=1 or SKIP_FUZZING=1 leave pass 2 or 3 out, for a quick local run; CI runs all.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR

bash scripts/build.sh

# --no-tests=error: a build that registered no test must fail, not pass silently.
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2 || status=$?

# ---- Sanitizers --------------------------------------------------------------------------
# clang, not gcc: with the sanitizers on it compiles this code 2.4 times faster (13 s instead
# of 32 s for one test file, measured), which keeps CI well inside its time.
if [[ "${SKIP_SANITIZERS:-0}" != 1 ]]; then
  SANITIZE_BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
  if [[ ! -f "$SANITIZE_BUILD_DIR/CMakeCache.txt" ]]; then
    echo "test: configuring $SANITIZE_BUILD_DIR (AddressSanitizer + UndefinedBehaviorSanitizer)" >&2
    # Without MPI: the serial communicator is checked here; the MPI one and the mpirun tests
    # run in the Release build (OpenMPI's runtime is not built with the sanitizers).
    cmake -S . -B "$SANITIZE_BUILD_DIR" -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
      -DBILEVEL_SANITIZE=ON -DBILEVEL_BUILD_BENCH=OFF -DBILEVEL_MPI=OFF
  fi
  echo "test: building in $SANITIZE_BUILD_DIR" >&2
  cmake --build "$SANITIZE_BUILD_DIR" -j2
  # The slow tests (ctest name patterns, one per line, # comments) stay out of this pass.
  skip=$(grep -v '^[[:space:]]*\(#\|$\)' tests/sanitizer_skip.txt | paste -sd'|')
  sanitize_status=0
  ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$SANITIZE_BUILD_DIR" --output-on-failure --no-tests=error -j2 \
      ${skip:+-E "$skip"} || sanitize_status=$?
  if [[ "$sanitize_status" -ne 0 ]]; then
    echo "test: a test failed under the sanitizers (see above)" >&2
    [[ "$status" -ne 0 ]] || status=$sanitize_status
  fi
fi

# ---- Fuzzing (docs/fuzzing.md) ------------------------------------------------------------
# The libFuzzer targets of fuzz/, built with clang + ASan/UBSan in build-fuzz/: every input of
# fuzz/regressions/ replayed, then each target fuzzed for FUZZ_SECONDS (default 60; five
# targets, about 6 minutes with the build). A crash, leak or sanitizer report fails the script.
if [[ "${SKIP_FUZZING:-0}" != 1 ]]; then
  fuzz_status=0
  bash scripts/fuzz.sh || fuzz_status=$?
  if [[ "$fuzz_status" -ne 0 ]]; then
    echo "test: the fuzzers found a problem (see above)" >&2
    [[ "$status" -ne 0 ]] || status=$fuzz_status
  fi
fi
exit "$status"
