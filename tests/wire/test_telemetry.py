"""The `otel` extra over real sockets: spans, parentage, attributes, retries, failures, metrics.

Each test hands its client an in-memory SDK (tests/telemetry.py), never the global one.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import StatusCode

import cni_async
from cni_async import BgpControl, CniCreate, GcpPartnerInterconnectCreate, MagicSettings
from cni_async.testing import Emulator
from tests.conftest import TOKEN
from tests.telemetry import Recorder

FAST = cni_async.RetryPolicy(wait_initial=0.01, wait_max=0.05, wait_jitter=0.0)
ONE = "/accounts/{account_id}/cni/interconnects/{icon}"


@pytest.fixture
def otel() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.shutdown()


@pytest_asyncio.fixture
async def cf(emu: Emulator, otel: Recorder) -> AsyncIterator[cni_async.Client]:
    async with emu.client(retry=FAST, **otel.providers) as client:
        yield client


async def make_icon(cf: cni_async.Client, n: int = 1) -> str:
    body = GcpPartnerInterconnectCreate(bandwidth="1G", pairing_key=f"k/us-west1/{n}")
    return (await cf.interconnects.create(body)).name


async def test_get_is_a_call_span_over_a_client_span(cf, emu, otel):
    """A get: INTERNAL `cni.interconnects.get` with one CLIENT span beneath, per the conventions."""
    name = await make_icon(cf)
    otel.exporter.clear()
    await cf.interconnects.get(name)
    (call,) = otel.calls()
    (attempt,) = otel.attempts()
    base = urlsplit(emu.base_url)
    assert call.name == "cni.interconnects.get"
    assert call.parent is None
    assert dict(call.attributes or {}) == {"cni.account_id": emu.account_id}
    assert call.status.status_code is StatusCode.UNSET
    assert call.instrumentation_scope is not None
    assert call.instrumentation_scope.name == "cni_async"
    assert call.instrumentation_scope.version == cni_async.__version__
    assert attempt.name == f"GET {ONE}"
    assert attempt.parent is not None
    assert attempt.parent.span_id == call.context.span_id
    assert attempt.context.trace_id == call.context.trace_id
    attributes = dict(attempt.attributes or {})
    ray_id = attributes.pop("cloudflare.ray_id")
    assert isinstance(ray_id, str)
    assert ray_id.endswith("-SJC")
    assert attributes == {
        "http.request.method": "GET",
        "url.full": f"{emu.base_url}/accounts/{emu.account_id}/cni/interconnects/{name}",
        "url.template": ONE,
        "server.address": "127.0.0.1",
        "server.port": base.port,
        "http.response.status_code": 200,
    }
    assert attempt.status.status_code is StatusCode.UNSET
    assert call.start_time is not None
    assert attempt.start_time is not None
    assert call.end_time is not None
    assert attempt.end_time is not None
    assert call.start_time <= attempt.start_time <= attempt.end_time <= call.end_time


async def test_the_callers_span_is_the_parent_of_the_call_span(cf, otel):
    """A call made inside the caller's span is that span's child, in the same trace."""
    name = await make_icon(cf)
    otel.exporter.clear()
    tracer = otel.tracer_provider.get_tracer("job")
    with tracer.start_as_current_span("sync-inventory") as job:
        await cf.interconnects.status(name)
    (call,) = otel.calls()
    assert call.name == "cni.interconnects.status"
    assert call.parent is not None
    assert call.parent.span_id == job.get_span_context().span_id
    assert call.context.trace_id == job.get_span_context().trace_id
    (attempt,) = otel.attempts()
    assert attempt.parent is not None
    assert attempt.parent.span_id == call.context.span_id


async def test_a_retry_is_two_client_spans_under_one_call(cf, emu, otel):
    """A 503 then a 200: two CLIENT spans, error.type "503" on the first, resend_count 1 on
    the second; the backoff between them is inside the call span."""
    name = await make_icon(cf)
    otel.exporter.clear()
    emu.faults.add("get_interconnect", status=503)
    await cf.interconnects.get(name)
    (call,) = otel.calls()
    first, second = otel.attempts()
    assert call.status.status_code is StatusCode.UNSET
    assert "error.type" not in (call.attributes or {})
    assert [a.parent.span_id for a in (first, second) if a.parent] == [call.context.span_id] * 2
    assert (first.attributes or {})["http.response.status_code"] == 503
    assert (first.attributes or {})["error.type"] == "503"
    assert "http.request.resend_count" not in (first.attributes or {})
    assert first.status.status_code is StatusCode.ERROR
    assert first.status.description is None  # the status code says it all
    assert (second.attributes or {})["http.request.resend_count"] == 1
    assert (second.attributes or {})["http.response.status_code"] == 200
    assert "error.type" not in (second.attributes or {})
    assert second.status.status_code is StatusCode.UNSET
    assert first.end_time is not None
    assert second.start_time is not None
    assert first.end_time <= second.start_time


async def test_a_4xx_is_an_error_on_both_spans(cf, otel):
    """A 404: the CLIENT span's error.type is "404", the call's the SDK's error class."""
    with pytest.raises(cni_async.NotFoundError):
        await cf.interconnects.get("nope")
    (call,) = otel.calls()
    (attempt,) = otel.attempts()
    assert (attempt.attributes or {})["error.type"] == "404"
    assert (attempt.attributes or {})["http.response.status_code"] == 404
    assert attempt.status.status_code is StatusCode.ERROR
    assert (call.attributes or {})["error.type"] == "NotFoundError"
    assert call.status.status_code is StatusCode.ERROR
    assert call.status.description is None  # an API error's message may quote its body


