"""`cni-async interconnects list|get|create|delete|loa|status|wait`, and the `wait` alias."""

from __future__ import annotations

import argparse

from .._client import Client
from .._models import GcpPartnerInterconnectCreate, InterconnectCreate, PhysicalInterconnectCreate
from .._validate import BANDWIDTHS
from ._common import Subparsers, UsageError, add_leaf, add_list_options, seconds
from ._files import write_atomically
from ._output import Output
from ._waiting import WaitProgress

__all__ = ["add_wait_options", "register", "register_wait_alias"]


async def _list(cf: Client, args: argparse.Namespace, out: Output) -> None:
    icons = cf.interconnects.list(
        site=args.site, type=args.type, limit=args.limit, cursor=args.cursor
    )
    await out.many(icons, "interconnects", args.max_items)


async def _get(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.interconnects.get(args.icon))


def _create_body(args: argparse.Namespace) -> InterconnectCreate:
    if args.gcp:
        if args.slot_id is not None or args.speed is not None:
            raise UsageError("--gcp takes --bandwidth and --pairing-key, not --slot-id or --speed")
        if args.bandwidth is None or args.pairing_key is None:
            raise UsageError("--gcp needs --bandwidth and --pairing-key")
        return GcpPartnerInterconnectCreate(bandwidth=args.bandwidth, pairing_key=args.pairing_key)
    if args.bandwidth is not None or args.pairing_key is not None:
        raise UsageError("--bandwidth and --pairing-key are for --gcp interconnects")
    if args.slot_id is None:
        raise UsageError("give --slot-id (a direct interconnect) or --gcp")
    return PhysicalInterconnectCreate(slot_id=args.slot_id, speed=args.speed)


async def _create(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.interconnects.create(_create_body(args)))


async def _delete(cf: Client, args: argparse.Namespace, out: Output) -> None:
    await cf.interconnects.delete(args.icon)
    out.done(f"deleted interconnect {args.icon}")


async def _loa(cf: Client, args: argparse.Namespace, out: Output) -> None:
    to_stdout = args.out == "-"
    if to_stdout and out.stdout.isatty():
        raise UsageError("refusing to write a PDF to a terminal; give --out FILE.pdf")
    pdf = await cf.interconnects.loa(args.icon, name=args.loa_name)
    if to_stdout:
        out.binary(pdf)
        return
    path = write_atomically(args.out, pdf)
    out.done(f"wrote the LOA of {args.icon} to {path} ({len(pdf)} bytes)")


async def _status(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.interconnects.status(args.icon))


async def _wait(cf: Client, args: argparse.Namespace, out: Output) -> None:
    async with WaitProgress(out, args.icon, args.state).following():
        status = await cf.interconnects.wait_for_status(
            args.icon,
            args.state,
            timeout=args.max_wait,
            interval=args.interval,
            allow_down_for=args.allow_down_for,
        )
    out.one(status)


def _add_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("icon", metavar="NAME", help="the interconnect's name")


def add_wait_options(parser: argparse.ArgumentParser) -> None:
    """The arguments of `interconnects wait` (and of the top-level `wait` alias)."""
    _add_name(parser)
    parser.add_argument("--state", default="Healthy", help="the state to wait for (Healthy)")
    parser.add_argument(
        "--max-wait", type=seconds, default=600.0, metavar="SECONDS", help="give up after (600)"
    )
    parser.add_argument(
        "--interval", type=seconds, default=2.0, metavar="SECONDS", help="first poll gap (2)"
    )
    parser.add_argument(
        "--allow-down-for",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help="tolerate Down/Unhealthy this long before failing (0)",
    )


def _add_create_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--slot-id", metavar="UUID", help="a free slot (direct interconnect)")
    parser.add_argument("--speed", help="port speed of a direct interconnect, e.g. 10G")
    parser.add_argument("--gcp", action="store_true", help="a GCP partner interconnect")
    parser.add_argument("--bandwidth", choices=BANDWIDTHS, help="bandwidth of a GCP one")
    parser.add_argument("--pairing-key", metavar="KEY", help="the pairing key GCP issued")


def register(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add `interconnects ...` to the command tree."""
    group = groups.add_parser(
        "interconnects", help="physical and GCP partner interconnects", parents=parents
    )
    commands = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = add_leaf(commands, "list", "list interconnects", _list, parents)
    listing.add_argument("--site", help="only interconnects at this site, e.g. SJC")
    listing.add_argument("--type", help="only interconnects of this type: direct, gcp_partner")
    add_list_options(listing)
    _add_name(add_leaf(commands, "get", "show one interconnect", _get, parents))
    _add_create_options(add_leaf(commands, "create", "create an interconnect", _create, parents))
    _add_name(add_leaf(commands, "delete", "delete an interconnect", _delete, parents))
    loa = add_leaf(commands, "loa", "download the Letter of Authorization (PDF)", _loa, parents)
    _add_name(loa)
    loa.add_argument("--out", required=True, metavar="FILE", help="PDF file to write; - is stdout")
    loa.add_argument(
        "--name", dest="loa_name", help="name printed on the LOA instead of the account"
    )
    _add_name(add_leaf(commands, "status", "show an interconnect's health", _status, parents))
    add_wait_options(
        add_leaf(commands, "wait", "wait until an interconnect is Healthy", _wait, parents)
    )


def register_wait_alias(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add the top-level `wait`, the same as `interconnects wait`."""
    add_wait_options(add_leaf(groups, "wait", "same as `interconnects wait`", _wait, parents))
