"""The one module that imports aiohttp: `AiohttpTransport`, imported on first use.

Everything aiohttp can raise becomes a `TransportError` naming the phase that
failed (with the original as `__cause__`, its frames' locals cleared so no
header shows in a rendered traceback); nothing of aiohttp leaks further.

- **Pool.** Requests wait for one of `max_connections` slots here, before
  aiohttp sees them, so the wait for a connection is its own phase (never
  sent, bounded by `Request.pool_timeout`) and `Request.timeout` starts once a
  connection is ours. aiohttp's own queue then never holds a request.
- **Bodies** are read with a cap (`max_response_size`, on the decoded bytes):
  past it the read stops and the connection is dropped. gzip and deflate are
  decoded here, in bounded steps, so a compression bomb costs at most the cap.
- **Ownership.** A session we made is closed by `aclose()`; a borrowed one never.
  A session belongs to the event loop it was first used in: used from another
  loop (a second `asyncio.run`), the client refuses, closing its own stale one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ssl as _ssl
import traceback
import zlib
from collections.abc import AsyncGenerator, Coroutine, Iterator, Mapping
from typing import Protocol, TypedDict, cast

import aiohttp
from yarl import URL

from ._exceptions import ClientClosedError
from ._transport import Headers, Phase, Request, Response, TransportError

__all__ = ["AiohttpTransport", "ClientSession"]

ClientSession = aiohttp.ClientSession
_CHUNK = 64 * 1024
_INFLATE_STEP = 256 * 1024  # decoded bytes per step: at most one step past the limit is held
_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
_IDENTITY = frozenset({"", "identity"})
# zlib's window bits that accept both a gzip and a zlib header.
_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS
# A hanging connect must end as a connect timeout, before the attempt's own timeout.
_CONNECT_SHARE = 0.9
_MAX_CONNECT = 10.0
_KEPT_TIMEOUTS = 64


class AiohttpTransport:
    """Sends requests on one aiohttp session, owned (closed by us) or borrowed (never)."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None,
        *,
        default_headers: Headers,
        timeout: float,
        max_connections: int,
        max_response_size: int,
        ssl: _ssl.SSLContext | None = None,
        proxy: str | None = None,
    ) -> None:
        self._session = session
        self._owned = session is None
        self._default_headers = default_headers
        self._max_connections = max_connections
        self._max_size = max_response_size
        self._ssl: _ssl.SSLContext | bool = True if ssl is None else ssl
        # What every request passes to aiohttp beside its own arguments: no redirects (the
        # pipeline's error, never followed), no decoding (done here, within max_response_size),
        # and ssl and proxy only when given (aiohttp's defaults otherwise, at no cost).
        self._options: _RequestOptions = {"allow_redirects": False, "auto_decompress": False}
        if ssl is not None:
            self._options["ssl"] = ssl
        if proxy is not None:
            self._options["proxy"] = proxy
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
        self._default_seconds = timeout
        self._default_timeout = self._timeout(timeout)
        self._wire: dict[int, tuple[Headers, Mapping[str, str] | None]] = {}
        self._pool: _Pool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard: AsyncGenerator[None, None] | None = None
        self._loop_ended = False
        self.closed = False

    def open(self) -> None:
        """Bind to the running loop; make our session there on first use."""
        if self.closed:
            msg = "this Client is closed; create a new one to send more requests"
            raise ClientClosedError(msg)
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        limit = self._max_connections
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, ssl=self._ssl),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers=self._default_headers,
                # Proxies come from `proxy=` (the client reads the environment once);
                # trust_env would read the environment and ~/.netrc on every request.
                trust_env=False,
            )
            self._guard = self._closed_with_the_loop()
            _start(self._guard)
        else:
            connector = self._session.connector
            limit = connector.limit if connector is not None else 0
        self._pool = _Pool(limit) if limit else None

    async def send(self, request: Request) -> Response:
        """Send one request and read the whole response, or raise TransportError."""
        if self._loop is not asyncio.get_running_loop() or self.closed:
            await self._open_in_this_loop()
        session = self._session
        assert session is not None  # noqa: S101 - open() made one or was given one
        if not self._owned and session.closed:
            raise _closed_session()
        pool = self._pool
        if pool is not None and not pool.take_now():
            await pool.take(request.pool_timeout)
        phase = Phase.RESPONSE
        try:
            async with session.request(
                request.method,
                URL(request.url, encoded=True),  # ids are already percent-encoded, one segment each
                headers=self._wire_headers(request.headers),
                data=request.body,
                timeout=self._default_timeout
                if request.timeout == self._default_seconds
                else self._timeout(request.timeout),
                **self._options,
            ) as response:
                phase = Phase.BODY
                length = response.content_length
                if (
                    length is not None
                    and length <= self._max_size
                    and "Content-Encoding" not in response.headers
                ):
                    body = await response.read()  # the common case; aiohttp stops at the length
                else:
                    body = await self._read(response)
                return Response(response.status, response.headers, body)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            traceback.clear_frames(exc.__traceback__)  # aiohttp's frames hold the headers
            raise _mapped(exc, phase) from exc
        finally:
            if pool is not None:
                pool.give()

    async def aclose(self) -> None:
        """Refuse further work; close the session only if we made it."""
        self.closed = True
        session, self._session = self._session, None
        guard, self._guard = self._guard, None
        if self._owned and session is not None:
            await session.close()
        if guard is not None:
            await guard.aclose()

    async def _closed_with_the_loop(self) -> AsyncGenerator[None, None]:
        """Park in the loop until it shuts down, then close our own session.

        asyncio.run() closes every async generator of its loop before closing the
        loop (`shutdown_asyncgens`), and a generator dropped with its client is
        closed by the loop too: a client never closed still leaves no connection,
        no socket and no "Unclosed client session" behind.
        """
        try:
            yield
        finally:
            if not self.closed:
                self._loop_ended = True
                await self.aclose()

    async def _open_in_this_loop(self) -> None:
        """Open on first use; refuse a loop other than the one the session belongs to."""
        if self._loop is None or (self.closed and not self._loop_ended):
            self.open()
            return
        msg = (
            "this Client was first used in another event loop (an earlier asyncio.run?), "
            "and its connections belong to that loop. Create the Client inside the event "
            "loop that uses it, e.g. `async with Client() as cf:` inside the coroutine "
            "given to asyncio.run()"
        )
        raise ClientClosedError(msg)

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            connect = min(_MAX_CONNECT, seconds * _CONNECT_SHARE)
            timeout = aiohttp.ClientTimeout(total=seconds, connect=connect)
            if len(self._timeouts) < _KEPT_TIMEOUTS:  # deadline-cut ones vary: keep a few
                self._timeouts[seconds] = timeout
        return timeout

    def _wire_headers(self, headers: Headers) -> Mapping[str, str] | None:
        """What to pass with a request that should carry `headers`.

        On a session of ours, only what its default headers lack: aiohttp merges
        per-request headers into the defaults at a cost on every request. The
        pipeline's few header sets live as long as it does, so they are cached.
        """
        entry = self._wire.get(id(headers))
        if entry is None or entry[0] is not headers:
            wire: Mapping[str, str] | None = headers
            if self._owned:
                default = self._default_headers
                wire = {k: v for k, v in headers.items() if default.get(k) != v} or None
            entry = self._wire[id(headers)] = (headers, wire)
        return entry[1]

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The decoded body, at most max_response_size bytes of it."""
        limit = self._max_size
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        length = response.content_length
        if encoding in _IDENTITY and length is not None:
            if length > limit:
                raise _too_large(response, limit)
            return await response.read()  # aiohttp stops at Content-Length
        if encoding not in _IDENTITY and encoding not in _ENCODINGS:
            response.close()
            reason = f"the body has an unsupported Content-Encoding {encoding!r}"
            raise TransportError(Phase.BODY, reason, refused_status=response.status)
        decoder: _Decoder | None = (
            zlib.decompressobj(_GZIP_OR_ZLIB) if encoding in _ENCODINGS else None
        )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            for data in (chunk,) if decoder is None else _inflated(decoder, chunk, response):
                size += len(data)
                if size > limit:
                    raise _too_large(response, limit)
                chunks.append(data)
        if decoder is not None and not decoder.eof:
            response.close()
            reason = f"the {encoding} body is cut short"
            raise TransportError(Phase.BODY, reason, refused_status=response.status)
        return b"".join(chunks)


class _RequestOptions(TypedDict, total=False):
    allow_redirects: bool
    auto_decompress: bool
    ssl: _ssl.SSLContext
    proxy: str


class _Pool:
    """`size` connection slots, taken without awaiting when one is free (the common case).

    An asyncio.Semaphore would do, but its `acquire` is a coroutine made on every
    request; with 64 requests in flight those objects alone cost measurable time.
    A freed slot goes straight to the longest waiter, so waiters are served in order.
    """

    __slots__ = ("_free", "_waiters")

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def take_now(self) -> bool:
        """Take a free slot if there is one (and nobody waits for it)."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def take(self, timeout: float | None) -> None:
        """Wait for a slot, at most `timeout` seconds (None: no bound)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self.give()  # the slot came as we gave up: pass it on
            else:
                with contextlib.suppress(ValueError):  # give() may have dropped it already
                    self._waiters.remove(waiter)
            if isinstance(exc, TimeoutError):
                reason = f"no free connection within {timeout:.3g} s (the request was not sent)"
                raise TransportError(Phase.POOL, reason, timed_out=True) from None
            raise

    def give(self) -> None:
        """Return a slot: to the longest waiter still waiting, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class _Decoder(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unconsumed_tail(self) -> bytes: ...

    def decompress(self, data: bytes, /, max_length: int = ...) -> bytes: ...


def _start(generator: AsyncGenerator[None, None]) -> None:
    """Run a generator to its first `yield`, registering it with the running loop."""
    step = cast("Coroutine[None, None, None]", generator.__anext__())
    with contextlib.suppress(StopIteration):
        step.send(None)


def _inflated(decoder: _Decoder, data: bytes, response: aiohttp.ClientResponse) -> Iterator[bytes]:
    """Decode `data` a bounded piece at a time: a bomb is refused one piece past the limit."""
    while data:
        try:
            piece = decoder.decompress(data, _INFLATE_STEP)
        except zlib.error:
            response.close()
            reason = "the compressed body could not be decoded"
            raise TransportError(Phase.BODY, reason, refused_status=response.status) from None
        yield piece
        data = decoder.unconsumed_tail


def _too_large(response: aiohttp.ClientResponse, limit: int) -> TransportError:
    response.close()  # drop the connection: the rest is never read
    reason = f"the response body is larger than max_response_size ({limit:,} bytes)"
    return TransportError(Phase.BODY, reason, refused_status=response.status)


def _closed_session() -> ClientClosedError:
    msg = (
        "the aiohttp.ClientSession passed as session= is closed (its owner closed it); "
        "pass an open session, or none and let the Client make its own"
    )
    return ClientClosedError(msg)


def _mapped(exc: BaseException, phase: Phase) -> TransportError:
    """The TransportError for what aiohttp raised, in the phase it happened."""
    name = type(exc).__name__
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError)):
        return TransportError(Phase.TLS, f"TLS failed ({name}: {_reason(exc)})")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TransportError(Phase.CONNECT, "timed out connecting", timed_out=True)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportError(Phase.CONNECT, f"could not connect ({_reason(exc)})")
    if isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError is one too
        where = "the response" if phase is Phase.RESPONSE else "the rest of the body"
        return TransportError(phase, f"timed out waiting for {where}", timed_out=True)
    where = "before a response arrived" if phase is Phase.RESPONSE else "while reading the body"
    return TransportError(phase, f"the connection failed {where} ({name})")


def _reason(exc: BaseException) -> str:
    os_error: object = getattr(exc, "os_error", None)
    text: object = getattr(os_error, "strerror", None) or type(os_error or exc).__name__
    return str(text)
