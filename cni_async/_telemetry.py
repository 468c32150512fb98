"""OpenTelemetry traces and metrics, when the `otel` extra is installed.

```
Pipeline.request_model(route, url)   with telemetry.call(route, url):
                                       INTERNAL span "cni.interconnects.get", current while
                                       the call runs: limits, retries and waits included
  Pipeline._attempt -> TracedTransport.send(request)
                                       CLIENT span "GET /accounts/{account_id}/cni/...",
                                       one per attempt, and http.client.request.duration
```

The pipeline calls this module through those two doors only, and only when `load()`
returned a `Telemetry`: without the extra nothing here runs, and opentelemetry is never
imported (`load()` imports it when a client is made, never `import cni_async`).

Every call starts its span through the tracer, even the API's no-op one, so a global
provider set after the client was made is used from then on (the API's proxy tracer
resolves lazily). A no-op tracer with no span around the call answers with an invalid
span: then nothing is made current and the call's attempts start no span of their own
(`_TRACED`); their durations are still recorded. That keeps a get on the no-op providers
within a few percent of one without the extra (`nox -s bench_otel`). A provider set while
a call is under way traces the calls that start after it.

Attributes follow OpenTelemetry's stable HTTP client conventions, plus `url.template` and
`cloudflare.ray_id`. Nothing secret is recorded: headers are never read (but the response's
`cf-ray`), bodies never, and no exception is recorded as an event (an error's message may
quote a response body); a span's status description is only ever our own words for a lost
connection or a refused body.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    ConfigurationError,
)
from ._transport import Request, Response, Transport, TransportError
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextvars import Token

    from opentelemetry.context import Context
    from opentelemetry.metrics import Histogram
    from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer
    from opentelemetry.util.types import AttributeValue

    from ._routes import Route

    Attributes = dict[str, AttributeValue]

__all__ = ["CallSpan", "NoSpan", "Telemetry", "TracedTransport", "load"]

SCOPE = "cni_async"  # the instrumentation scope of the tracer and the meter
INSTALL = "pip install 'cni-async[otel]'"
# The conventions' advice for http.client.request.duration, in seconds.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
_ACCOUNT_PATH = "/accounts/{account_id}/"
_DEFAULT_PORTS = {"https": 443, "http": 80}
# Whether the running call has a span: its attempts are traced only then, so a call on the
# no-op tracer costs one context lookup per attempt instead of a second no-op span.
_TRACED: ContextVar[bool] = ContextVar("cni_async_traced", default=False)


def load(tracer_provider: object, meter_provider: object, base_url: str) -> Telemetry | None:
    """A client's telemetry, or None when OpenTelemetry is not installed.

    Providers left as None are the global ones (resolved lazily by the API's proxies).
    """
    try:
        from opentelemetry import metrics, trace
    except ImportError:
        if tracer_provider is not None or meter_provider is not None:
            msg = f"tracer_provider= and meter_provider= need OpenTelemetry: {INSTALL}"
            raise ConfigurationError(msg) from None
        return None
    if tracer_provider is not None and not isinstance(tracer_provider, trace.TracerProvider):
        msg = "tracer_provider must be an opentelemetry.trace.TracerProvider"
        raise ConfigurationError(msg)
    if meter_provider is not None and not isinstance(meter_provider, metrics.MeterProvider):
        msg = "meter_provider must be an opentelemetry.metrics.MeterProvider"
        raise ConfigurationError(msg)
    tracer = trace.get_tracer(SCOPE, __version__, tracer_provider)
    duration = metrics.get_meter(SCOPE, __version__, meter_provider).create_histogram(
        "http.client.request.duration",
        unit="s",
        description="Duration of HTTP client requests.",
        explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
    )
    return Telemetry(tracer, duration, base_url)


class Telemetry:
    """A client's tracer and duration histogram, shared by its `with_options` copies."""

    __slots__ = (
        "attach",
        "client",
        "current",
        "detach",
        "duration",
        "error",
        "prefix",
        "routes",
        "server",
        "tracer",
    )

    def __init__(self, tracer: Tracer, duration: Histogram, base_url: str) -> None:
        from opentelemetry import context, trace

        self.tracer: Tracer = tracer
        self.duration: Histogram = duration
        self.attach: Callable[[Context], Token[Context]] = context.attach
        self.current: Callable[[Span], Context] = trace.set_span_in_context
        self.detach: Callable[[Token[Context]], None] = context.detach
        self.client: SpanKind = trace.SpanKind.CLIENT
        self.error: StatusCode = trace.StatusCode.ERROR
        base = urlsplit(base_url)
        self.server: Attributes = {
            "server.address": base.hostname or "",
            "server.port": base.port or _DEFAULT_PORTS.get(base.scheme, 443),
        }
        self.prefix: int = len(base_url.rstrip("/"))
        self.routes: dict[tuple[str, str], tuple[str, Attributes]] = {}

    def call(self, route: Route, url: str) -> CallSpan | NoSpan:
        """The INTERNAL span of one SDK call (one page, for a list), to use as `with`."""
        span = self.tracer.start_span("cni." + route.name)
        if not span.get_span_context().is_valid:
            # Only a no-op tracer with no span around the call makes an invalid span:
            # making it current would change nothing, so the no-SDK road stops here.
            return NO_SPAN
        if span.is_recording() and route.template.startswith(_ACCOUNT_PATH):
            # "/accounts/<id, percent-encoded as one segment>/cni/..."
            span.set_attribute("cni.account_id", unquote(url[self.prefix :].split("/", 3)[2]))
        return CallSpan(self, span)

    def route(self, method: str, template: str) -> tuple[str, Attributes]:
        """A CLIENT span's name and the attributes every attempt of a route shares."""
        known = self.routes.get((method, template))
        if known is None:  # once per route: the SDK has a few dozen
            attributes: Attributes = {
                "http.request.method": method,
                **self.server,
                "url.template": template,
            }
            known = self.routes[method, template] = (f"{method} {template}", attributes)
        return known

    def traced(self, transport: Transport) -> TracedTransport:
        """`transport`, sending each attempt under a CLIENT span."""
        return TracedTransport(self, transport)


class NoSpan:
    """The call span of a no-op tracer: nothing to make current, nothing to end."""

    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass


NO_SPAN = NoSpan()


class CallSpan:
    """Makes the call's span current while the call runs; ends it however the call ends."""

    __slots__ = ("span", "telemetry", "token", "traced")
    token: Token[Context]  # set by __enter__, as is `traced`
    traced: Token[bool]

    def __init__(self, telemetry: Telemetry, span: Span) -> None:
        self.telemetry: Telemetry = telemetry
        self.span: Span = span

    def __enter__(self) -> None:
        telemetry = self.telemetry
        self.token = telemetry.attach(telemetry.current(self.span))
        self.traced = _TRACED.set(True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        span = self.span
        try:
            if exc is not None:
                # The SDK's error class (or CancelledError, or a hook's own exception).
                span.set_attribute("error.type", type(exc).__name__)
                ours = str(exc) if isinstance(exc, APIConnectionError) else None
                span.set_status(self.telemetry.error, ours)
        finally:
            span.end()
            _TRACED.reset(self.traced)
            self.telemetry.detach(self.token)


class TracedTransport:
    """A transport whose every attempt is a CLIENT span (in a traced call) and a duration."""

    __slots__ = ("telemetry", "transport")

    def __init__(self, telemetry: Telemetry, transport: Transport) -> None:
        self.telemetry: Telemetry = telemetry
        self.transport: Transport = transport

    async def send(self, request: Request) -> Response:
        """Send through the wrapped transport; measure it, and trace it in a traced call."""
        telemetry = self.telemetry
        name, common = telemetry.route(request.method, request.template)
        span = None
        if _TRACED.get():
            attributes: Attributes = {**common, "url.full": request.url}
            if request.attempt > 1:
                attributes["http.request.resend_count"] = request.attempt - 1
            span = telemetry.tracer.start_span(name, kind=telemetry.client, attributes=attributes)
        started = time.perf_counter()
        try:
            response = await self.transport.send(request)
        except TransportError as exc:
            status = exc.refused_status
            outcome: Attributes = {"error.type": _lost(exc)}
            if status is not None:  # a response came, but its body was refused
                outcome["http.response.status_code"] = status
                if status >= 400:  # noqa: PLR2004 - the conventions' rule
                    outcome["error.type"] = str(status)
            self._end(span, common, started, outcome, exc.reason)
            raise
        except BaseException as exc:  # cancelled, or the client closed under it
            self._end(span, common, started, {"error.type": type(exc).__name__}, None)
            raise
        status = response.status
        outcome = {"http.response.status_code": status}
        if status >= 400:  # noqa: PLR2004 - the conventions' rule
            outcome["error.type"] = str(status)
        if span is not None and (ray_id := response.headers.get("cf-ray")) is not None:
            span.set_attribute("cloudflare.ray_id", ray_id)
        self._end(span, common, started, outcome, None)
        return response

    def _end(
        self,
        span: Span | None,
        common: Attributes,
        started: float,
        outcome: Attributes,
        reason: str | None,
    ) -> None:
        """End the attempt's span, if any; record its duration with the same attributes."""
        elapsed = time.perf_counter() - started
        if span is not None:
            span.set_attributes(outcome)
            if "error.type" in outcome:  # described only in our words for a lost response
                span.set_status(self.telemetry.error, reason)
            span.end()
        self.telemetry.duration.record(elapsed, {**common, **outcome})


def _lost(exc: TransportError) -> str:
    """The error class an attempt without a usable response raises (as `Pipeline._failed`)."""
    if exc.refused_status is not None:
        return APIResponseValidationError.__name__
    return (APITimeoutError if exc.timed_out else APIConnectionError).__name__