async def test_every_attempt_counts_in_the_duration_histogram(cf, emu, otel):
    """http.client.request.duration: one point per attempt, with the conventions' attributes."""
    name = await make_icon(cf)
    emu.faults.add("get_interconnect", status=503)
    await cf.interconnects.get(name)
    port = urlsplit(emu.base_url).port
    points = {
        tuple(sorted((p.attributes or {}).items())): p
        for p in otel.points()
        if (p.attributes or {}).get("url.template") == ONE
    }
    common = {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.template": ONE,
    }
    failed = {**common, "http.response.status_code": 503, "error.type": "503"}
    succeeded = {**common, "http.response.status_code": 200}
    assert set(points) == {tuple(sorted(failed.items())), tuple(sorted(succeeded.items()))}
    for point in points.values():
        assert point.count == 1
        assert 0 < point.sum < 5
        assert point.explicit_bounds[:3] == (0.005, 0.01, 0.025)
    (metric,) = [
        m
        for r in otel.reader.get_metrics_data().resource_metrics  # type: ignore[union-attr]
        for s in r.scope_metrics
        for m in s.metrics
    ]
    assert (metric.name, metric.unit) == ("http.client.request.duration", "s")


async def test_connection_refused_names_the_error_class(otel):
    """No server: each attempt's span has error.type APIConnectionError and no status code."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    base_url = f"http://127.0.0.1:{port}/client/v4"
    async with cni_async.Client(
        api_token=TOKEN, account_id="acc", base_url=base_url, retry=FAST, **otel.providers
    ) as cf:
        with pytest.raises(cni_async.APIConnectionError):
            await cf.settings.get()
    (call,) = otel.calls()
    attempts = otel.attempts()
    assert len(attempts) == 3
    for attempt in attempts:
        attributes = attempt.attributes or {}
        assert attributes["error.type"] == "APIConnectionError"
        assert "http.response.status_code" not in attributes
        assert attempt.status.status_code is StatusCode.ERROR
        assert "could not connect" in (attempt.status.description or "")
    assert [(a.attributes or {}).get("http.request.resend_count") for a in attempts] == [
        None,
        1,
        2,
    ]
    assert (call.attributes or {})["error.type"] == "APIConnectionError"
    assert "could not connect" in (call.status.description or "")
    assert {p.count for p in otel.points()} == {3}


async def test_a_timeout_is_an_api_timeout_error(emu, otel):
    """An answer slower than the timeout: error.type APITimeoutError on both spans."""
    emu.faults.add("get_settings", delay=2)
    async with emu.client(timeout=0.2, max_retries=0, **otel.providers) as cf:
        with pytest.raises(cni_async.APITimeoutError):
            await cf.settings.get()
    (call,) = otel.calls()
    (attempt,) = otel.attempts()
    assert (attempt.attributes or {})["error.type"] == "APITimeoutError"
    assert (call.attributes or {})["error.type"] == "APITimeoutError"
    assert call.status.status_code is attempt.status.status_code is StatusCode.ERROR


async def test_a_refused_body_keeps_its_status_code(emu, otel):
    """A body over max_response_size: a 200 becomes APIResponseValidationError, a 404 "404"."""
    async with emu.client(max_response_size=8, **otel.providers) as cf:
        with pytest.raises(cni_async.APIResponseValidationError):
            await cf.settings.get()
        with pytest.raises(cni_async.APIResponseValidationError):
            await cf.interconnects.get("nope")
    ok, missing = otel.attempts()
    assert (ok.attributes or {})["http.response.status_code"] == 200
    assert (ok.attributes or {})["error.type"] == "APIResponseValidationError"
    assert (missing.attributes or {})["http.response.status_code"] == 404
    assert (missing.attributes or {})["error.type"] == "404"
    assert ok.status.status_code is missing.status.status_code is StatusCode.ERROR


async def test_a_list_of_three_pages_is_three_call_spans(cf, otel):
    """Each page a paginator fetches is its own call span, with its own attempt."""
    for n in range(3):
        await make_icon(cf, n)
    otel.exporter.clear()
    pages = [page async for page in cf.interconnects.list(limit=1).pages()]
    assert len(pages) == 3
    calls = otel.calls()
    assert [c.name for c in calls] == ["cni.interconnects.list"] * 3
    attempts = otel.attempts()
    assert [a.parent.span_id for a in attempts if a.parent] == [c.context.span_id for c in calls]
    urls = [str((a.attributes or {})["url.full"]) for a in attempts]
    assert urls[0].endswith("?limit=1")
    assert all("cursor=" in url for url in urls[1:])
    assert {(a.attributes or {})["url.template"] for a in attempts} == {
        "/accounts/{account_id}/cni/interconnects"
    }


async def test_delete_and_loa_are_call_spans_too(cf, otel):
    """Calls that return bytes or nothing are spans like the rest."""
    name = await make_icon(cf)
    await cf.interconnects.loa(name)
    await cf.interconnects.delete(name)
    names = [c.name for c in otel.calls()]
    assert names == [
        "cni.interconnects.create",
        "cni.interconnects.loa",
        "cni.interconnects.delete",
    ]
    assert [a.name for a in otel.attempts()][1:] == [f"GET {ONE}/loa", f"DELETE {ONE}"]


async def test_no_secret_in_any_span_or_metric(emu, otel):
    """The token, an MD5 key and the bodies never reach a span, an event or a metric point."""
    md5 = "md5-SECRET-9f8e7d"
    async with emu.client(api_token=TOKEN, retry=FAST, **otel.providers) as cf:
        name = await make_icon(cf)
        body = CniCreate(
            interconnect=name,
            magic=MagicSettings(conduit_name="tunnel-1", description="to SJC", mtu=1476),
            bgp=BgpControl(customer_asn=65000, extra_prefixes=["10.1.0.0/24"], md5_key=md5),
        )
        created = await cf.cnis.create(body)
        await cf.cnis.update(created)
        emu.faults.add("create_cni", status=503)  # a create is not retried: a failed call
        with pytest.raises(cni_async.InternalServerError):
            await cf.cnis.create(body)
        with pytest.raises(cni_async.ConflictError):  # the same conduit name again
            await cf.cnis.create(body)
    text = otel.text()
    assert "cni.cnis.create" in text
    assert "cni.cnis.update" in text
    assert "tunnel-1" not in text  # no body
    assert TOKEN not in text
    assert md5 not in text
    assert "md5" not in text.lower()


async def test_a_cancelled_call_ends_both_spans(emu, otel):
    """Cancelled mid-attempt: both spans end, with error.type CancelledError."""
    emu.faults.add("get_settings", delay=5)
    async with emu.client(**otel.providers) as cf:
        task = asyncio.create_task(cf.settings.get())
        while emu.faults.injected == 0:  # the request is at the server, held by the delay
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    (call,) = otel.calls()
    (attempt,) = otel.attempts()
    for span in (call, attempt):
        assert (span.attributes or {})["error.type"] == "CancelledError"
        assert span.status.status_code is StatusCode.ERROR
        assert span.end_time is not None


async def test_a_failing_hook_ends_the_call_span(emu, otel):
    """on_request raising: the call span ends with its error and no attempt was traced;
    on_response raising: the attempt ended fine, the call did not."""

    def refuse(event: object) -> None:
        raise RuntimeError("hook says no")

    async with emu.client(on_request=refuse, **otel.providers) as cf:
        with pytest.raises(RuntimeError):
            await cf.settings.get()
    (call,) = otel.calls()
    assert otel.attempts() == []
    assert (call.attributes or {})["error.type"] == "RuntimeError"
    assert call.status.description is None  # a hook's message is the user's, not ours
    otel.exporter.clear()
    async with emu.client(on_response=refuse, **otel.providers) as cf:
        with pytest.raises(RuntimeError):
            await cf.settings.get()
    (call,) = otel.calls()
    (attempt,) = otel.attempts()
    assert (call.attributes or {})["error.type"] == "RuntimeError"
    assert attempt.status.status_code is StatusCode.UNSET
    assert (attempt.attributes or {})["http.response.status_code"] == 200


async def test_with_options_copies_share_the_providers(cf, otel):
    """A `with_options` copy traces into the providers of the client it came from."""
    urgent = cf.with_options(deadline=5)
    await urgent.settings.get()
    assert [c.name for c in otel.calls()] == ["cni.settings.get"]
    assert len(otel.points()) == 1


async def test_a_closed_client_ends_the_call_span(cf, otel):
    """A call on a closed client is a call span ending in ClientClosedError."""
    await cf.aclose()
    with pytest.raises(cni_async.ClientClosedError):
        await cf.settings.get()
    (call,) = otel.calls()
    assert (call.attributes or {})["error.type"] == "ClientClosedError"
    (attempt,) = otel.attempts()  # the transport refused it: no status, the error's class
    assert (attempt.attributes or {})["error.type"] == "ClientClosedError"
    assert "http.response.status_code" not in (attempt.attributes or {})


async def test_metrics_alone_when_only_a_meter_provider_is_given(emu, otel):
    """A meter provider and the (no-op) global tracer: durations recorded, no span."""
    async with emu.client(meter_provider=otel.meter_provider) as cf:
        await cf.settings.get()
    assert otel.spans() == []
    (point,) = otel.points()
    assert point.count == 1
    assert (point.attributes or {})["http.response.status_code"] == 200


async def test_sampled_out_calls_export_nothing_and_still_measure(emu, otel):
    """A sampler that drops every span: nothing exported, no error, durations recorded."""
    dropping = TracerProvider(sampler=ALWAYS_OFF, shutdown_on_exit=False)
    dropping.add_span_processor(SimpleSpanProcessor(otel.exporter))
    emu.faults.add("get_settings", status=503)
    async with emu.client(
        tracer_provider=dropping, meter_provider=otel.meter_provider, retry=FAST
    ) as cf:
        await cf.settings.get()
    assert otel.spans() == []
    assert sorted(p.count for p in otel.points()) == [1, 1]
    dropping.shutdown()
