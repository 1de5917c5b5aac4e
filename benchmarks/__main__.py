"""``python -m benchmarks``: the call benchmark (client vs Chromium), then pre-flight's."""

from __future__ import annotations

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--runs", type=int, default=3, help="runs per contestant (median)")
    parser.add_argument("--seconds", type=float, default=30.0, help="call length")
    parser.add_argument("--only", choices=["call", "preflight"], default=None)
    args = parser.parse_args()
    if args.only in (None, "call"):
        from benchmarks import call

        call.run(runs=args.runs, seconds=args.seconds)
    if args.only in (None, "preflight"):
        try:
            from benchmarks import preflight
        except ImportError:
            print("(pre-flight benchmark not present)")
        else:
            preflight.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
