"""``videotime link inspect|open LINK``: what a join link means, for support staff and tests.

* ``inspect`` only reads the link; it saves nothing (support staff inspect links patients read
  to them over the phone, and that must not leave appointments on the support machine).
* ``open`` is what the app does when a patient opens a link: it saves the appointment (PIN to
  the keyring only) and prints the appointment id.

Contract (exact): exit 0 on success; exit 2 for a rejected link, with nothing on stdout unless
``--json`` (then ``{"error": {"code": ..., "message": ...}}``) and one line on stderr.  The PIN
is never printed, only ``pin_provided``.  JSON is printed ASCII-only (JSON escapes), so it
survives any console or pipe encoding (a Windows pipe is cp1252; a name need not be).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK = 0
EXIT_REJECTED = 2


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("link", parents=[common], help="inspect or open an invitation link")
    link_sub = p.add_subparsers(dest="link_command", metavar="ACTION", required=True)
    for name, helptext in (
        ("inspect", "show what a link means (saves nothing)"),
        ("open", "save the appointment from a link and print its id"),
    ):
        q = link_sub.add_parser(name, parents=[common], help=helptext)
        q.add_argument("link", metavar="LINK", help="join link or six-digit room number")
        q.add_argument("--json", action="store_true", help="machine-readable output")
        q.add_argument("--dev", action="store_true", help="allow loopback nodes (developers)")
        q.set_defaults(handler=run)


def describe(invitation: Any) -> dict[str, Any]:
    """The ``link inspect --json`` object (keys are part of the CLI contract)."""
    return {
        "node": invitation.node,
        "alias": invitation.alias,
        "role": invitation.role,
        "display_name": invitation.display_name,
        "pin_provided": invitation.pin_provided,
        "start": invitation.start.isoformat() if invitation.start is not None else None,
        "department": invitation.department,
        "phone": invitation.phone,
        "api_base": invitation.api_base,
    }


def run(args: argparse.Namespace) -> int:
    from videotime_client.invitation import InvitationError, load_trusted_nodes, parse_invitation

    try:
        invitation = parse_invitation(
            args.link, trusted_nodes=load_trusted_nodes(args.paths.config), dev=args.dev
        )
    except InvitationError as exc:
        message = exc.for_patient(args.lang)
        if args.json:
            print(json.dumps({"error": {"code": exc.code, "message": message}}))
        print(f"{message} ({exc.code})", file=sys.stderr)
        return EXIT_REJECTED

    info = describe(invitation)
    if args.link_command == "open":
        from videotime_client.appointments import AppointmentStore
        from videotime_client.secrets import PinVault

        store = AppointmentStore(args.paths, PinVault())
        appointment = store.save_from_invitation(invitation)
        notice = store.secrets.take_notice() if invitation.pin_provided else None
        if notice is not None:
            print(notice(args.lang), file=sys.stderr)
        if args.json:
            info = {"id": appointment.id, **info, "pin_saved": store.secrets.available}
            print(json.dumps(info))
        else:
            print(appointment.id)
        return EXIT_OK

    if args.json:
        print(json.dumps(info))
    else:
        width = max(len(k) for k in info)
        for key, value in info.items():
            shown = (
                "-" if value is None else str(value).lower() if isinstance(value, bool) else value
            )
            print(f"{key:<{width}}  {shown}")
    return EXIT_OK
