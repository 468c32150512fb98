"""The one road every call takes: URL, headers, limits, retries, send, decode, structure.

```
resource method -> Pipeline.call(route, url, body)   ids validated, body serialised once
                     -> _attempt, then retry_after   tenacity, per the policy and deadline
                          -> Limits.acquire           rate limit, concurrency, API headers
                          -> Transport.send           aiohttp, the only I/O
                          -> status_error             >= 400 becomes a typed error
                   -> decode_json + structure        outside the retry loop
```
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from ._converter import ShapeError, structure, unstructure
from ._decode import decode_json, json_object, status_error
from ._events import RequestEvent, RequestHook, ResponseEvent, ResponseHook, RetryHook
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    ConfigurationError,
    RateLimitError,
)
from ._limits import Limits, LimitWaitTooLongError
from ._retry import Call, RetryPolicy, retry_after
from ._routes import ACCEPT, Body, Route
from ._transport import RawResponse, Transport
from ._version import __version__

__all__ = ["Options", "Pipeline"]

T = TypeVar("T")
_log = logging.getLogger("cni_async")
USER_AGENT = f"cni-async/{__version__}"
_SECRET_HEADERS = frozenset(
    {"authorization", "x-auth-key", "x-auth-email", "x-auth-user-service-key"}
)
_call_ids = itertools.count(1)


@attrs.frozen
class Options:
    """The per-call behaviour a client (or `with_options`) applies to every call."""

    retry: RetryPolicy
    deadline: float | None = None
    on_retry: RetryHook | None = None
    on_request: RequestHook | None = None
    on_response: ResponseHook | None = None


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with every credential shown as '***'."""
    return {k: "***" if k.lower() in _SECRET_HEADERS else v for k, v in headers.items()}


def _redact_body(body: Any) -> Any:  # noqa: ANN401 - JSON
    """A request body with the BGP MD5 key shown as '***'."""
    top = json_object(body)
    bgp = None if top is None else json_object(top.get("bgp"))
    if top is not None and bgp is not None and bgp.get("md5_key") is not None:
        return {**top, "bgp": {**bgp, "md5_key": "***"}}
    return body


