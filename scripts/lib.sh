# Shell functions shared by the experiment scripts (sourced from the repository root).

best_flags() {  # the winning grid values of a `bilevel tune` summary, as -A flags
  /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
if s["best"] is None:
    sys.exit("no trial of %s scored" % sys.argv[1])
print(" ".join("-A %s=%s" % (k, v) for k, v in s["best_options"].items()))' "$1"
}

# The start of an experiment script, after its size was chosen: refuses an existing output
# folder OUT (results are never replaced), builds when BUILD_DIR has no bilevel yet, and sets
# BILEVEL. $1 names the script in messages.
experiment_start() {
  if [[ -e "$OUT" ]]; then
    echo "$1: $OUT exists; remove it or set OUT (results are never replaced)" >&2
    exit 2
  fi
  [[ -x "$BUILD_DIR/bilevel" ]] || BUILD_DIR="$BUILD_DIR" bash scripts/build.sh >&2
  BILEVEL="$BUILD_DIR/bilevel"
}
