"""The records handed to hooks: what happened, as frozen data, with no credential in it.

Every hook (`on_request`, `on_response`, `on_retry`) follows one rule: a plain
function or a coroutine function; an awaitable result is awaited.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import attrs

__all__ = [
    "RequestEvent",
    "RequestHook",
    "ResponseEvent",
    "ResponseHook",
    "RetryEvent",
    "RetryHook",
    "call_hook",
]

E = TypeVar("E")


@attrs.frozen
class RetryEvent:
    """A call is about to wait and try again.

    Attributes:
        call_id: the id shared by every attempt of one call (also in the logs).
        method: the HTTP method.
        path: the path template, e.g. `/accounts/{account_id}/cni/interconnects/{icon}`.
        attempt: the attempt that just failed, from 1.
        wait: the seconds the client will wait before the next attempt.
        cause: the error of the failed attempt.
    """

    call_id: int
    method: str
    path: str
    attempt: int
    wait: float
    cause: BaseException


@attrs.frozen
class RequestEvent:
    """One attempt is about to be sent. `headers` has every credential shown as '***'."""

    call_id: int
    method: str
    url: str
    path: str
    attempt: int
    headers: Mapping[str, str]


@attrs.frozen
class ResponseEvent:
    """One attempt ended: with a `status`, or with an `error` when no response came.

    Attributes:
        elapsed: seconds from sending to the last byte (or to the failure).
        request_id: the `cf-ray` header, when there was a response.
    """

    call_id: int
    method: str
    url: str
    path: str
    attempt: int
    elapsed: float
    status: int | None = None
    request_id: str | None = None
    error: BaseException | None = None


RetryHook = Callable[[RetryEvent], "Awaitable[None] | None"]
"""Called with a `RetryEvent` before each retry; sync or async."""
RequestHook = Callable[[RequestEvent], "Awaitable[None] | None"]
"""Called with a `RequestEvent` before each attempt is sent; sync or async."""
ResponseHook = Callable[[ResponseEvent], "Awaitable[None] | None"]
"""Called with a `ResponseEvent` after each attempt; sync or async."""


async def call_hook(hook: Callable[[E], Awaitable[None] | None], event: E) -> None:
    """Call a hook with its event; await what it returns if that is awaitable."""
    result = hook(event)
    if inspect.isawaitable(result):
        await result
