"""When opentelemetry is imported, and what the client does without it or with bad providers."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from opentelemetry.trace import SpanKind

import cni_async
from cni_async._routes import Route
from cni_async._telemetry import load
from cni_async._transport import Headers, Request
from tests.telemetry import Recorder
from tests.unit.memory import MemoryTransport, reply

ROOT = Path(__file__).resolve().parents[2]
# A finder that makes opentelemetry look not installed, as on a machine without the extra.
BLOCK = """\
import sys


class NoOpenTelemetry:
    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ImportError(f"{name} is blocked: the otel extra is not installed")
        return None


sys.meta_path.insert(0, NoOpenTelemetry())
"""


def run_python(code: str) -> dict[str, object]:
    """Run `code` in a fresh interpreter; return the JSON object it prints last."""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own test code
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_package_never_imports_opentelemetry():
    """`import cni_async` (and its testing and events modules) leaves opentelemetry alone;
    the first client made imports it."""
    seen = run_python(
        """
        import json, sys
        import cni_async, cni_async.events, cni_async.testing

        def loaded():
            return sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")

        before = loaded()
        cni_async.Client(api_token="t", account_id="a")
        print(json.dumps({"before": before, "after": "opentelemetry.trace" in loaded()}))
        """
    )
    assert seen == {"before": [], "after": True}


def test_without_the_extra_the_client_works_and_imports_nothing():
    """opentelemetry blocked from import: calls (good and failing) work, nothing is traced,
    and asking for a provider is a ConfigurationError naming the extra."""
    seen = run_python(
        BLOCK
        + """
import asyncio, json
import cni_async
from cni_async.testing import Emulator


async def main():
    async with Emulator() as emu, emu.client(max_retries=0) as cf:
        emu.faults.add("get_settings", status=503)
        try:
            await cf.settings.get()
        except cni_async.InternalServerError:
            failed = True
        asn = (await cf.settings.get()).default_asn
        slots = [s async for s in cf.slots.list(limit=5)]
        telemetry = cf._pipeline._telemetry
    try:
        cni_async.Client(api_token="t", account_id="a", tracer_provider=object())
    except cni_async.ConfigurationError as exc:
        refused = str(exc)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")
    return {
        "failed": failed, "asn": asn, "slots": len(slots) > 5, "telemetry": repr(telemetry),
        "refused": refused, "loaded": loaded,
    }


print(json.dumps(asyncio.run(main())))
"""
    )
    assert seen == {
        "failed": True,
        "asn": 13335,
        "slots": True,
        "telemetry": "None",
        "refused": "tracer_provider= and meter_provider= need OpenTelemetry: "
        "pip install 'cni-async[otel]'",
        "loaded": [],
    }


def test_load_without_opentelemetry_is_none_or_a_clear_error(monkeypatch):
    """In process, opentelemetry made unimportable: no telemetry, or an error for a provider."""
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    assert load(None, None, "https://api.test") is None
    assert cni_async.Client(api_token="t", account_id="a")._pipeline._telemetry is None
    for kwargs in ({"tracer_provider": object()}, {"meter_provider": object()}):
        with pytest.raises(cni_async.ConfigurationError, match=r"cni-async\[otel\]"):
            cni_async.Client(api_token="t", account_id="a", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tracer_provider": object()}, "must be an opentelemetry.trace.TracerProvider"),
        ({"meter_provider": "global"}, "must be an opentelemetry.metrics.MeterProvider"),
    ],
)
def test_a_provider_of_the_wrong_type_is_refused(kwargs, message):
    """A provider that is not OpenTelemetry's is a ConfigurationError at construction."""
    with pytest.raises(cni_async.ConfigurationError, match=message):
        cni_async.Client(api_token="t", account_id="a", **kwargs)


def test_the_global_providers_are_used_even_when_set_after_the_client():
    """With no provider given, the client traces into the global ones, set later or not."""
    seen = run_python(
        """
        import asyncio, json
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from cni_async.testing import Emulator


        async def main():
            async with Emulator() as emu, emu.client() as cf:
                await cf.settings.get()  # the no-op providers: nothing recorded
                exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
                tracer_provider = TracerProvider()
                tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
                trace.set_tracer_provider(tracer_provider)
                metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
                await cf.settings.get()
            metric = reader.get_metrics_data().resource_metrics[0].scope_metrics[0].metrics[0]
            return {
                "spans": [s.name for s in exporter.get_finished_spans()],
                "points": sum(p.count for p in metric.data.data_points),
            }


        print(json.dumps(asyncio.run(main())))
        """
    )
    assert seen == {
        "spans": ["GET /accounts/{account_id}/cni/settings", "cni.settings.get"],
        "points": 1,
    }


@pytest.mark.parametrize(
    ("base_url", "address", "port"),
    [
        ("https://api.test/client/v4", "api.test", 443),
        ("http://api.test/client/v4/", "api.test", 80),
        ("http://[::1]:8787/client/v4", "::1", 8787),
    ],
)
async def test_server_address_and_port_come_from_the_base_url(base_url, address, port):
    """server.port is the URL's, else the scheme's default, as the conventions ask."""
    recorder = Recorder()
    telemetry = load(recorder.tracer_provider, recorder.meter_provider, base_url)
    assert telemetry is not None
    traced = telemetry.traced(MemoryTransport(reply(200, {"default_asn": 13335})))
    route = Route("GET", "/accounts/{account_id}/cni/settings", "settings.get")
    url = base_url.rstrip("/") + "/accounts/acc/cni/settings"
    with telemetry.call(route, url):
        await traced.send(Request("GET", url, Headers({}), None, 60.0, None, route.template, 1))
    (attempt,) = recorder.spans(SpanKind.CLIENT)
    attributes = attempt.attributes or {}
    assert (attributes["server.address"], attributes["server.port"]) == (address, port)
    (call,) = recorder.calls()
    assert (call.attributes or {})["cni.account_id"] == "acc"
    recorder.shutdown()


def test_a_route_outside_an_account_has_no_account_attribute():
    """Only a path under /accounts/{account_id}/ names an account."""
    recorder = Recorder()
    telemetry = load(recorder.tracer_provider, None, "https://api.test/client/v4")
    assert telemetry is not None
    route = Route("GET", "/user/tokens/verify", "tokens.verify")
    with telemetry.call(route, "https://api.test/client/v4/user/tokens/verify"):
        pass
    (call,) = recorder.calls()
    assert call.name == "cni.tokens.verify"
    assert dict(call.attributes or {}) == {}
    recorder.shutdown()


def test_an_account_id_is_recorded_decoded():
    """The account id attribute is the id itself, not its percent-encoded path segment."""
    recorder = Recorder()
    telemetry = load(recorder.tracer_provider, None, "https://api.test/client/v4")
    assert telemetry is not None
    route = Route("GET", "/accounts/{account_id}/cni/settings", "settings.get")
    url = "https://api.test/client/v4" + route.path(account_id="a b/c")
    with telemetry.call(route, url):
        pass
    (call,) = recorder.calls()
    assert dict(call.attributes or {}) == {"cni.account_id": "a b/c"}
    recorder.shutdown()
