"""The one road every call takes: URL, headers, limits, retries, send, decode, structure.

```
resource method -> Pipeline.request(route, url, body)  ids validated, body serialised once
                     -> _attempt (first), Retrier      tenacity, per the policy and deadline
                          -> Limits.acquire             rate limit, concurrency, API headers
                          -> Transport.send             the only I/O (aiohttp, or in memory)
                          -> status_error               3xx and >= 400 become typed errors
                -> request_model: decode_json + structure   outside the retry loop
```

The clock and the sleep are the pipeline's own (injected), so its logic is
tested in milliseconds against an in-memory transport.

With a `Telemetry` (the `otel` extra, `_telemetry.py`), each of `request`,
`request_model` and `request_pdf` runs inside `telemetry.call(...)`, the call's
span, and attempts go through `telemetry.traced(transport)`; without one, the
only cost is one `is not None` test per call.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import time
from typing import Any, TypeVar

import attrs

from ._converter import ShapeError, structure, unstructure
from ._decode import decode_json, json_object, status_error
from ._events import (
    RequestEvent,
    RequestHook,
    ResponseEvent,
    ResponseHook,
    RetryHook,
    call_hook,
)
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    CNIError,
    ConfigurationError,
    RateLimitError,
)
from ._limits import Limits, LimitWaitTooLongError
from ._retry import Call, Clock, Retrier, RetryPolicy, Sleep
from ._routes import ACCEPT, Route
from ._telemetry import Telemetry, TracedTransport
from ._transport import Headers, Phase, Request, Response, Transport, TransportError

__all__ = ["Options", "Pipeline"]

T = TypeVar("T")
_log = logging.getLogger("cni_async")
_call_ids = itertools.count(1)
_PDF_MAGIC = b"%PDF-"


@attrs.frozen
class Options:
    """The per-call behaviour a client (or `with_options`) applies to every call."""

    retry: RetryPolicy
    deadline: float | None = None
    on_retry: RetryHook | None = None
    on_request: RequestHook | None = None
    on_response: ResponseHook | None = None


class _Body:
    """A serialised request body, never shown in a repr (it may hold a BGP MD5 key)."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"<{len(self.raw)} bytes of JSON>"


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
        headers: Headers,
        account_id: str | None,
        options: Options,
        limits: Limits | None,
        timeout: float,
        pool_timeout: float | None = None,
        telemetry: Telemetry | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.transport: Transport = transport
        self._telemetry = telemetry
        # What attempts are sent through: the transport, or the same under CLIENT spans.
        self._sender: Transport | TracedTransport = (
            transport if telemetry is None else telemetry.traced(transport)
        )
        self.base_url: str = base_url.rstrip("/")
        self.account_id: str | None = account_id
        self.options: Options = options
        self.limits: Limits | None = limits
        self._timeout = timeout
        self._pool_timeout = pool_timeout
        self._clock = clock
        self._sleep = sleep
        self._retrier = Retrier(options.retry, on_retry=options.on_retry, sleep=sleep)
        # Every header set a request can have, keyed by (Accept, has a JSON body), made once.
        self._headers = {
            (accept, with_body): Headers(
                {
                    **headers,
                    "Accept": accept,
                    **({"Content-Type": "application/json"} if with_body else {}),
                }
            )
            for accept in ACCEPT.values()
            for with_body in (False, True)
        }

    def derive(self, options: Options) -> Pipeline:
        """The same pipeline (transport, limits, credentials) with other call options."""
        clone = object.__new__(Pipeline)
        clone.__dict__.update(self.__dict__)
        clone.options = options
        clone._retrier = Retrier(options.retry, on_retry=options.on_retry, sleep=self._sleep)
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

    async def request(self, route: Route, url: str, body: object | None = None) -> Response:
        """Send with limits and retries; return the 2xx response or raise its typed error."""
        if self._telemetry is not None:
            with self._telemetry.call(route, url):
                return await self._send(route, url, body)
        return await self._send(route, url, body)

    async def request_model(
        self,
        route: Route,
        url: str,
        model: type[T] | Any,  # noqa: ANN401 - a union alias is not a `type`
        body: object | None = None,
    ) -> T:
        """Send, then decode and structure the JSON body as `model` (outside the retries)."""
        result: T  # (a `type[T] | Any` argument would make a returned call Any)
        if self._telemetry is not None:
            with self._telemetry.call(route, url):
                result = self._structure(route, url, await self._send(route, url, body), model)
        else:
            result = self._structure(route, url, await self._send(route, url, body), model)
        return result

    async def request_pdf(self, route: Route, url: str) -> bytes:
        """Send; return the body if it is a PDF, else raise APIResponseValidationError."""
        if self._telemetry is not None:
            with self._telemetry.call(route, url):
                return self._pdf(route, url, await self._send(route, url))
        return self._pdf(route, url, await self._send(route, url))

    async def _send(self, route: Route, url: str, body: object | None = None) -> Response:
        """`request`, without the call's span."""
        options = self.options
        data = None if body is None else _Body(json.dumps(unstructure(body)).encode())
        headers = self._headers[route.accept, data is not None]
        call = Call(
            next(_call_ids),
            route.method,
            route.template,
            url[len(self.base_url) :],
            route.idempotent,
            None if options.deadline is None else self._clock() + options.deadline,
            self._clock,
        )
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "call %d: %s %s headers=%s body=%s",
                call.call_id,
                route.method,
                url,
                headers.redacted(),
                None if body is None else _redact_body(unstructure(body)),
            )
        try:
            # The first attempt runs bare; tenacity's machinery (a copy of the policy's
            # AsyncRetrying and its call state) is built only after a failure. Running
            # every call through it costs 18 us more per call (measured: a successful
            # call through `Retrier._template.copy()`), about 5% of a get in `nox -s bench`.
            return await self._attempt(call, url, headers, data)
        except CNIError as failure:
            again = functools.partial(self._attempt, call, url, headers, data)
            return await self._retrier.resume(call, failure, again)

    def _structure(
        self,
        route: Route,
        url: str,
        response: Response,
        model: type[T] | Any,  # noqa: ANN401 - a union alias is not a `type`
    ) -> T:
        """The JSON body as `model`, or the error naming the request and the bad path."""
        try:
            data = decode_json(response.status, response.headers, response.body)
            result: T = structure(data, model)
        except (APIResponseValidationError, ShapeError) as exc:
            # Named here, off the success path: the error opens with the request it answers.
            problem = (
                str(exc)
                if isinstance(exc, APIResponseValidationError)
                else f"the response body does not have the promised shape: {exc}"
            )
            raise self._bad_body(route, url, response, problem, exc.problems) from None
        return result

    def _pdf(self, route: Route, url: str, response: Response) -> bytes:
        """The body if it is a PDF, else the error naming the request."""
        if not response.body.startswith(_PDF_MAGIC):
            what = "empty" if not response.body else "not a PDF (it lacks the %PDF- header)"
            problem = f"the LOA body is {what}"
            raise self._bad_body(route, url, response, problem, [f"{problem} @ $"])
        return response.body

    def _bad_body(
        self, route: Route, url: str, response: Response, problem: str, problems: list[str]
    ) -> APIResponseValidationError:
        return APIResponseValidationError(
            f"{route.method} {url[len(self.base_url) :]}: {problem}",
            problems=problems,
            status_code=response.status,
            request_id=response.headers.get("cf-ray"),
        )

    async def _attempt(
        self, call: Call, url: str, headers: Headers, data: _Body | None
    ) -> Response:
        """One attempt: the limits' go-ahead, hooks, the wire, the DEBUG lines, the status."""
        call.attempts += 1
        attempt, options, limits = call.attempts, self.options, self.limits
        timeout, pool_timeout = self._timeout, self._pool_timeout
        cut_by_deadline = False
        if limits is not None or call.deadline_at is not None:
            remaining = await self._wait_for_limits(call)
            if remaining is not None:
                cut_by_deadline = pool_timeout is None or remaining < pool_timeout
                pool_timeout = remaining if cut_by_deadline else pool_timeout
                timeout = min(timeout, remaining)
        try:
            if options.on_request is not None:
                sending = RequestEvent(
                    call.call_id, call.method, url, call.path, attempt, headers.redacted()
                )
                await call_hook(options.on_request, sending)
            started = self._clock()
            try:
                response = await self._sender.send(
                    Request(
                        call.method,
                        url,
                        headers,
                        None if data is None else data.raw,
                        timeout,
                        pool_timeout,
                        call.path,
                        attempt,
                    )
                )
            except TransportError as exc:
                error = self._failed(call, exc, cut_by_deadline=cut_by_deadline)
                await self._report_lost(call, url, self._clock() - started, error)
                raise error from exc
        finally:
            if limits is not None:
                limits.release()
        elapsed = self._clock() - started
        if limits is not None:
            limits.observe(response.headers)
        status, request_id = response.status, response.headers.get("cf-ray")
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "call %d: %s %s -> %d in %.1f ms (attempt %d, cf-ray %s)",
                *(call.call_id, call.method, url, status, elapsed * 1000, attempt, request_id),
            )
        if options.on_response is not None:
            answered = ResponseEvent(
                *(call.call_id, call.method, url, call.path, attempt, elapsed),
                status=status,
                request_id=request_id,
            )
            await call_hook(options.on_response, answered)
        if status >= 300:  # noqa: PLR2004 - redirects are never followed: an error too
            raise status_error(
                status,
                response.headers,
                response.body,
                method=call.method,
                path=call.path,
                where=call.where,
            )
        return response

    async def _report_lost(self, call: Call, url: str, elapsed: float, error: CNIError) -> None:
        """The DEBUG line and the on_response hook of an attempt that got no response."""
        _log.debug(
            "call %d: %s %s attempt %d failed after %.1f ms: %s",
            *(call.call_id, call.method, url, call.attempts, elapsed * 1000, error),
        )
        on_response = self.options.on_response
        if on_response is not None:
            lost = ResponseEvent(
                call.call_id, call.method, url, call.path, call.attempts, elapsed, error=error
            )
            await call_hook(on_response, lost)

    async def _wait_for_limits(self, call: Call) -> float | None:
        """Take the limits' go-ahead; return the seconds left before the deadline, if any."""
        remaining = call.remaining()
        if remaining is not None and remaining <= 0:
            call.attempts -= 1  # this one was never sent
            raise call.deadline_error()
        limits = self.limits
        if limits is not None:
            try:
                await limits.acquire(
                    max_server_wait=self.options.retry.max_retry_after, remaining=remaining
                )
            except LimitWaitTooLongError as exc:
                call.attempts -= 1  # never sent
                if not exc.from_server:
                    raise call.deadline_error() from None
                raise RateLimitError(
                    f"{call.method} {call.where} not sent: the API's Ratelimit header says "
                    f"its budget resets in {exc.wait:.0f} s",
                    status_code=429,
                    errors=[],
                    request_id=None,
                    body=None,
                    method=call.method,
                    path=call.path,
                    retry_after=exc.wait,
                ) from None
            remaining = call.remaining()
        return remaining

    def _failed(self, call: Call, exc: TransportError, *, cut_by_deadline: bool) -> CNIError:
        """The SDK's error for an attempt that got no usable response."""
        if exc.refused_status is not None:
            return APIResponseValidationError(
                f"{call.method} {call.where}: {exc.reason}",
                problems=[f"{exc.reason} @ $"],
                status_code=exc.refused_status,
                request_id=None,
            )
        if exc.phase is Phase.POOL and cut_by_deadline:
            call.attempts -= 1  # never sent: the deadline ran out waiting for a connection
            return call.deadline_error()
        cls = APITimeoutError if exc.timed_out else APIConnectionError
        return cls(
            f"{call.method} {call.where}: {exc.reason}",
            method=call.method,
            path=call.path,
            phase=exc.phase.value,
            maybe_sent=exc.phase.maybe_sent,
        )
