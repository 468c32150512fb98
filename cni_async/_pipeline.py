"""The one road every call takes: URL, headers, retries, send, decode, structure.

```
resource method -> Pipeline.call(route, ...)      validate ids, build URL and body
                     -> with_retries(attempt)     tenacity, per the policy
                          -> Transport.send       aiohttp, the only I/O
                          -> status_error         >= 400 becomes a typed error
                   -> decode_json + structure     outside the retry loop
```
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any, TypeVar

from ._converter import ShapeError, structure, unstructure
from ._decode import decode_json, status_error
from ._exceptions import APIResponseValidationError, ConfigurationError
from ._retry import RetryPolicy, with_retries
from ._routes import ACCEPT, Body, Route
from ._transport import RawResponse, Transport
from ._version import __version__

__all__ = ["Pipeline"]

T = TypeVar("T")
_log = logging.getLogger("cni_async")
USER_AGENT = f"cni-async/{__version__}"


class Pipeline:
    """Sends a `Route` with its ids, query and body, and returns its decoded result."""

    def __init__(
        self,
        transport: Transport,
        *,
        base_url: str,
        auth_headers: Mapping[str, str],
        account_id: str | None,
        policy: RetryPolicy,
    ) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.policy = policy
        common = {"User-Agent": USER_AGENT, **auth_headers}
        # Built once: one header set per kind of response body, plus one with a JSON body.
        self._headers = {kind: {**common, "Accept": ACCEPT[kind]} for kind in Body}
        self._headers_with_body = {
            kind: {**headers, "Content-Type": "application/json"}
            for kind, headers in self._headers.items()
        }

    def account(self, account_id: str | None) -> str:
        """The call's account id, else the client's; an error before sending if neither."""
        account = account_id if account_id is not None else self.account_id
        if account is None:
            msg = (
                "no account id: pass account_id= to Client() or to this call, "
                "or set CLOUDFLARE_ACCOUNT_ID"
            )
            raise ConfigurationError(msg)
        return account

    def url(self, route: Route, account_id: str | None, query: str = "", **ids: str) -> str:
        """The full URL of a route for an account, ids validated and percent-encoded."""
        url = self.base_url + route.path(account_id=self.account(account_id), **ids)
        return f"{url}?{query}" if query else url

    async def call(
        self,
        route: Route,
        url: str,
        body: object | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> RawResponse:
        """Send with retries; return the 2xx response or raise its typed error."""
        data = None if body is None else json.dumps(unstructure(body)).encode()
        headers = (self._headers if data is None else self._headers_with_body)[route.body]
        method, template = route.method, route.template
        send = self.transport.send
        attempts = 0

        async def attempt() -> RawResponse:
            nonlocal attempts
            attempts += 1
            started = time.perf_counter()
            response = await send(method, url, headers, data, path=template)
            if _log.isEnabledFor(logging.DEBUG):
                _log.debug(
                    "%s %s -> %d in %.1f ms (attempt %d, cf-ray %s)",
                    method,
                    url,
                    response.status,
                    (time.perf_counter() - started) * 1000,
                    attempts,
                    response.headers.get("cf-ray"),
                )
            if response.status >= 400:  # noqa: PLR2004
                raise status_error(
                    response.status, response.headers, response.body, method=method, path=template
                )
            return response

        return await with_retries(
            attempt, retry or self.policy, idempotent=route.idempotent, what=f"{method} {template}"
        )

    async def json(
        self,
        route: Route,
        url: str,
        type_: type[T] | Any,  # noqa: ANN401 - a union alias is not a `type`
        body: object | None = None,
        *,
        retry: RetryPolicy | None = None,
    ) -> T:
        """Send, then decode and structure the JSON body as `type_` (outside the retries)."""
        response = await self.call(route, url, body, retry=retry)
        data = decode_json(response.status, response.headers, response.body)
        try:
            result: T = structure(data, type_)
        except ShapeError as exc:
            raise APIResponseValidationError(
                f"{route.method} {route.template}: the response body does not have "
                f"the promised shape: {exc}",
                problems=exc.problems,
                status_code=response.status,
                request_id=response.headers.get("cf-ray"),
            ) from None
        return result
