"""`videotime node serve`: run the embedded Pexip-compatible node until interrupted.

Contract (issue 3): the base URL is printed ALONE on the first stdout line and flushed; with
``--tls`` the certificate's SHA-256 fingerprint follows on the second line. ``--port 0`` picks a
free port and the URL names it. SIGINT/SIGTERM stop it cleanly with exit code 0. A bad scenario
file is a usage error (exit 2) with a specific message on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from videotime_node.config import NodeConfig

log = logging.getLogger(__name__)


def _port(text: str) -> int:
    """A TCP port for argparse: 0 (any free port) to 65535; otherwise a usage error."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "node",
        parents=[common],
        help="run the embedded conferencing node (tests, demo, support)",
        description="The embedded Pexip-Infinity-compatible conferencing node (docs/node.md).",
    )
    node_sub = p.add_subparsers(dest="node_command", metavar="ACTION")
    serve = node_sub.add_parser("serve", parents=[common], help="serve until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8443, help="port (0 = any free port)")
    serve.add_argument("--tls", action="store_true", help="HTTPS with a generated certificate")
    serve.add_argument(
        "--cert-out", metavar="FILE", help="with --tls: also write the certificate (PEM) here"
    )
    serve.add_argument("--scenario", metavar="FILE", help="scenario file (JSON, docs/node.md)")
    serve.add_argument(
        "--ice-host",
        action="append",
        metavar="ADDR",
        help="gather media (ICE) host candidates on ADDR only (repeatable); default: 127.0.0.1 "
        "when bound to loopback, else every interface",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "node_command", None) != "serve":
        print(
            "usage: videotime node serve [--host H] [--port N] [--tls] [--scenario FILE]",
            file=sys.stderr,
        )
        return 2
    from videotime_node.config import NodeConfig, ScenarioError

    overrides = {"host": args.host, "port": args.port, "tls": args.tls}
    try:
        if args.scenario:
            config = NodeConfig.from_file(Path(args.scenario), **overrides)
        else:
            config = NodeConfig(**overrides)
    except ScenarioError as exc:
        print(f"videotime node: {exc}", file=sys.stderr)
        return 2
    if args.ice_host:
        config.ice_host_addresses = list(args.ice_host)
    try:
        return asyncio.run(_serve(config, args.cert_out))
    except OSError as exc:
        print(
            f"videotime node: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1


async def _serve(config: NodeConfig, cert_out: str | None) -> int:
    from videotime_node.server import NodeServer, settle_tasks

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no add_signal_handler
            loop.add_signal_handler(sig, stop.set)
    server = NodeServer(config)
    await server.start()
    try:
        print(server.base_url, flush=True)
        if server.certificate is not None:
            if cert_out:
                shutil.copyfile(server.certificate.pem_path, cert_out)
            print(server.certificate.fingerprint, flush=True)
        await stop.wait()
    finally:
        await server.stop()
        if server.certificate is not None:
            server.certificate.cleanup()
        await settle_tasks()
    return 0
