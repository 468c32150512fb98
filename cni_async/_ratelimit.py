"""`RateLimit`: the budget a client keeps to, in this process or shared through Redis.

What a user configures lives here; how it is enforced lives in `_limits.py`
(in this process) and `_redis_limit.py` (through Redis).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import urlsplit

import attrs

from ._exceptions import ConfigurationError

__all__ = ["RateLimit", "redacted_url", "shared_key"]

_REDIS_SCHEMES = ("redis", "rediss", "unix")


def redacted_url(url: str | None) -> str | None:
    """`url` with any user:password@ shown as `***@`, for reprs, logs and errors."""
    if url is None:
        return None
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def _check_redis_url(_: object, __: object, url: str | None) -> None:
    if url is None:
        return
    if not isinstance(url, str) or urlsplit(url).scheme not in _REDIS_SCHEMES:
        # Not echoed: a Redis URL may carry a password.
        raise ConfigurationError("redis_url must be a redis://, rediss:// or unix:// URL")


def _check_key(_: object, __: object, key: str | None) -> None:
    if key is not None and (not isinstance(key, str) or not key):
        raise ConfigurationError("key must be a non-empty string")


@attrs.frozen
class RateLimit:
    """At most `requests` requests in any `per` seconds, shared by all tasks of a client.

    `RateLimit.cloudflare()` is Cloudflare's API budget: 1,200 requests per 5 minutes.

    With `redis_url` (needs `pip install 'cni-async[redis]'`), the budget is kept
    in Redis and shared by every client, in any process on any host, that uses
    the same credential (and the same `key`): worker processes of one batch job
    then spend one budget between them instead of one each. Each call costs one
    Redis round trip, an atomic script that takes its place in the window by
    Redis's own clock. If Redis cannot be reached the call raises
    `RedisUnavailableError`, nothing sent; with `local_fallback=True` it is
    limited in this process alone instead (one WARNING when that starts).

    Args:
        requests: the budget, in requests.
        per: the window, in seconds.
        redis_url: `redis://[[user]:password@]host[:port][/db]` (or `rediss://`,
            `unix://`) of the Redis that keeps the shared budget; None (default):
            this client only. Timeouts default to 5 s; the URL's
            `?socket_timeout=...` and `?socket_connect_timeout=...` change them.
        key: a namespace for the shared budget, for clients with one credential
            that must not share (two jobs on different budgets, say).
        local_fallback: when Redis cannot be reached, limit in this process
            instead of raising (each worker then spends up to the whole budget).
    """

    requests: int = attrs.field(validator=attrs.validators.ge(1))
    per: float = attrs.field(validator=attrs.validators.gt(0))
    redis_url: str | None = attrs.field(
        default=None, validator=_check_redis_url, repr=lambda url: repr(redacted_url(url))
    )
    key: str | None = attrs.field(default=None, kw_only=True, validator=_check_key)
    local_fallback: bool = attrs.field(default=False, kw_only=True)

    @classmethod
    def cloudflare(
        cls, redis_url: str | None = None, *, key: str | None = None, local_fallback: bool = False
    ) -> RateLimit:
        """Cloudflare's documented global limit: 1,200 requests per 300 seconds per user.

        `redis_url`, `key` and `local_fallback` share it between processes, as for
        `RateLimit(...)`.
        """
        return cls(1200, 300.0, redis_url, key=key, local_fallback=local_fallback)


def shared_key(namespace: str | None, auth_headers: Mapping[str, str]) -> str:
    """The Redis key of a shared budget: a SHA-256 of the credential, never the credential."""
    credential = "\n".join(f"{k.lower()}: {v}" for k, v in sorted(auth_headers.items()))
    digest = hashlib.sha256(credential.encode()).hexdigest()
    scope = f"{namespace}:" if namespace is not None else ""
    return f"cni_async:ratelimit:{scope}{digest}"
