"""Exit statuses, and the one line that explains a failure.

- 0: success.
- 1: any other failure: a wait that gave up, an API answer of the wrong shape,
  a file that could not be written.
- 2: usage: a bad command line (argparse's own status), a value the SDK refuses
  before sending (`--default-asn 99999999999`, an id that is not a UUID), no
  credentials or account id, a bad setting such as `--timeout 0`.
- 3: the API answered with an HTTP error status (400, 404, 409, 5xx...).
- 4: no answer from the API: connection refused or dropped, or timed out.
- 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from .._exceptions import (
    APIConnectionError,
    APIStatusError,
    CNIError,
    ConfigurationError,
    RequestValidationError,
)
from ._common import UsageError

__all__ = [
    "EXIT_API",
    "EXIT_CONNECTION",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "describe",
    "exit_status",
    "is_expected",
    "scrub",
    "secrets_in_use",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_API = 3
EXIT_CONNECTION = 4
EXIT_INTERRUPTED = 130

_SECRET_VARIABLES = (
    "CLOUDFLARE_API_TOKEN",
    "CLOUDFLARE_API_KEY",
    "CLOUDFLARE_EMAIL",
    "CLOUDFLARE_API_USER_SERVICE_KEY",
)
_SHORTEST_SECRET = 4  # shorter "secrets" would blank out ordinary words


def exit_status(exc: BaseException) -> int:
    """The exit status of a command that raised `exc`."""
    if isinstance(exc, (UsageError, ConfigurationError, RequestValidationError)):
        return EXIT_USAGE
    if isinstance(exc, APIStatusError):
        return EXIT_API
    if isinstance(exc, APIConnectionError):
        return EXIT_CONNECTION
    return EXIT_ERROR


def is_expected(exc: BaseException) -> bool:
    """Whether `exc` is a failure the CLI explains (not a bug in it)."""
    return isinstance(exc, (CNIError, UsageError, OSError))


def describe(exc: BaseException) -> str:
    """What went wrong, for people: the SDK's message, with the request id of an API error."""
    if isinstance(exc, APIStatusError) and exc.request_id:
        return f"{exc} (cf-ray {exc.request_id})"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    if is_expected(exc):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def secrets_in_use(api_token: str | None) -> list[str]:
    """Every credential the command could send: the flag's and the environment's."""
    values = [api_token, *(os.environ.get(name) for name in _SECRET_VARIABLES)]
    return [value for value in values if value and len(value) >= _SHORTEST_SECRET]


def scrub(message: str, secrets: Iterable[str]) -> str:
    """`message` with every credential shown as `***`.

    The SDK never puts one in a message; this is belt and braces.
    """
    for secret in secrets:
        message = message.replace(secret, "***")
    return message
