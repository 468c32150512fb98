"""`cni-async settings get|update`: the account's CNI settings."""

from __future__ import annotations

import argparse

from .._client import Client
from ._common import Subparsers, add_leaf, non_negative_int
from ._output import Output

__all__ = ["register"]


async def _get(cf: Client, args: argparse.Namespace, out: Output) -> None:  # noqa: ARG001 - the handler signature
    out.one(await cf.settings.get())


async def _update(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.settings.update(default_asn=args.default_asn))


def register(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add `settings ...` to the command tree."""
    group = groups.add_parser("settings", help="the account's CNI settings", parents=parents)
    commands = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_leaf(commands, "get", "show the settings", _get, parents)
    update = add_leaf(commands, "update", "change the settings", _update, parents)
    update.add_argument(
        "--default-asn", required=True, type=non_negative_int, metavar="N", help="default ASN"
    )
