"""Client-side limits shared by every task using a client.

- `RateLimit` (`_ratelimit.py`): at most `requests` per `per` seconds over any window, held by a
  sliding log of send times (Cloudflare blocks the rest of its 5-minute window
  once 1,200 requests are exceeded, so a token bucket's bursts are not enough).
  In this process by default; with `redis_url`, in Redis, shared by every
  process using the same credential (see `_redis_limit`).
- `max_concurrency`: at most N requests in flight.
- The `Ratelimit` / `Ratelimit-Policy` response headers (and the older
  `Ratelimit-Remaining` / `Ratelimit-Reset`): when the API says the budget is
  spent, new requests wait for its reset instead of earning a 429; when it
  runs low, requests are spaced out over what is left of the window, unless
  the client's own `RateLimit` already keeps to the policy the API announces.

A call held back by one of them for more than a second is announced by one
INFO line on the `cni_async` logger, once per wait however many calls queue.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ._exceptions import ConfigurationError
from ._ratelimit import RateLimit, shared_key

if TYPE_CHECKING:
    from ._redis_limit import RedisWindow

__all__ = ["Limits", "LocalWindow", "parse_ratelimit"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_log = logging.getLogger("cni_async")
_R = re.compile(r"(?:^|;)\s*r=(\d+)")
_T = re.compile(r"(?:^|;)\s*t=(\d+)")
_Q = re.compile(r"(?:^|;)\s*q=(\d+)")
_W = re.compile(r"(?:^|;)\s*w=(\d+(?:\.\d+)?)")
# Below this share of its quota left, requests are spaced over the rest of the window.
_PACE_BELOW = 0.1
# A hold longer than this (seconds) is announced at INFO.
_ANNOUNCE_AFTER = 1.0
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@attrs.frozen
class ServerBudget:
    """What the API's rate-limit headers said: requests `remaining`, `reset` in seconds."""

    remaining: int
    reset: float
    quota: int | None = None
    window: float | None = None  # the policy's `w`, seconds


def parse_ratelimit(headers: Mapping[str, str]) -> ServerBudget | None:
    """Read `Ratelimit: "default";r=5;t=30` (or `Ratelimit-Remaining`/`-Reset`); None if absent."""
    combined = headers.get("ratelimit")
    if combined is not None:
        remaining, reset = _R.search(combined), _T.search(combined)
        if remaining is None or reset is None:
            return None
        policy = headers.get("ratelimit-policy", "")
        quota, window = _Q.search(policy), _W.search(policy)
        return ServerBudget(
            int(remaining[1]),
            float(reset[1]),
            int(quota[1]) if quota else None,
            float(window[1]) if window else None,
        )
    remaining_raw, reset_raw = headers.get("ratelimit-remaining"), headers.get("ratelimit-reset")
    if remaining_raw is None or reset_raw is None:
        return None
    try:
        limit_raw = headers.get("ratelimit-limit")
        return ServerBudget(
            int(remaining_raw), float(reset_raw), int(limit_raw) if limit_raw else None
        )
    except ValueError:
        return None


class LimitWaitTooLongError(Exception):
    """A limit asks for a longer wait than allowed; nothing was sent."""

    def __init__(self, wait: float, *, from_server: bool) -> None:
        super().__init__(f"a rate limit asks to wait {wait:.1f} s")
        self.wait = wait
        self.from_server = from_server


class LocalWindow:
    """The sliding log of one process's send times."""

    def __init__(self, rate: RateLimit, clock: Clock) -> None:
        self._rate = rate
        self._sent: deque[float] = deque()
        self._clock = clock

    def take(self) -> float:
        """0.0 when a request may go now (it is logged), else the seconds to wait."""
        now = self._clock()
        rate, sent = self._rate, self._sent
        while sent and now - sent[0] >= rate.per:
            sent.popleft()
        if len(sent) < rate.requests:
            sent.append(now)
            return 0.0
        return sent[0] + rate.per - now

    def record(self) -> None:
        """Log a send allowed elsewhere (by Redis), so a fallback knows this process's own."""
        now = self._clock()
        sent = self._sent
        sent.append(now)
        while now - sent[0] >= self._rate.per or len(sent) > self._rate.requests:
            sent.popleft()


class _Notice:
    """One INFO line per hold longer than a second, not one per call held."""

    def __init__(self) -> None:
        self._until = float("-inf")  # the end of the last hold announced

    def hold(self, now: float, wait: float, what: str) -> None:
        if wait > _ANNOUNCE_AFTER and now >= self._until:
            _log.info("%s holds calls back for %.1f s", what, wait)
        self._until = max(self._until, now + wait)

    def held(self, started: float, now: float, what: str) -> None:
        if now - started > _ANNOUNCE_AFTER and started >= self._until:
            _log.info("%s held a call back for %.1f s", what, now - started)
            self._until = now


