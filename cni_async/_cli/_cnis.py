"""`cni-async cnis list|get|create|update|delete`."""

from __future__ import annotations

import argparse
from typing import Any

import attrs

from .._client import Client
from .._models import BgpControl, Cni, CniCreate, MagicSettings
from ._common import (
    Subparsers,
    UsageError,
    add_leaf,
    add_list_options,
    non_negative_int,
)
from ._output import Output

__all__ = ["register"]

_MAGIC = ("conduit_name", "description", "mtu")
_BGP_MODES = ("dynamic_route_exchange", "advertise_only")


async def _list(cf: Client, args: argparse.Namespace, out: Output) -> None:
    cnis = cf.cnis.list(
        slot=args.slot, tunnel_id=args.tunnel_id, limit=args.limit, cursor=args.cursor
    )
    await out.many(cnis, "CNIs", args.max_items)


async def _get(cf: Client, args: argparse.Namespace, out: Output) -> None:
    out.one(await cf.cnis.get(args.cni_id))


async def _create(cf: Client, args: argparse.Namespace, out: Output) -> None:
    bgp = None
    if args.customer_asn is not None:
        bgp = BgpControl(args.customer_asn, args.extra_prefix or [], args.md5_key)
    elif args.extra_prefix is not None or args.md5_key is not None:
        raise UsageError("--extra-prefix and --md5-key need --customer-asn (they configure BGP)")
    magic = MagicSettings(args.conduit_name, args.description, args.mtu)
    out.one(await cf.cnis.create(CniCreate(interconnect=args.interconnect, magic=magic, bgp=bgp)))


def _bgp_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The BGP fields the command line changes."""
    changes: dict[str, Any] = {}
    if args.customer_asn is not None:
        changes["customer_asn"] = args.customer_asn
    if args.extra_prefix is not None:
        changes["extra_prefixes"] = args.extra_prefix
    if args.md5_key is not None:
        changes["md5_key"] = args.md5_key
    if args.no_md5_key:
        if args.md5_key is not None:
            raise UsageError("--md5-key and --no-md5-key contradict each other")
        changes["md5_key"] = None
    return changes


def _updated_bgp(current: BgpControl | None, args: argparse.Namespace) -> BgpControl | None:
    changes = _bgp_flags(args)
    if args.no_bgp:
        return None
    if current is not None:
        return attrs.evolve(current, **changes)
    if not changes:
        return None
    if "customer_asn" not in changes:
        raise UsageError("this CNI has no BGP yet; give --customer-asn to add it")
    return BgpControl(
        changes["customer_asn"], changes.get("extra_prefixes", []), changes.get("md5_key")
    )


def _check_update_flags(args: argparse.Namespace) -> None:
    """Refuse, before any request, an update that changes nothing or contradicts itself."""
    bgp_changes = _bgp_flags(args)
    if args.no_bgp and bgp_changes:
        raise UsageError("--no-bgp removes BGP; it cannot be combined with BGP options")
    flags = [getattr(args, name) for name in _MAGIC] + [args.bgp_mode]
    if all(flag is None for flag in flags) and not (bgp_changes or args.no_bgp):
        raise UsageError("nothing to update: give at least one option to change")


async def _update(cf: Client, args: argparse.Namespace, out: Output) -> None:
    _check_update_flags(args)
    cni: Cni = await cf.cnis.get(args.cni_id)
    magic_changes = {
        name: getattr(args, name) for name in _MAGIC if getattr(args, name) is not None
    }
    changed = attrs.evolve(
        cni,
        magic=attrs.evolve(cni.magic, **magic_changes),
        bgp=_updated_bgp(cni.bgp, args),
        bgp_mode=args.bgp_mode or cni.bgp_mode,
    )
    out.one(await cf.cnis.update(changed))


async def _delete(cf: Client, args: argparse.Namespace, out: Output) -> None:
    await cf.cnis.delete(args.cni_id)
    out.done(f"deleted CNI {args.cni_id}")


def _add_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cni_id", metavar="ID", help="the CNI's id (a UUID)")


def _add_bgp_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--customer-asn", type=non_negative_int, metavar="N", help="BGP: your ASN")
    parser.add_argument(
        "--extra-prefix",
        action="append",
        metavar="CIDR",
        help="BGP: a prefix to advertise (repeat for more; replaces the list on update)",
    )
    parser.add_argument(
        "--md5-key",
        metavar="KEY",
        help="BGP: the session's MD5 key (visible in `ps`; shown as *** in tables)",
    )


def _add_update_options(parser: argparse.ArgumentParser) -> None:
    _add_id(parser)
    parser.add_argument("--conduit-name", metavar="NAME", help="new conduit name")
    parser.add_argument("--description", help="new description")
    parser.add_argument("--mtu", type=non_negative_int, help="new MTU")
    _add_bgp_options(parser)
    parser.add_argument("--no-md5-key", action="store_true", help="BGP: remove the MD5 key")
    parser.add_argument("--no-bgp", action="store_true", help="remove BGP from the CNI")
    parser.add_argument("--bgp-mode", choices=_BGP_MODES, help="BGP mode")


def register(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add `cnis ...` to the command tree."""
    group = groups.add_parser(
        "cnis", help="CNIs: links (with optional BGP) on an interconnect", parents=parents
    )
    commands = group.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = add_leaf(commands, "list", "list CNIs", _list, parents)
    listing.add_argument("--slot", metavar="UUID", help="only CNIs on this slot")
    listing.add_argument("--tunnel-id", metavar="ID", help="only CNIs on this tunnel")
    add_list_options(listing)
    _add_id(add_leaf(commands, "get", "show one CNI", _get, parents))
    create = add_leaf(commands, "create", "create a CNI on an interconnect", _create, parents)
    create.add_argument(
        "--interconnect", required=True, metavar="NAME", help="hosting interconnect"
    )
    create.add_argument("--conduit-name", required=True, metavar="NAME", help="Magic conduit name")
    create.add_argument("--description", required=True, help="Magic description")
    create.add_argument("--mtu", required=True, type=non_negative_int, help="MTU, e.g. 1500")
    _add_bgp_options(create)
    _add_update_options(
        add_leaf(commands, "update", "change a CNI (get, change, put back)", _update, parents)
    )
    _add_id(add_leaf(commands, "delete", "delete a CNI", _delete, parents))