class Pipeline:
    """Sends a `Route` with its URL and body, and returns its decoded result."""

    def __init__(
        self,
        transport: Transport,
        *,
        base_url: str,
        auth_headers: Mapping[str, str],
        account_id: str | None,
        options: Options,
        limits: Limits | None,
    ) -> None:
        self.transport: Transport = transport
        self.base_url: str = base_url.rstrip("/")
        self.account_id: str | None = account_id
        self.options: Options = options
        self.limits: Limits | None = limits
        common = {"User-Agent": USER_AGENT, **auth_headers}
        # Every header set a request can have, keyed by (Accept, has a JSON body).
        request_headers = {
            (accept, with_body): {
                **common,
                "Accept": accept,
                **({"Content-Type": "application/json"} if with_body else {}),
            }
            for accept in ACCEPT.values()
            for with_body in (False, True)
        }
        # A session of ours sends the JSON GET's set by default; then only the
        # difference goes with each request (aiohttp merges headers at some cost).
        transport.default_headers = request_headers[ACCEPT[Body.JSON], False]
        # Per key: the headers (for logs and hooks) and what goes with them on the wire.
        self._headers: dict[tuple[str, bool], tuple[dict[str, str], Mapping[str, str] | None]] = {
            key: (headers, transport.wire_headers(headers))
            for key, headers in request_headers.items()
        }

    def derive(self, options: Options) -> Pipeline:
        """The same pipeline (session, limits, credentials) with other call options."""
        clone = object.__new__(Pipeline)
        clone.__dict__.update(self.__dict__)
        clone.options = options
        return clone

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

    async def call(self, route: Route, url: str, body: object | None = None) -> RawResponse:
        """Send with limits and retries; return the 2xx response or raise its typed error."""
        options = self.options
        payload = None if body is None else unstructure(body)
        data = None if payload is None else json.dumps(payload).encode()
        headers, wire_headers = self._headers[route.accept, data is not None]
        method, path = route.method, route.template
        call = Call(
            next(_call_ids),
            method,
            path,
            route.idempotent,
            None if options.deadline is None else time.monotonic() + options.deadline,
            options.on_retry,
            where=url[len(self.base_url) :],
        )
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "call %d: %s %s headers=%s body=%s",
                call.call_id,
                method,
                url,
                redact_headers(headers),
                _redact_body(payload),
            )
        try:  # the first attempt bare: most calls need no more
            return await self._attempt(call, url, headers, wire_headers, data)
        except Exception as exc:  # noqa: BLE001 - the retry table decides what it means
            again = functools.partial(self._attempt, call, url, headers, wire_headers, data)
            return await retry_after(exc, again, options.retry, call)

    async def _wait_for_limits(self, call: Call, attempt: int) -> float | None:
        """Take the limits' go-ahead; return this attempt's timeout if the deadline cuts it."""
        remaining = call.remaining()
        if remaining is not None and remaining <= 0:
            raise call.deadline_error(attempt - 1)
        limits = self.limits
        if limits is not None:
            try:
                await limits.acquire(
                    max_server_wait=self.options.retry.max_retry_after, remaining=remaining
                )
            except LimitWaitTooLongError as exc:
                if not exc.from_server:
                    raise call.deadline_error(attempt - 1) from None
                error = RateLimitError(
                    f"{call.method} {call.where} not sent: the API's Ratelimit header says its "
                    f"budget resets in {exc.wait:.0f} s",
                    status_code=429,
                    errors=[],
                    request_id=None,
                    body=None,
                    method=call.method,
                    path=call.path,
                )
                error.retry_after = error._retry_after = exc.wait  # noqa: SLF001
                raise error from None
            remaining = call.remaining()
        timeout = self.transport.timeout
        return remaining if remaining is not None and remaining < timeout else None

    async def _attempt(
        self,
        call: Call,
        url: str,
        headers: Mapping[str, str],
        wire_headers: Mapping[str, str] | None,
        data: bytes | None,
    ) -> RawResponse:
        """One attempt: the limits' go-ahead, hooks, the wire, the DEBUG lines, the status."""
        call.attempts += 1
        attempt, options, limits = call.attempts, self.options, self.limits
        timeout = (
            None
            if limits is None and call.deadline_at is None
            else await self._wait_for_limits(call, attempt)
        )
        where = call.where
        started = time.perf_counter()
        try:
            if options.on_request is not None:
                event = RequestEvent(
                    call.call_id, call.method, url, call.path, attempt, redact_headers(headers)
                )
                await options.on_request(event)
                started = time.perf_counter()
            response = await self.transport.send(
                call.method, url, wire_headers, data, path=call.path, timeout=timeout, where=where
            )
        except APIConnectionError as exc:
            elapsed = time.perf_counter() - started
            _log.debug(
                "call %d: %s %s attempt %d failed after %.1f ms: %s",
                *(call.call_id, call.method, url, attempt, elapsed * 1000, exc),
            )
            if options.on_response is not None:
                await options.on_response(
                    ResponseEvent(
                        call.call_id, call.method, url, call.path, attempt, elapsed, error=exc
                    )
                )
            raise
        finally:
            if limits is not None:
                limits.release()
        elapsed = time.perf_counter() - started
        if limits is not None:
            limits.observe(response.headers)
        status, request_id = response.status, response.headers.get("cf-ray")
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "call %d: %s %s -> %d in %.1f ms (attempt %d, cf-ray %s)",
                *(call.call_id, call.method, url, status, elapsed * 1000, attempt, request_id),
            )
        if options.on_response is not None:
            await options.on_response(
                ResponseEvent(
                    *(call.call_id, call.method, url, call.path, attempt, elapsed),
                    status=status,
                    request_id=request_id,
                )
            )
        if status >= 400:  # noqa: PLR2004
            raise status_error(
                status,
                response.headers,
                response.body,
                method=call.method,
                path=call.path,
                where=where,
            )
        return response

    async def json(
        self,
        route: Route,
        url: str,
        type_: type[T] | Any,  # noqa: ANN401 - a union alias is not a `type`
        body: object | None = None,
    ) -> T:
        """Send, then decode and structure the JSON body as `type_` (outside the retries)."""
        response = await self.call(route, url, body)
        try:
            data = decode_json(response.status, response.headers, response.body)
            result: T = structure(data, type_)
        except (APIResponseValidationError, ShapeError) as exc:
            # Named here, off the success path: the error opens with the request it answers.
            request = f"{route.method} {url[len(self.base_url) :]}"
            problem = (
                str(exc)
                if isinstance(exc, APIResponseValidationError)
                else f"the response body does not have the promised shape: {exc}"
            )
            raise APIResponseValidationError(
                f"{request}: {problem}",
                problems=exc.problems,
                status_code=response.status,
                request_id=response.headers.get("cf-ray"),
            ) from None
        return result
