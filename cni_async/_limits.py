"""Client-side limits shared by every task using a client.

- `RateLimit`: at most `requests` per `per` seconds over any window, held by a
  sliding log of send times (Cloudflare blocks the rest of its 5-minute window
  once 1,200 requests are exceeded, so a token bucket's bursts are not enough).
- `max_concurrency`: at most N requests in flight.
- The `Ratelimit` / `Ratelimit-Policy` response headers (and the older
  `Ratelimit-Remaining` / `Ratelimit-Reset`): when the API says the budget is
  spent, new requests wait for its reset instead of earning a 429; when it
  runs low, requests are spaced out over what is left of the window.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping

import attrs

__all__ = ["Limits", "RateLimit", "parse_ratelimit"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_R = re.compile(r"(?:^|;)\s*r=(\d+)")
_T = re.compile(r"(?:^|;)\s*t=(\d+)")
_Q = re.compile(r"(?:^|;)\s*q=(\d+)")
# Below this share of its quota left, requests are spaced over the rest of the window.
_PACE_BELOW = 0.1


@attrs.frozen
class RateLimit:
    """At most `requests` requests in any `per` seconds, shared by all tasks of a client.

    `RateLimit.cloudflare()` is Cloudflare's API budget: 1,200 requests per 5 minutes.
    """

    requests: int = attrs.field(validator=attrs.validators.ge(1))
    per: float = attrs.field(validator=attrs.validators.gt(0))

    @classmethod
    def cloudflare(cls) -> RateLimit:
        """Cloudflare's documented global limit: 1,200 requests per 300 seconds per user."""
        return cls(requests=1200, per=300.0)


@attrs.frozen
class ServerBudget:
    """What the API's rate-limit headers said: requests `remaining`, `reset` in seconds."""

    remaining: int
    reset: float
    quota: int | None = None


def parse_ratelimit(headers: Mapping[str, str]) -> ServerBudget | None:
    """Read `Ratelimit: "default";r=5;t=30` (or `Ratelimit-Remaining`/`-Reset`); None if absent."""
    combined = headers.get("ratelimit")
    if combined is not None:
        remaining, reset = _R.search(combined), _T.search(combined)
        if remaining is None or reset is None:
            return None
        quota = _Q.search(headers.get("ratelimit-policy", ""))
        return ServerBudget(int(remaining[1]), float(reset[1]), int(quota[1]) if quota else None)
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


class Limits:
    """The limits of one client; `acquire` before each attempt, `observe` each response."""

    def __init__(
        self,
        rate_limit: RateLimit | None,
        max_concurrency: int | None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._rate = rate_limit
        self._sent: deque[float] = deque()
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency else None
        self._clock = clock
        self._sleep = sleep
        self._not_before = 0.0  # no request before this instant (server headers)

    async def acquire(self, *, max_server_wait: float, remaining: float | None = None) -> None:
        """Wait for a concurrency slot, then for the rate limits.

        Raises LimitWaitTooLongError, before waiting, when a wait would pass the
        call's `remaining` time, or when the API's own headers ask for longer
        than `max_server_wait`.
        """
        # The slot comes first so the send time logged below is close to the real one.
        if self._slots is not None:
            await self._slots.acquire()
        try:
            await self._wait_for_budget(max_server_wait, remaining)
        except BaseException:
            self.release()
            raise
        if self._rate is not None:
            self._sent.append(self._clock())

    async def _wait_for_budget(self, max_server_wait: float, remaining: float | None) -> None:
        while True:
            now = self._clock()
            wait, from_server = self._not_before - now, True
            if wait <= 0:
                wait, from_server = self._window_wait(now), False
            if wait <= 0:
                return
            if (remaining is not None and wait >= remaining) or (
                from_server and wait > max_server_wait
            ):
                raise LimitWaitTooLongError(wait, from_server=from_server)
            await self._sleep(wait)
            if remaining is not None:
                remaining -= wait

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
        elif budget.quota and budget.remaining < budget.quota * _PACE_BELOW:
            self._not_before = max(self._not_before, now + budget.reset / budget.remaining)

    def _window_wait(self, now: float) -> float:
        rate = self._rate
        if rate is None:
            return 0.0
        sent = self._sent
        while sent and now - sent[0] >= rate.per:
            sent.popleft()
        if len(sent) < rate.requests:
            return 0.0
        return sent[0] + rate.per - now
