"""Polling until something is true: a status reached, or an object gone.

Polls back off from `interval` by half again each time up to `max_interval`,
and never sleep past the waiter's timeout. Cancelling the awaiting task stops
the waiter at once; nothing is left running. A status waiter logs the first
state it sees and each change at INFO, so a wait of hours can be followed.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable

from ._exceptions import (
    InterconnectDownError,
    NotFoundError,
    RequestValidationError,
    WaitTimeoutError,
)
from ._models import InterconnectStatus

__all__ = ["poll_status", "poll_until_gone"]

BAD_STATES = frozenset({"Down", "Unhealthy"})
_BACKOFF = 1.5
_log = logging.getLogger("cni_async")


def _check(timeout: float, interval: float, max_interval: float, allow_down_for: float) -> None:
    for name, value in (
        ("timeout", timeout),
        ("interval", interval),
        ("max_interval", max_interval),
        ("allow_down_for", allow_down_for),
    ):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (value >= 0 and math.isfinite(value))
        ):
            msg = f"{name}: must be a finite number of seconds >= 0, got {value!r}"
            raise RequestValidationError(msg, field=name)


async def _pause(interval: float, deadline: float) -> bool:
    """Sleep for `interval` but not past `deadline`; False when no time is left."""
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    await asyncio.sleep(min(interval, left))
    return True


def _log_state(
    status: InterconnectStatus,
    previous: str | None,
    *,
    name: str,
    account: str,
    target: str,
    elapsed: float,
) -> None:
    """One INFO line: the first state seen, or a change; its parts also as record attributes."""
    reason = f" ({status.reason})" if status.reason else ""
    change = status.state if previous is None else f"{previous} -> {status.state}"
    _log.info(
        "interconnect %r in account %r: %s%s, %.1f s into the wait for %s",
        *(name, account, change, reason, elapsed, target),
        extra={
            "interconnect": name,
            "account": account,
            "previous_state": previous,
            "state": status.state,
            "reason": status.reason,
            "elapsed": elapsed,
            "target": target,
        },
    )


async def poll_status(
    fetch: Callable[[], Awaitable[InterconnectStatus]],
    target: str,
    *,
    name: str,
    account: str,
    timeout: float,
    interval: float,
    max_interval: float,
    allow_down_for: float,
) -> InterconnectStatus:
    """Poll `fetch` until its state is `target`; see `Interconnects.wait_for_status`."""
    _check(timeout, interval, max_interval, allow_down_for)
    what = f"interconnect {name!r}"
    started = time.monotonic()
    deadline = started + timeout
    bad_since: float | None = None
    previous: str | None = None
    while True:
        status = await fetch()
        now = time.monotonic()
        if status.state != previous:
            _log_state(
                status, previous, name=name, account=account, target=target, elapsed=now - started
            )
            previous = status.state
        if status.state == target:
            return status
        if status.state in BAD_STATES:
            bad_since = now if bad_since is None else bad_since
            if now - bad_since >= allow_down_for:
                raise InterconnectDownError(
                    f"{what} is {status.state}"
                    + (f" ({status.reason})" if status.reason else "")
                    + f" after {now - started:.1f} s, waiting for {target}",
                    status=status,
                    elapsed=now - started,
                )
        else:
            bad_since = None
        if not await _pause(interval, deadline):
            raise WaitTimeoutError(
                f"{what} is still {status.state} after {timeout:g} s, waiting for {target}",
                status=status,
                elapsed=time.monotonic() - started,
            )
        interval = min(interval * _BACKOFF, max_interval)


async def poll_until_gone(
    fetch: Callable[[], Awaitable[object]],
    *,
    what: str,
    timeout: float,
    interval: float,
    max_interval: float,
) -> None:
    """Poll `fetch` until it raises NotFoundError; see `Interconnects.wait_until_deleted`."""
    _check(timeout, interval, max_interval, 0.0)
    started = time.monotonic()
    deadline = started + timeout
    while True:
        try:
            await fetch()
        except NotFoundError:
            return
        if not await _pause(interval, deadline):
            raise WaitTimeoutError(
                f"{what} still exists after {timeout:g} s",
                status=None,
                elapsed=time.monotonic() - started,
            )
        interval = min(interval * _BACKOFF, max_interval)
