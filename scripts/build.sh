#!/usr/bin/env bash
# Install what is missing, configure (first time only) and build bilevel in Release mode.
#
# BUILD_DIR (default: build) selects the build directory, relative to the repository root
# unless absolute. Builds with -j2: the machines this project runs on have 2 cores.
set -euo pipefail

# Work from the repository root whatever the caller's directory.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${BUILD_DIR:-build}

bash scripts/setup.sh

# Configure only once: re-running cmake on a configured tree is not needed (the build itself
# re-runs it when CMakeLists.txt changes) and would slow down every test/demo call.
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  echo "build: configuring $BUILD_DIR (Release)" >&2
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
fi

echo "build: building in $BUILD_DIR" >&2
cmake --build "$BUILD_DIR" -j2
