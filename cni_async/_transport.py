"""The one module that talks to aiohttp: send a request, read its body, map failures.

Everything aiohttp can raise becomes `APIConnectionError` or `APITimeoutError`
with the original chained as `__cause__`; nothing of aiohttp leaks further.
Each error records whether the request may have reached the server, which is
what decides if a POST can be retried safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import aiohttp
from yarl import URL

from ._exceptions import APIConnectionError, APITimeoutError, ClientClosedError

__all__ = ["ClientSession", "RawResponse", "Transport"]

ClientSession = aiohttp.ClientSession


class RawResponse(NamedTuple):
    """A whole HTTP response: status, headers and the body read to the end."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def _connection_error(
    cls: type[APIConnectionError],
    what: str,
    *,
    method: str,
    path: str,
    where: str,
    maybe_sent: bool,
) -> APIConnectionError:
    error = cls(f"{method} {where}: {what}", method=method, path=path)
    error._maybe_sent = maybe_sent
    return error


class Transport:
    """Sends requests on one aiohttp session, owned (closed by us) or borrowed (never closed)."""

    def __init__(
        self, session: aiohttp.ClientSession | None, *, timeout: float, max_connections: int
    ) -> None:
        self._session = session
        self._owned = session is None
        self.timeout: float = timeout
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_connections = max_connections
        self.closed: bool = False
        # What a session of ours sends on every request; set before it is opened.
        self.default_headers: Mapping[str, str] = {}

    def wire_headers(self, headers: Mapping[str, str]) -> Mapping[str, str] | None:
        """What to pass with each request that should carry `headers`.

        On a session of ours, only what its defaults lack: aiohttp merges
        per-request headers into the defaults at a cost on every request.
        """
        if not self._owned:
            return dict(headers)
        default = self.default_headers
        return {k: v for k, v in headers.items() if default.get(k) != v} or None

    def open(self) -> aiohttp.ClientSession:
        """The session, created on first use inside the running loop when we own it."""
        if self.closed:
            msg = "this Client is closed; create a new one to send more requests"
            raise ClientClosedError(msg)
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._max_connections),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers=self.default_headers,
            )
        return self._session

    async def close(self) -> None:
        """Refuse further work; close the session only if we created it."""
        self.closed = True
        session, self._session = self._session, None
        if self._owned and session is not None:
            await session.close()

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        data: bytes | None,
        *,
        path: str,
        timeout: float | None = None,
        where: str | None = None,
    ) -> RawResponse:
        """Send one request and read the whole response.

        `headers` are what `wire_headers` made of the request's headers.

        `path` (the route's template) goes on errors; `where` (default: `path`)
        names the request in their messages.

        `timeout` shortens this attempt (to fit a call's deadline); by default
        the client's per-attempt timeout applies.
        """
        session = self.open()
        try:
            async with session.request(
                method,
                URL(url, encoded=True),  # ids are already percent-encoded as one segment each
                headers=headers,
                data=data,
                timeout=self._timeout if timeout is None else aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as response:
                body = await response.read()
                return RawResponse(response.status, response.headers, body)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise _mapped(exc, method=method, path=path, where=where or path) from exc


def _mapped(exc: Exception, *, method: str, path: str, where: str) -> APIConnectionError:
    """The SDK's error for what aiohttp raised, saying whether the request may have been sent."""
    named = {"method": method, "path": path, "where": where}
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return _connection_error(APITimeoutError, "timed out connecting", **named, maybe_sent=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or type(exc.os_error).__name__
        return _connection_error(
            APIConnectionError, f"could not connect ({reason})", **named, maybe_sent=False
        )
    if isinstance(exc, TimeoutError):
        return _connection_error(
            APITimeoutError, "timed out waiting for the response", **named, maybe_sent=True
        )
    return _connection_error(
        APIConnectionError,
        f"the connection failed before a response arrived ({type(exc).__name__})",
        **named,
        maybe_sent=True,
    )
