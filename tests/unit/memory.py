"""An in-memory transport and a fake clock: the pipeline's logic without sockets or waiting."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from multidict import CIMultiDict

from cni_async._limits import Limits
from cni_async._pipeline import Options, Pipeline
from cni_async._retry import RetryPolicy
from cni_async._transport import Headers, Request, Response, TransportError

TOKEN = "tok-MEMORY-secret"
BASE = "https://api.test/client/v4"
Outcome = Response | TransportError | Callable[[Request], "Response | TransportError"]


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps (or `advance`)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # still a scheduling point, as a real sleep is


class MemoryTransport:
    """Answers each request with the next scripted outcome (then `default`), and keeps them."""

    def __init__(self, *outcomes: Outcome, default: Outcome | None = None) -> None:
        self.script = list(outcomes)
        self.default = default
        self.requests: list[Request] = []
        self.closed = False

    def open(self) -> None:
        """Nothing to open."""

    async def send(self, request: Request) -> Response:
        self.requests.append(request)
        outcome = self.script.pop(0) if self.script else self.default
        assert outcome is not None, f"unscripted request {request!r}"
        if callable(outcome):
            outcome = outcome(request)
        if isinstance(outcome, TransportError):
            raise outcome
        return outcome

    async def aclose(self) -> None:
        self.closed = True


def reply(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Response:
    """A response with a JSON body (or raw bytes), and a cf-ray header."""
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    # Case-insensitive, as every real transport's response headers are.
    return Response(status, CIMultiDict({"cf-ray": "ray-1-SJC", **(headers or {})}), raw)


FAST = RetryPolicy(attempts=3, wait_initial=0.5, wait_max=8.0, wait_jitter=0.0)


def make_pipeline(
    transport: MemoryTransport,
    clock: FakeClock,
    *,
    retry: RetryPolicy = FAST,
    deadline: float | None = None,
    limits: Limits | None = None,
    timeout: float = 60.0,
    pool_timeout: float | None = None,
    **hooks: Any,
) -> Pipeline:
    """A pipeline on `transport`, with the fake clock as its clock and its sleep."""
    return Pipeline(
        transport,
        base_url=BASE,
        headers=Headers({"User-Agent": "test", "Authorization": f"Bearer {TOKEN}"}),
        account_id="acc",
        options=Options(retry, deadline, **hooks),
        limits=limits,
        timeout=timeout,
        pool_timeout=pool_timeout,
        clock=clock,
        sleep=clock.sleep,
    )
