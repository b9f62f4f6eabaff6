# Shell functions shared by the experiment scripts (sourced from the repository root).

best_flags() {  # the winning grid values of a `bilevel tune` summary, as -A flags
  /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
if s["best"] is None:
    sys.exit("no trial of %s scored" % sys.argv[1])
print(" ".join("-A %s=%s" % (k, v) for k, v in s["best_options"].items()))' "$1"
}
