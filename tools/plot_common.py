"""What the plotting tools share: one-line errors and a display-free matplotlib.

Each tool names itself (PROG) in its messages, so that a failure seen through `bilevel`
says which tool failed.
"""

import sys


def die(prog, message):
    """Print one clear line and exit with status 2 (bad input)."""
    print(f"{prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def import_pyplot(prog):
    """matplotlib.pyplot on the Agg backend (no display needed), or a one-line error."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        die(prog, f"matplotlib is not available to {sys.executable}; run with /usr/bin/python3 "
            "(bash scripts/setup.sh installs python3-matplotlib)")
    return plt
