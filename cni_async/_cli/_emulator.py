"""The emulator behind `--emulator` and the `emulator` command, and its demo data.

Demo data is made through the API itself, as a user would: two direct
interconnects on the first free slot of two sites, one GCP partner
interconnect, and a CNI with BGP on the first interconnect.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncGenerator

from .._client import Client
from .._models import (
    BgpControl,
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
)
from ._common import Subparsers
from ._output import Output

__all__ = ["DEMO_ACCOUNT", "demo_emulator", "register"]

DEMO_ACCOUNT = "demo-account"
_DEMO_TOKEN = "demo-token"  # noqa: S105 - the emulator accepts any token
_DEMO_SITES = 2
_MAX_PORT = 65535


async def seed_demo(base_url: str, account_id: str, token: str = _DEMO_TOKEN) -> None:
    """Create the demo interconnects and CNI in `account_id` of the emulator at `base_url`."""
    async with Client(
        api_token=token, account_id=account_id, base_url=base_url, max_retries=0
    ) as cf:
        slots: dict[str, str] = {}
        async for slot in cf.slots.list(occupied=False):
            slots.setdefault(slot.site, slot.id)
        names: list[str] = []
        for slot_id in list(slots.values())[:_DEMO_SITES]:
            icon = await cf.interconnects.create(PhysicalInterconnectCreate(slot_id=slot_id))
            names.append(icon.name)
        pairing_key = "7e51371e-72a3-40b5-b844-2e3efefaee59/us-central1/2"
        await cf.interconnects.create(
            GcpPartnerInterconnectCreate(bandwidth="1G", pairing_key=pairing_key)
        )
        magic = MagicSettings("demo-conduit", "demo link", 1500)
        bgp = BgpControl(64512, ["203.0.113.0/24"], "demo-md5-key")
        await cf.cnis.create(CniCreate(interconnect=names[0], magic=magic, bgp=bgp))


@contextlib.asynccontextmanager
async def demo_emulator(account_id: str) -> AsyncGenerator[str, None]:
    """An in-process emulator seeded with demo data; yields its base URL."""
    from ..testing import Emulator  # aiohttp's server: imported only when an emulator runs

    async with Emulator() as emulator:
        await seed_demo(emulator.base_url, account_id)
        yield emulator.base_url


async def _serve(args: argparse.Namespace, out: Output) -> None:
    from ..testing import Emulator
    from ..testing._signals import until_stopped

    emulator = Emulator(
        host=args.host, port=args.port, token=args.token, rate_limit=args.rate_limit
    )
    async with emulator:
        if args.demo is not None:
            await seed_demo(emulator.base_url, args.demo, args.token or _DEMO_TOKEN)
        out.stdout.write(f"CNI emulator serving at {emulator.base_url}\n")
        if args.demo is not None:
            out.stdout.write(f"demo data in account {args.demo}\n")
        out.stdout.flush()
        await until_stopped()  # Ctrl-C where no handler can be installed: exit 130


def _rate_limit(text: str) -> tuple[int, float]:
    """`--rate-limit 1200/300`, read by the emulator's own parser (imported when used)."""
    from ..testing._ratelimit import rate_limit_option

    return rate_limit_option(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > _MAX_PORT:
        raise argparse.ArgumentTypeError(f"not a port number (0 to {_MAX_PORT}): {text!r}")
    return int(text)


def register(groups: Subparsers, parents: list[argparse.ArgumentParser]) -> None:
    """Add `emulator` to the command tree."""
    summary = "serve the fake CNI API until Ctrl-C (prints its base URL)"
    parser = groups.add_parser("emulator", help=summary, description=summary, parents=parents)
    parser.set_defaults(serve=_serve, needs_client=False)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8787, help="port; 0 picks a free one (8787)")
    parser.add_argument("--token", help="the only API token to accept (default: any)")
    parser.add_argument(
        "--rate-limit",
        type=_rate_limit,
        metavar="REQUESTS/SECONDS",
        help="enforce Cloudflare's rate limit per credential, e.g. 1200/300 (default: off)",
    )
    parser.add_argument(
        "--demo",
        nargs="?",
        const=DEMO_ACCOUNT,
        metavar="ACCOUNT",
        help=f"seed demo interconnects and a CNI in ACCOUNT ({DEMO_ACCOUNT})",
    )
