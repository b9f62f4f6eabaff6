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
exit "$status"
