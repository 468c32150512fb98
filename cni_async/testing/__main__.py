"""Serve the CNI emulator until interrupted: `python -m cni_async.testing`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from cni_async.testing._emulator import Emulator
from cni_async.testing._ratelimit import rate_limit_option
from cni_async.testing._signals import until_stopped


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cni_async.testing",
        description="Serve a stateful emulator of Cloudflare's CNI API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to bind; 0 picks one (8787)")
    parser.add_argument("--token", default=None, help="the only API token to accept")
    parser.add_argument(
        "--status-polls",
        type=int,
        default=2,
        help="status requests answered Pending before Healthy (2)",
    )
    parser.add_argument(
        "--status-seconds",
        type=float,
        default=None,
        help="answer Pending for this many seconds after creation instead",
    )
    parser.add_argument("--page-size", type=int, default=20, help="default page size (20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of generated ids (0)")
    parser.add_argument(
        "--rate-limit",
        type=rate_limit_option,
        default=None,
        metavar="REQUESTS/SECONDS",
        help="enforce Cloudflare's rate limit per credential, e.g. 1200/300 (default: off)",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        host=args.host,
        port=args.port,
        token=args.token,
        status_polls=args.status_polls,
        status_seconds=args.status_seconds,
        default_page_size=args.page_size,
        seed=args.seed,
        rate_limit=args.rate_limit,
    )
    async with emulator:
        print(f"CNI emulator serving at {emulator.base_url}", flush=True)  # noqa: T201 - the CLI's output
        await until_stopped()


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C without a handler (Windows)
        return 0
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's output
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
