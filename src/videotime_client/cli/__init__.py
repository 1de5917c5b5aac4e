"""The ``videotime`` command: the composition root that wires core, media, ui and node together.

Each sub-command lives in a module of this package with two functions, ``add_parser(sub)`` and
``run(args) -> int``; heavy imports (aiortc, Qt, aiohttp) happen inside ``run`` so that
``videotime link inspect`` starts fast and works without a display.

Exit codes: 0 success, 1 the thing asked for failed (a ``cannot`` verdict, a call that never
reached the consultation), 2 usage errors and rejected input, 70 an unexpected internal error
(logged, never shown as a traceback).

A usage error (unknown option, missing argument, a link that starts with ``-``) is one line on
stderr, like every other error; ``videotime link ... --json`` then also prints the contract's
``{"error": {"code": "usage", "message": ...}}`` on stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NoReturn

from videotime_client import __version__
from videotime_client.errors import VideotimeError
from videotime_client.paths import AppPaths
from videotime_client.texts import normalise_lang

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


class UsageError(Exception):
    """The command line itself is wrong (argparse's complaint, with the command's name)."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of usage text plus SystemExit.

    Sub-command parsers are created with the parent's class, so this covers every command.
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _command_modules() -> dict[str, Callable[[], ModuleType]]:
    """Sub-command name -> lazy loader of its module (keeps start-up cheap)."""

    def link() -> ModuleType:
        from videotime_client.cli import link as m

        return m

    def appointments() -> ModuleType:
        from videotime_client.cli import appointments as m

        return m

    def node() -> ModuleType:
        from videotime_node import cli as m

        return m

    def join() -> ModuleType:
        from videotime_client.cli import join as m

        return m

    def check() -> ModuleType:
        from videotime_client.cli import check as m

        return m

    def demo() -> ModuleType:
        from videotime_client.cli import demo as m

        return m

    return {
        "link": link,
        "appointments": appointments,
        "node": node,
        "join": join,
        "check": check,
        "demo": demo,
    }


def _looks_like_link(arg: str) -> bool:
    return "://" in arg or (arg.isdigit() and len(arg) == 6)


def common_options() -> argparse.ArgumentParser:
    """Options every sub-command accepts, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep all data, settings, cache and logs under DIR (tests, support)",
    )
    common.add_argument(
        "--lang",
        choices=["nb", "nn", "en"],
        default=argparse.SUPPRESS,
        help="language of messages (default: the system language, else bokmål)",
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="verbose log file"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = _Parser(
        prog="videotime",
        description="Join your hospital video consultation safely.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"videotime {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (media, codecs, keyring, translations, a call)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for loader in _command_modules().values():
        loader().add_parser(sub, common)
    return parser


def _system_lang() -> str:
    import locale
    import os

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return os.environ[var]
    return locale.getlocale()[0] or ""


def prepare(args: argparse.Namespace) -> None:
    """Fill in defaults shared by all commands and start logging."""
    from videotime_client import logs
    from videotime_client.paths import AppPaths

    args.data_dir = getattr(args, "data_dir", None)
    args.lang = getattr(args, "lang", None) or normalise_lang(_system_lang())
    args.debug = getattr(args, "debug", False)
    args.paths = AppPaths.resolve(args.data_dir)
    logs.configure(args.paths, debug=args.debug)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``videotime`` command line; never lets a traceback reach the user."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A name or a message that the console's encoding cannot show must not turn into an
    # UnicodeEncodeError half-way through the output (stderr already does this by default).
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    if not argv or _looks_like_link(argv[0]):
        # Double-click, or a link handed over by the OS URL-scheme handler.
        return gui_main(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        if "--json" in argv and "link" in argv:  # the link contract: errors as JSON too
            print(json.dumps({"error": {"code": "usage", "message": str(exc)}}))
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    lang = normalise_lang(getattr(args, "lang", None) or _system_lang())
    try:
        prepare(args)
        if args.self_test:
            from videotime_client.cli import selftest

            return selftest.run(args)
        if args.command is None:  # only common options, e.g. `videotime --data-dir DIR`
            return gui_main([], paths=args.paths, lang=getattr(args, "lang", None))
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except UsageError as exc:  # a command that calls parser.error() itself, after parsing
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except VideotimeError as exc:
        print(exc.for_patient(lang), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception:
        if log.hasHandlers():  # else logging's last resort would print the traceback on stderr
            log.exception("unexpected error in command %s", getattr(args, "command", None))
        print(
            {
                "nb": "Det oppstod en uventet feil. Prøv igjen, eller ring avdelingen.",
                "nn": "Det oppstod ein uventa feil. Prøv igjen, eller ring avdelinga.",
                "en": "An unexpected error happened. Try again, or call the department.",
            }[lang],
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def gui_main(
    argv: Sequence[str] | None = None,
    *,
    paths: AppPaths | None = None,
    lang: str | None = None,
    dev: bool = False,
) -> int:
    """Start the desktop app (double-click, URL-scheme launches and ``videotime`` alone).

    ``dev`` lets the app open loopback development links (``videotime join LINK --dev``).
    Logging is configured here too: a patient's double-click never passes through ``prepare``,
    and support needs the log file most exactly then.
    """
    from videotime_client import logs
    from videotime_client.paths import AppPaths
    from videotime_client.ui import app

    paths = paths or AppPaths.resolve()
    logs.configure(paths)
    return app.run(list(sys.argv[1:] if argv is None else argv), paths=paths, lang=lang, dev=dev)
