"""What every command module shares: the usage error, argument types, and leaf parsers."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .._client import Client
from ._output import Output

__all__ = [
    "Handler",
    "Subparsers",
    "UsageError",
    "add_leaf",
    "add_list_options",
    "non_negative_int",
    "positive_int",
    "seconds",
]


class Subparsers(Protocol):
    """What `add_subparsers()` returns, as the commands use it (argparse names no type)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:  # noqa: ANN401 - argparse's keywords
        """Add one command."""
        ...


Handler = Callable[[Client, argparse.Namespace, Output], Awaitable[None]]


class UsageError(Exception):
    """The command line asks for something impossible; exit status 2, like argparse."""


def add_leaf(
    subparsers: Subparsers,
    name: str,
    summary: str,
    handler: Handler,
    parents: list[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add one runnable subcommand whose `handler` gets a ready client."""
    parser = subparsers.add_parser(name, help=summary, description=summary, parents=parents)
    parser.set_defaults(handler=handler, needs_client=True)
    return parser


def _integer(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0."""
    return _integer(text, 0)


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    return _integer(text, 1)


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value >= 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def add_list_options(parser: argparse.ArgumentParser) -> None:
    """The paging options every list takes, after its own filters."""
    parser.add_argument("--limit", type=non_negative_int, metavar="N", help="page size")
    parser.add_argument(
        "--cursor", type=int, metavar="N", help="start from this cursor (a page's `next`)"
    )
    parser.add_argument(
        "--max-items", type=positive_int, metavar="N", help="stop after N items (all)"
    )
