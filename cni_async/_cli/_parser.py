"""The command tree and the global options, which go before or after the command."""

from __future__ import annotations

import argparse

from .._version import __version__
from . import _cnis, _emulator, _interconnects, _settings, _slots
from ._common import non_negative_int, seconds

__all__ = ["parse_args"]

# Global options are declared on every (sub)parser with SUPPRESS so that a later
# parser never overwrites one given earlier; their defaults are applied here.
_DEFAULTS: dict[str, object] = {
    "output": "json",
    "emulator": False,
    "api_token": None,
    "account_id": None,
    "base_url": None,
    "timeout": 60.0,
    "max_retries": 2,
    "verbose": False,
}

_EPILOG = """\
credentials (one scheme), from the environment:
  CLOUDFLARE_API_TOKEN                          an API token (preferred), or
  CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL         a global API key and its e-mail, or
  CLOUDFLARE_API_USER_SERVICE_KEY               an Origin CA key
  CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_BASE_URL    the account and the API root
  --api-token, --account-id and --base-url override them. A token given as a
  flag is visible to other users of this machine (ps); prefer the variable.

output:
  JSON by default, one object per line (lists are JSON lines): pipe into jq.
  It is the API's data as is, a CNI's bgp.md5_key included. --output table
  is for people and shows an MD5 key as ***. Errors are one line on stderr.

--emulator runs the command against an in-process emulator seeded with demo
data (account demo-account unless --account-id is given); its state lasts for
that one command. `cni-async emulator --demo` serves one that lasts.

exit status:
  0 success, 1 failure (wait gave up, file not written...), 2 usage (command
  line, a value refused before sending, no credentials or account id), 3 API
  error status, 4 no answer from the API (connection failed, timed out),
  130 interrupted.

examples:
  cni-async --emulator interconnects list --output table
  cni-async slots list --free --site SJC | jq -r .id
  cni-async interconnects create --slot-id UUID --speed 10G
  cni-async wait sjc-1 && cni-async interconnects loa sjc-1 --out sjc-1.pdf
"""


def _global_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    group = options.add_argument_group("global options")
    group.add_argument("--output", choices=("json", "table"), help="json (default) or table")
    group.add_argument(
        "--emulator", action="store_true", help="run against an in-process demo emulator"
    )
    group.add_argument(
        "--api-token",
        metavar="TOKEN",
        help="API token; visible to other users in ps: prefer CLOUDFLARE_API_TOKEN",
    )
    group.add_argument("--account-id", metavar="ID", help="account (CLOUDFLARE_ACCOUNT_ID)")
    group.add_argument("--base-url", metavar="URL", help="API root (CLOUDFLARE_BASE_URL)")
    group.add_argument(
        "--timeout", type=seconds, metavar="SECONDS", help="per request attempt (60)"
    )
    group.add_argument(
        "--max-retries", type=non_negative_int, metavar="N", help="retries per request (2)"
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", help="DEBUG logs on stderr (credentials hidden)"
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    options = _global_options()
    parser = argparse.ArgumentParser(
        prog="cni-async",
        description="Cloudflare Network Interconnects (CNI) from the command line.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[options],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    for module in (_interconnects, _cnis, _slots, _settings):
        module.register(groups, [options])
    _interconnects.register_wait_alias(groups, [options])
    _emulator.register(groups, [options])
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line; argparse exits with status 2 on a usage error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, value in _DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    if args.emulator and (args.base_url is not None or not args.needs_client):
        parser.error("--emulator cannot be combined with --base-url or the emulator command")
    return args
