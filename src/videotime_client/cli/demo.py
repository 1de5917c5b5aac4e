"""`videotime demo` — placeholder until its issue lands (see the issue tracker)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="not available yet")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print("videotime demo: not available yet", file=sys.stderr)
    return 2
