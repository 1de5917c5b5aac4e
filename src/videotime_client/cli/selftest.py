"""`videotime --self-test` — placeholder until the packaging issue lands."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    print("self-test: not available yet", file=sys.stderr)
    return 1
