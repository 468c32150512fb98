"""`cni-async slots list|get`: the facility ports where direct interconnects are made."""

from __future__ import annotations

import argparse

from .._client import Client
from ._common import Subparsers, add_leaf, add_list_options
from ._output import Output

__all__ = ["register"]


async def _list(cf: Client, args: argparse.Namespace, out: Output) -> None:
    slots = cf.slots.list(
        address_contains=args.address_contains,
        site=args.site,
        speed=args.speed,
        occupied=args.occupied,
        limit=args.limit,
        cursor=args.cursor,
    )
    await out.many(slots, "slots", args.max_items)


async def _get(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.slots.get(args.slot_id))


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address-contains", metavar="TEXT", help="address substring")
    parser.add_argument("--site", help="only slots at this site, e.g. SJC")
    parser.add_argument("--speed", help="only slots supporting this speed, e.g. 10G")
    occupancy = parser.add_mutually_exclusive_group()
    occupancy.add_argument(
        "--occupied", dest="occupied", action="store_const", const=True, help="only occupied slots"
    )
    occupancy.add_argument(
        "--free", dest="occupied", action="store_const", const=False, help="only free slots"
    )
    add_list_options(parser)


def register(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add `slots ...` to the command tree."""
    group = groups.add_parser("slots", help="facility ports (read-only)", parents=parents)
    commands = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_filters(add_leaf(commands, "list", "list slots", _list, parents))
    get = add_leaf(commands, "get", "show one slot", _get, parents)
    get.add_argument("slot_id", metavar="ID", help="the slot's id (a UUID)")
