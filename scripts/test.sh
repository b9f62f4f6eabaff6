#!/usr/bin/env bash
# THE test command of the project: install what is missing, build, run every test.
# Exits with ctest's status. CI (.ci/run) calls exactly `bash scripts/test.sh`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${BUILD_DIR:-build}
export BUILD_DIR

bash scripts/build.sh

# --no-tests=error: a build that registered no test must fail, not pass silently.
status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2 || status=$?

# ---- Fuzzing (docs/fuzzing.md) ------------------------------------------------------------
# The libFuzzer targets of fuzz/, built with clang + ASan/UBSan in build-fuzz/: every input of
# fuzz/regressions/ replayed, then each target fuzzed for FUZZ_SECONDS (default 60; five
# targets, about 6 minutes with the build). A crash, leak or sanitizer report fails the script.
fuzz_status=0
bash scripts/fuzz.sh || fuzz_status=$?
if [[ "$fuzz_status" -ne 0 ]]; then
  echo "test: the fuzzers found a problem (see above)" >&2
  [[ "$status" -ne 0 ]] || status=$fuzz_status
fi
# ---- end of fuzzing ------------------------------------------------------------------------
exit "$status"
