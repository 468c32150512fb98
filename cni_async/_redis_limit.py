"""A rate limit's window kept in Redis, shared by every process that uses one credential.

Imported only when a `RateLimit` has a `redis_url`: nothing else in the package
imports redis. Each acquisition is one round trip running `_SCRIPT`, which
reads the clock of Redis itself (`TIME`), so hosts whose clocks disagree still
share one window, and which trims the window, finds the caller's place and
records it in one atomic step: no two clients can take the same place. A
caller that must wait is given a place in the future and sleeps until then,
without asking again: one round trip per call however many processes contend.

The window is a sorted set of sends scored by microsecond, under a key derived
from a SHA-256 of the credential (see `shared_key`), never the credential.
"""

from __future__ import annotations

import itertools
import logging
import secrets
from urllib.parse import urlsplit

import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from ._exceptions import ClientClosedError, RedisUnavailableError
from ._limits import Clock, LimitWaitTooLongError, LocalWindow
from ._ratelimit import RateLimit, redacted_url

__all__ = ["RedisWindow"]

_log = logging.getLogger("cni_async")
# KEYS[1]: the window; ARGV: requests, per, the longest wait the caller accepts (both in
# microseconds, the latter -1 for no bound), a unique member. The caller's place is the
# earliest instant at which the window has room, by Redis's clock: now, or when the send
# `requests` places back leaves the window (places are taken in order, so later ones are
# never earlier). Returns 0 (go now, recorded), the microseconds to wait (the place is
# recorded at that instant), or minus that wait when it is longer than the caller accepts
# (nothing recorded).
_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local requests = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local longest = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - per)
local count = redis.call('ZCARD', KEYS[1])
local at = now
if count >= requests then
    local back = redis.call('ZRANGE', KEYS[1], count - requests, count - requests, 'WITHSCORES')
    at = math.max(now, tonumber(back[2]) + per)
end
local wait = at - now
if longest >= 0 and wait >= longest then
    return -wait
end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil((wait + per) / 1000) + 1000)
return wait
"""
# Seconds to wait before a Redis that failed is tried again, when falling back.
RETRY_REDIS_AFTER = 10.0
_TIMEOUT = 5.0  # seconds, to connect and for each answer, unless the URL says otherwise


class RedisWindow:
    """A shared sliding window: `take()` is one atomic script on Redis.

    `fallback`: the process's own window, used while Redis cannot be reached
    (`RateLimit.local_fallback`); without one, that raises `RedisUnavailableError`.
    """

    def __init__(
        self, rate: RateLimit, key: str, fallback: LocalWindow | None, clock: Clock
    ) -> None:
        self._rate = rate
        self._url = str(rate.redis_url)
        self.key = key
        self._fallback = fallback
        self._clock = clock
        self._per_us = round(rate.per * 1_000_000)
        self._member = f"{secrets.token_hex(8)}:%d"  # unique among all processes
        self._sends = itertools.count()
        self._client: redis.asyncio.Redis | None = None
        self._script: AsyncScript | None = None
        self._down_until: float | None = None  # falling back until then
        self._closed = False

    def _connect(self) -> AsyncScript:
        """The script on its client, made in the running loop on first use (connects on demand).

        It runs by EVALSHA, loading itself once if Redis does not know it yet.
        """
        if self._closed:
            raise ClientClosedError("this Client is closed; create a new one to send more requests")
        if self._script is None:
            self._client = redis.asyncio.Redis.from_url(  # pyright: ignore[reportUnknownMemberType] - redis-py leaves **kwargs untyped
                self._url,
                socket_timeout=_TIMEOUT,
                socket_connect_timeout=_TIMEOUT,
                # Once, at once: a pooled connection may be stale after a Redis restart.
                retry=Retry(NoBackoff(), 1),
            )
            self._script = self._client.register_script(_SCRIPT)
        return self._script

    async def take(self, remaining: float | None) -> tuple[float, bool]:
        """Take a place in the window: the seconds until it comes (0.0: now), and True.

        Raises LimitWaitTooLongError, taking nothing, when the place is
        `remaining` seconds away or more. While falling back, the process's own
        window answers instead: `(LocalWindow.take(), False)`, nothing reserved.
        """
        script = self._connect()
        fallback, down_until = self._fallback, self._down_until
        if fallback is not None and down_until is not None and self._clock() < down_until:
            return fallback.take(), False
        member = self._member % next(self._sends)
        longest = -1 if remaining is None else max(round(remaining * 1_000_000), 0)
        try:
            wait = int(
                await script([self.key], [self._rate.requests, self._per_us, longest, member])
            )
        except (RedisError, OSError) as exc:
            return self._unavailable(exc)
        if self._down_until is not None:
            self._down_until = None
            _log.info("the shared rate limit's Redis is back: calls share its budget again")
        if wait < 0:
            raise LimitWaitTooLongError(-wait / 1_000_000, from_server=False)
        if fallback is not None:
            fallback.record()
        return wait / 1_000_000, True

    def _unavailable(self, exc: Exception) -> tuple[float, bool]:
        where = redacted_url(self._url)
        password = urlsplit(self._url).password
        reason = f"{type(exc).__name__}: {exc}"
        if password:
            reason = reason.replace(password, "***")
        if self._fallback is None:
            msg = f"the shared rate limit's Redis at {where} could not be used ({reason})"
            raise RedisUnavailableError(msg) from exc
        if self._down_until is None:
            _log.warning(
                "the shared rate limit's Redis at %s could not be used (%s): "
                "limiting calls in this process only until it is back",
                *(where, reason),
            )
        self._down_until = self._clock() + RETRY_REDIS_AFTER
        return self._fallback.take(), False

    async def aclose(self) -> None:
        """Close the connections to Redis; further takes raise `ClientClosedError`."""
        self._closed = True
        client, self._client, self._script = self._client, None, None
        if client is not None:
            await client.aclose()
