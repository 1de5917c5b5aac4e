"""`videotime node serve` — placeholder until the Pexip issue lands."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub, common) -> None:  # type: ignore[no-untyped-def]
    p = sub.add_parser("node", parents=[common], help="not available yet")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("videotime node: not available yet", file=sys.stderr)
    return 2
