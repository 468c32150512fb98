"""`main()`: parse, make the client, run the command, and turn failures into exit statuses."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import AsyncGenerator, Generator

from .._client import Client
from ._common import UsageError
from ._emulator import DEMO_ACCOUNT, demo_emulator
from ._errors import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    describe,
    exit_status,
    is_expected,
    scrub,
    secrets_in_use,
)
from ._output import Output
from ._parser import parse_args

__all__ = ["main"]

_log = logging.getLogger("cni_async.cli")
_CREDENTIAL_VARIABLES = (
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_USER_SERVICE_KEY",
)


def main(argv: list[str] | None = None) -> int:
    """Run `cni-async` with `argv` (default: the process's arguments); returns the exit status.

    The console script calls it with no arguments and exits with what it returns.
    """
    try:
        args = parse_args(argv)
    except SystemExit as exc:  # argparse: --help and --version (0), usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    out = Output(args.output, sys.stdout, sys.stderr)
    with _debug_logs(enabled=args.verbose):
        try:
            asyncio.run(_run(args, out))
        except KeyboardInterrupt:
            out.error("interrupted")
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # pragma: no cover - run in a subprocess test
            _silence_stdout()  # the reader went away (`| head`); nothing more to say
            return EXIT_ERROR
        except Exception as exc:  # noqa: BLE001 - every failure becomes one line and a status
            if not is_expected(exc):  # a bug: its traceback goes to --verbose logs only
                _log.debug("unexpected failure", exc_info=True)
            out.error(scrub(describe(exc), secrets_in_use(args.api_token)))
            return exit_status(exc)
    return EXIT_OK


async def _run(args: argparse.Namespace, out: Output) -> None:
    if not args.needs_client:
        await args.serve(args, out)
        return
    async with _client(args) as cf:
        await args.handler(cf, args, out)


@contextlib.asynccontextmanager
async def _client(args: argparse.Namespace) -> AsyncGenerator[Client, None]:
    """The client the command uses: the real API's, or an in-process demo emulator's."""
    options = {"timeout": args.timeout, "max_retries": args.max_retries}
    if args.emulator:
        account_id = args.account_id or DEMO_ACCOUNT
        async with (
            demo_emulator(account_id) as base_url,
            Client(
                api_token="emulator",  # noqa: S106 - the emulator takes any token
                account_id=account_id,
                base_url=base_url,
                **options,
            ) as cf,
        ):
            yield cf
        return
    _check_configured(args)
    async with Client(
        api_token=args.api_token, account_id=args.account_id, base_url=args.base_url, **options
    ) as cf:
        yield cf


def _check_configured(args: argparse.Namespace) -> None:
    """Fail with the flags' and variables' names (the SDK's messages name its arguments)."""
    if args.api_token is None and not any(os.environ.get(n) for n in _CREDENTIAL_VARIABLES):
        raise UsageError(
            "no credentials: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_API_KEY with "
            "CLOUDFLARE_EMAIL, or CLOUDFLARE_API_USER_SERVICE_KEY), or pass --api-token"
        )
    if args.account_id is None and not os.environ.get("CLOUDFLARE_ACCOUNT_ID"):
        raise UsageError("no account id: pass --account-id or set CLOUDFLARE_ACCOUNT_ID")


@contextlib.contextmanager
def _debug_logs(*, enabled: bool) -> Generator[None, None, None]:
    """With --verbose, cni_async's DEBUG logs (credentials already redacted) go to stderr."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("cni_async")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _silence_stdout() -> None:  # pragma: no cover - only in that subprocess test
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
