"""The transport seam: what the pipeline needs from HTTP, and nothing of aiohttp.

```
Pipeline --Request--> Transport.send() --Response--> Pipeline
                            | TransportError(phase, reason, timed_out)
```

A `Transport` sends one `Request` and returns the whole `Response` (status,
headers, body read to the end), or raises `TransportError` saying in which
phase it failed, which decides whether the request may have reached the
server. `AiohttpTransport` (in `_aiohttp.py`, imported on first use) is the
real one; the tests use an in-memory one.

Credentials ride in `Headers`, a mapping whose repr hides them, so a
traceback rendered with its frames' locals (as error trackers do) never shows
a token; the request body (it may hold a BGP MD5 key) is never in a repr either.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from ._exceptions import ClientClosedError

__all__ = [
    "SECRET_HEADERS",
    "DeferredTransport",
    "Headers",
    "Phase",
    "Request",
    "Response",
    "Transport",
    "TransportError",
]

SECRET_HEADERS = frozenset(
    {"authorization", "x-auth-key", "x-auth-email", "x-auth-user-service-key"}
)


class Headers(Mapping[str, str]):
    """Request headers whose repr shows every credential as '***'."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def redacted(self) -> dict[str, str]:
        """A plain copy with every credential shown as '***' (for logs and hooks)."""
        return {k: "***" if k.lower() in SECRET_HEADERS else v for k, v in self._items.items()}

    def __repr__(self) -> str:
        return f"Headers({self.redacted()!r})"


class Request:
    """One HTTP request as the pipeline hands it to a transport.

    `timeout` bounds the attempt from getting a connection to the last byte;
    `pool_timeout` bounds the wait for a free connection (None: no bound).
    `template` (the route's path template) and `attempt` (1 for a call's first
    try) are not sent: they name the request in traces and metrics.
    """

    __slots__ = (
        "attempt",
        "body",
        "headers",
        "method",
        "pool_timeout",
        "template",
        "timeout",
        "url",
    )

    def __init__(  # noqa: PLR0917 - made in one place, the pipeline's hot path
        self,
        method: str,
        url: str,
        headers: Headers,
        body: bytes | None,
        timeout: float,
        pool_timeout: float | None,
        template: str,
        attempt: int,
    ) -> None:
        self.method: str = method
        self.url: str = url
        self.headers: Headers = headers
        self.body: bytes | None = body
        self.timeout: float = timeout
        self.pool_timeout: float | None = pool_timeout
        self.template: str = template
        self.attempt: int = attempt

    def __repr__(self) -> str:  # never the body: it may hold an MD5 key
        size = "no body" if self.body is None else f"{len(self.body)} bytes of body"
        return f"<Request {self.method} {self.url} {self.headers!r} {size}>"


class Response:
    """A whole HTTP response: status, headers (case-insensitive) and the body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status: int = status
        self.headers: Mapping[str, str] = headers
        self.body: bytes = body

    def __repr__(self) -> str:
        return f"<Response {self.status}, {len(self.body)} bytes>"


class Phase(enum.Enum):
    """Where an attempt failed; it decides whether the request may have been sent."""

    POOL = "pool"  # waiting for a free connection: not sent
    CONNECT = "connect"  # resolving, connecting: not sent
    TLS = "tls"  # the TLS handshake or the certificate: not sent, and will not heal
    RESPONSE = "response"  # sent, or being sent: the server may have acted on it
    BODY = "body"  # the response began; reading its body failed or was refused

    @property
    def maybe_sent(self) -> bool:
        """Whether the server may have received the request."""
        return self in _MAYBE_SENT


_MAYBE_SENT = frozenset({Phase.RESPONSE, Phase.BODY})


class TransportError(Exception):
    """An attempt got no usable response.

    Attributes:
        phase: where it failed.
        reason: what happened, in a few words (no credential, no body).
        timed_out: whether a timeout ended it.
        refused_status: set when a response came but its body was refused (larger
            than `max_response_size`, or an encoding that cannot be decoded): the
            response's status. Such a body is a bad response, not a lost one.
    """

    def __init__(
        self,
        phase: Phase,
        reason: str,
        *,
        timed_out: bool = False,
        refused_status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.phase: Phase = phase
        self.reason: str = reason
        self.timed_out: bool = timed_out
        self.refused_status: int | None = refused_status


class Transport(Protocol):
    """Sends requests. Implementations: `AiohttpTransport`; the tests' in-memory one."""

    @property
    def closed(self) -> bool:
        """Whether `aclose()` was called."""
        ...

    def open(self) -> None:
        """Make ready to send (a session of its own is made inside the running loop)."""
        ...

    async def send(self, request: Request) -> Response:
        """Send `request` and read the whole response, or raise `TransportError`."""
        ...

    async def aclose(self) -> None:
        """Refuse further requests; release what the transport owns."""
        ...


class DeferredTransport:
    """A transport built on first use, so `import cni_async` does not import aiohttp.

    After the first `open()`, `send` is the real transport's own bound method:
    the indirection costs nothing per request.
    """

    def __init__(self, build: Callable[[], Transport]) -> None:
        self._build = build
        self._real: Transport | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether `aclose()` was called."""
        return self._closed if self._real is None else self._real.closed

    def open(self) -> None:
        """Build the real transport (once) and open it."""
        real = self._real
        if real is None:
            if self._closed:
                msg = "this Client is closed; create a new one to send more requests"
                raise ClientClosedError(msg)
            real = self._real = self._build()
            self.send = real.send  # type: ignore[method-assign]  # see the class docstring
        real.open()

    async def send(self, request: Request) -> Response:
        """Open on first use, then send."""
        self.open()
        assert self._real is not None  # noqa: S101 - open() built it
        return await self._real.send(request)

    async def aclose(self) -> None:
        """Close the real transport, if one was built; refuse further work."""
        self._closed = True
        if self._real is not None:
            await self._real.aclose()