class Limits:
    """The limits of one client; `acquire` before each attempt, `observe` each response."""

    def __init__(
        self,
        rate_limit: RateLimit | None,
        max_concurrency: int | None,
        *,
        auth_headers: Mapping[str, str] = _NO_HEADERS,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rate = rate_limit
        self._local = None if rate_limit is None else LocalWindow(rate_limit, clock)
        self._shared: RedisWindow | None = None
        if rate_limit is not None and rate_limit.redis_url is not None:
            self._shared = _redis_window(rate_limit, auth_headers, self._local, clock)
        self._max_concurrency = max_concurrency
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._clock = clock
        self._sleep = sleep
        self._not_before = 0.0  # no request before this instant (server headers)
        self._notices = (_Notice(), _Notice(), _Notice())  # rate limit, API headers, cap
        self._rate_what = "" if rate_limit is None else _describe(rate_limit)

    async def acquire(self, *, max_server_wait: float, remaining: float | None = None) -> None:
        """Wait for a concurrency slot, then for the rate limits.

        Raises LimitWaitTooLongError, before waiting, when a wait would pass the
        call's `remaining` time, or when the API's own headers ask for longer
        than `max_server_wait`; `RedisUnavailableError` when a shared budget's
        Redis cannot be used (and `local_fallback` is off).
        """
        # The slot comes first so the send time logged below is close to the real one.
        slots = self._slots
        if slots is not None:
            if slots.locked():
                started = self._clock()
                await slots.acquire()
                what = f"max_concurrency={self._max_concurrency}"
                self._notices[2].held(started, self._clock(), what)
            else:
                await slots.acquire()
        try:
            await self._wait_for_budget(max_server_wait, remaining)
        except BaseException:
            self.release()
            raise

    async def _wait_for_budget(self, max_server_wait: float, remaining: float | None) -> None:
        while True:
            wait = self._not_before - self._clock()
            if wait > 0:
                if wait > max_server_wait:
                    raise LimitWaitTooLongError(wait, from_server=True)
                what = "the API's Ratelimit header"
                remaining = await self._hold(wait, remaining, self._notices[1], what)
                continue
            wait, reserved = await self._take(remaining)
            if wait <= 0:
                return
            remaining = await self._hold(wait, remaining, self._notices[0], self._rate_what)
            if reserved:  # Redis gave this call its place at the end of the wait
                return

    async def _take(self, remaining: float | None) -> tuple[float, bool]:
        """The window's wait (0.0: go now, recorded) and whether the place is reserved."""
        if self._shared is not None:
            return await self._shared.take(remaining)
        return (0.0 if self._local is None else self._local.take()), False

    async def _hold(
        self, wait: float, remaining: float | None, notice: _Notice, what: str
    ) -> float | None:
        """Sleep `wait` for a limit, announced if long; the call's time left after it."""
        if remaining is not None and wait >= remaining:
            raise LimitWaitTooLongError(wait, from_server=False)
        notice.hold(self._clock(), wait, what)
        await self._sleep(wait)
        return None if remaining is None else remaining - wait

    def release(self) -> None:
        """Give back the concurrency slot taken by `acquire`."""
        if self._slots is not None:
            self._slots.release()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Slow down from what the API's rate-limit headers say is left."""
        budget = parse_ratelimit(headers)
        if budget is None:
            return
        now = self._clock()
        if budget.remaining <= 0:
            self._not_before = max(self._not_before, now + budget.reset)
        elif (
            budget.quota
            and budget.remaining < budget.quota * _PACE_BELOW
            and not self._keeps_to(budget)
        ):
            self._not_before = max(self._not_before, now + budget.reset / budget.remaining)

    def _keeps_to(self, budget: ServerBudget) -> bool:
        """Whether the client's own window already keeps to the API's policy.

        Then spacing out the last tenth is left to that window, which knows the
        exact send times (the headers' `t` is in whole seconds); `r=0` still holds
        calls back, for requests the window cannot see (other tools, one token).
        """
        rate = self._rate
        return (
            rate is not None
            and budget.quota is not None
            and budget.window is not None
            and rate.requests <= budget.quota
            and rate.per >= budget.window
        )

    async def aclose(self) -> None:
        """Close the shared budget's Redis connections, if any; calling it again does nothing."""
        if self._shared is not None:
            await self._shared.aclose()


def _describe(rate: RateLimit) -> str:
    where = "shared through Redis" if rate.redis_url is not None else "in this process"
    return f"the rate limit ({rate.requests} requests per {rate.per:g} s, {where})"


def _redis_window(
    rate: RateLimit, auth_headers: Mapping[str, str], local: LocalWindow | None, clock: Clock
) -> RedisWindow:
    try:
        from ._redis_limit import RedisWindow
    except ImportError:
        msg = "RateLimit(redis_url=...) needs redis-py: pip install 'cni-async[redis]'"
        raise ConfigurationError(msg) from None
    fallback = local if rate.local_fallback else None
    return RedisWindow(rate, shared_key(rate.key, auth_headers), fallback, clock)
