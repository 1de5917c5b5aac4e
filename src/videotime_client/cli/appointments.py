"""``videotime appointments list [--json]`` and ``videotime appointments remove ID``.

``list --json`` prints a JSON list of objects with the appointment fields (``id``, ``node``,
``alias``, ``scheme``, ``role``, ``start``, ``department``, ``phone``, ``display_name``) and
``api_base``.  PINs are never printed.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("appointments", parents=[common], help="saved appointments")
    a_sub = p.add_subparsers(dest="appointments_command", metavar="ACTION", required=True)
    q = a_sub.add_parser("list", parents=[common], help="list saved appointments")
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=run)
    r = a_sub.add_parser("remove", parents=[common], help="forget an appointment and its PIN")
    r.add_argument("id", metavar="ID")
    r.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from videotime_client.appointments import AppointmentStore
    from videotime_client.secrets import PinVault

    store = AppointmentStore(args.paths, PinVault())
    if args.appointments_command == "remove":
        if store.remove(args.id):
            return 0
        message = {
            "nb": "Fant ingen lagret time med id {id}.",
            "nn": "Fann ingen lagra time med id {id}.",
            "en": "No saved appointment has the id {id}.",
        }[args.lang]
        print(message.format(id=ascii(args.id)[1:-1]), file=sys.stderr)  # no control characters
        return 1

    appointments = store.list()
    if args.json:
        rows = [{**a.to_json(), "api_base": a.to_invitation().api_base} for a in appointments]
        print(json.dumps(rows))
        return 0
    if not appointments:
        print(
            {
                "nb": "Ingen lagrede timer.",
                "nn": "Ingen lagra timar.",
                "en": "No saved appointments.",
            }[args.lang]
        )
        return 0
    for a in appointments:
        start = a.start.isoformat(timespec="minutes") if a.start else "-"
        print(f"{a.id}  {start}  {a.node}/{a.alias}  {a.department or '-'}")
    return 0
