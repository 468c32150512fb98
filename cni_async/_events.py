"""The records handed to hooks: what happened, as frozen data, with no credential in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import attrs

__all__ = ["RequestEvent", "ResponseEvent", "RetryEvent"]


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
RequestHook = Callable[[RequestEvent], Awaitable[None]]
ResponseHook = Callable[[ResponseEvent], Awaitable[None]]
