"""An OpenTelemetry SDK that records in memory: the providers a test hands to a client.

Never the global providers: each test gets its own, so no test sees another's spans.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

DURATION = "http.client.request.duration"


class Recorder:
    """A tracer provider and a meter provider whose spans and points stay in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider(shutdown_on_exit=False)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader], shutdown_on_exit=False)

    @property
    def providers(self) -> dict[str, Any]:
        """The client keyword arguments that send everything here."""
        return {"tracer_provider": self.tracer_provider, "meter_provider": self.meter_provider}

    def spans(self, kind: SpanKind | None = None) -> list[ReadableSpan]:
        """The finished spans, in the order they ended (of one kind, if given)."""
        spans = self.exporter.get_finished_spans()
        return [s for s in spans if kind is None or s.kind == kind]

    def calls(self) -> list[ReadableSpan]:
        """The finished spans of SDK calls (INTERNAL, named cni.*)."""
        return [s for s in self.spans(SpanKind.INTERNAL) if s.name.startswith("cni.")]

    def attempts(self) -> list[ReadableSpan]:
        """The finished CLIENT spans (one per HTTP attempt), in the order they ended."""
        return self.spans(SpanKind.CLIENT)

    def points(self) -> list[HistogramDataPoint]:
        """The http.client.request.duration points recorded so far (cumulative)."""
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for metric in scope.metrics
            if metric.name == DURATION
            for point in metric.data.data_points
            if isinstance(point, HistogramDataPoint)
        ]

    def text(self) -> str:
        """Every span and metric point exported, rendered whole (names, attributes, events)."""
        data = self.reader.get_metrics_data()
        metrics = "" if data is None else data.to_json()
        return "\n".join([*(span.to_json() for span in self.spans()), metrics])

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
