"""The pipeline's logic on an in-memory transport and a fake clock: retries, deadlines,
hooks, phases, statuses and bodies, in milliseconds."""

from __future__ import annotations

import logging

import pytest

import cni_async
from cni_async._limits import Limits
from cni_async._models import InterconnectStatus, Settings
from cni_async._resources.interconnects import _CREATE, _DELETE, _GET, _LOA, _STATUS
from cni_async._resources.settings import _GET as _SETTINGS
from cni_async._retry import RetryPolicy
from cni_async._transport import Phase, TransportError
from tests.unit.memory import TOKEN, FakeClock, MemoryTransport, make_pipeline, reply

OK = reply(200, {"default_asn": 13335})
GCP = {
    "account": "acc",
    "name": "gcp-1",
    "type": "gcp_partner",
    "region": "us-west1",
}
BODY = cni_async.GcpPartnerInterconnectCreate(account="acc", bandwidth="1G", pairing_key="k")


def failed(phase: Phase, *, timed_out: bool = False) -> TransportError:
    return TransportError(phase, f"failed in {phase.value}", timed_out=timed_out)


async def settings(pipeline) -> Settings:
    return await pipeline.request_model(_SETTINGS, pipeline.url(_SETTINGS, None), Settings)


async def create(pipeline) -> object:
    url = pipeline.url(_CREATE, None)
    return await pipeline.request_model(_CREATE, url, cni_async.Interconnect, BODY)


# --- retries ------------------------------------------------------------------------------------


async def test_retries_until_success_with_backoff():
    """Two retryable failures, then a success: three attempts, waits of 0.5 s and 1 s."""
    clock = FakeClock()
    transport = MemoryTransport(reply(503), failed(Phase.RESPONSE), OK)
    assert (await settings(make_pipeline(transport, clock))).default_asn == 13335
    assert len(transport.requests) == 3
    assert clock.slept == [0.5, 1.0]


async def test_stops_after_the_policys_attempts_and_reraises_ours():
    """After the last attempt the last error is raised as itself, never tenacity's RetryError."""
    transport = MemoryTransport(reply(503), reply(502), reply(500), default=OK)
    with pytest.raises(cni_async.InternalServerError) as info:
        await settings(make_pipeline(transport, FakeClock()))
    assert info.value.status_code == 500
    assert len(transport.requests) == 3


async def test_attempts_one_disables_retries():
    """attempts=1 (max_retries=0) sends once."""
    transport = MemoryTransport(reply(503), default=OK)
    with pytest.raises(cni_async.InternalServerError):
        await settings(make_pipeline(transport, FakeClock(), retry=RetryPolicy(attempts=1)))
    assert len(transport.requests) == 1


@pytest.mark.parametrize("phase", [Phase.RESPONSE, Phase.BODY])
async def test_a_create_that_may_have_arrived_is_sent_once(phase):
    """A POST that failed after it may have reached the server is never sent again."""
    transport = MemoryTransport(failed(phase, timed_out=True), default=reply(200, GCP))
    with pytest.raises(cni_async.APITimeoutError) as info:
        await create(make_pipeline(transport, FakeClock()))
    assert info.value.maybe_sent is True
    assert info.value.phase == phase.value
    assert len(transport.requests) == 1


@pytest.mark.parametrize("phase", [Phase.POOL, Phase.CONNECT])
async def test_a_create_that_was_never_sent_is_retried(phase):
    """A POST that never got a connection was not sent: retrying it is safe."""
    transport = MemoryTransport(failed(phase, timed_out=True), reply(200, GCP))
    icon = await create(make_pipeline(transport, FakeClock()))
    assert icon.name == "gcp-1"
    assert len(transport.requests) == 2


async def test_a_tls_failure_is_not_retried():
    """A certificate that failed will fail again: one attempt, a typed error saying so."""
    transport = MemoryTransport(failed(Phase.TLS), default=OK)
    with pytest.raises(cni_async.APIConnectionError) as info:
        await settings(make_pipeline(transport, FakeClock()))
    assert info.value.phase == "tls"
    assert info.value.maybe_sent is False
    assert len(transport.requests) == 1


async def test_retry_after_is_waited():
    """The wait before a retry is the Retry-After the server asked for, for a POST too."""
    clock = FakeClock()
    transport = MemoryTransport(
        reply(429, headers={"Retry-After": "3"}),
        reply(429, headers={"Retry-After": "1.5"}),
        reply(200, GCP),
    )
    await create(make_pipeline(transport, clock, retry=RetryPolicy()))
    assert clock.slept == [3.0, 1.5]


async def test_retry_after_beyond_the_cap_fails_fast():
    """A Retry-After longer than max_retry_after is not waited: the error, with retry_after."""
    clock = FakeClock()
    transport = MemoryTransport(reply(429, headers={"Retry-After": "600"}), default=OK)
    with pytest.raises(cni_async.RateLimitError) as info:
        await settings(make_pipeline(transport, clock))
    assert info.value.retry_after == 600.0
    assert clock.slept == []


async def test_backoff_grows_and_is_capped():
    """Without Retry-After, waits grow exponentially from wait_initial up to wait_max."""
    clock = FakeClock()
    policy = RetryPolicy(attempts=6, wait_initial=0.5, wait_max=3.0, wait_jitter=0.0)
    transport = MemoryTransport(*[reply(503)] * 5, OK)
    await settings(make_pipeline(transport, clock, retry=policy))
    assert clock.slept == [0.5, 1.0, 2.0, 3.0, 3.0]


async def test_jitter_stays_within_its_bound():
    """Jitter adds between 0 and wait_jitter seconds to each backoff."""
    clock = FakeClock()
    policy = RetryPolicy(attempts=30, wait_initial=1.0, wait_max=1.0, wait_jitter=0.25)
    await settings(make_pipeline(MemoryTransport(*[reply(503)] * 29, OK), clock, retry=policy))
    assert all(1.0 <= w <= 1.25 for w in clock.slept)
    assert len(set(clock.slept)) > 1


async def test_each_retry_logs_one_warning(caplog):
    """One WARNING per retry, naming the call, the request's own path and the attempt."""
    pipeline = make_pipeline(MemoryTransport(reply(503), reply(503), OK), FakeClock())
    with caplog.at_level(logging.WARNING, logger="cni_async"):
        await settings(pipeline)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "retrying GET /accounts/acc/cni/settings after attempt 1 failed" in warnings[0]
    assert "attempt 2" in warnings[1]


async def test_concurrent_calls_retry_independently():
    """Many calls retrying at once on one pipeline (one policy) each keep their own count."""
    import asyncio

    answers = {}

    def flaky(request):
        answers[request.url] = answers.get(request.url, 0) + 1
        return reply(503) if answers[request.url] < 3 else reply(200, {"state": "Healthy"})

    pipeline = make_pipeline(MemoryTransport(default=flaky), FakeClock())

    async def status(name: str) -> InterconnectStatus:
        url = pipeline.url(_STATUS, None, icon=name)
        return await pipeline.request_model(_STATUS, url, InterconnectStatus)

    results = await asyncio.gather(*(status(f"icon-{n}") for n in range(20)))
    assert {r.state for r in results} == {"Healthy"}
    assert sorted(answers.values()) == [3] * 20


# --- hooks: one rule, sync or async -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_every_hook_may_be_sync_or_async(kind):
    """on_request, on_response and on_retry are all called, plain functions or coroutines."""
    seen: list[str] = []

    def record(event) -> None:
        seen.append(type(event).__name__)

    async def record_async(event) -> None:
        seen.append(type(event).__name__)

    hook = record if kind == "sync" else record_async
    transport = MemoryTransport(reply(503), OK)
    pipeline = make_pipeline(
        transport, FakeClock(), on_request=hook, on_response=hook, on_retry=hook
    )
    await settings(pipeline)
    assert seen == [
        "RequestEvent",
        "ResponseEvent",
        "RetryEvent",
        "RequestEvent",
        "ResponseEvent",
    ]


async def test_hook_events_hide_the_credential():
    """The headers a request hook sees show the token as '***'."""
    events = []
    pipeline = make_pipeline(MemoryTransport(OK), FakeClock(), on_request=events.append)
    await settings(pipeline)
    assert events[0].headers["Authorization"] == "***"
    assert TOKEN not in repr(events[0])


async def test_a_hook_that_raises_ends_the_call_unretried():
    """An exception of the caller's hook propagates as itself; nothing is retried."""

    def boom(event) -> None:
        raise LookupError("hook failed")

    transport = MemoryTransport(default=OK)
    with pytest.raises(LookupError, match="hook failed"):
        await settings(make_pipeline(transport, FakeClock(), on_request=boom))
    assert transport.requests == []


async def test_failed_attempts_reach_on_response_with_the_error():
    """An attempt that got no response is reported to on_response with its error."""
    events = []
    transport = MemoryTransport(failed(Phase.CONNECT), OK)
    await settings(make_pipeline(transport, FakeClock(), on_response=events.append))
    assert isinstance(events[0].error, cni_async.APIConnectionError)
    assert events[0].status is None
    assert events[1].status == 200


# --- deadlines -----------------------------------------------------------------------------------


async def test_the_deadline_ends_retries_when_the_next_wait_would_pass_it():
    """With 1 s left, a 2 s Retry-After is not waited: the deadline error, chained."""
    clock = FakeClock()
    transport = MemoryTransport(reply(503, headers={"Retry-After": "2"}), default=OK)
    with pytest.raises(cni_async.APITimeoutError) as info:
        await settings(make_pipeline(transport, clock, deadline=1.0))
    assert info.value.phase == "deadline"
    assert "deadline passed after 1 attempt(s)" in str(info.value)
    assert isinstance(info.value.__cause__, cni_async.InternalServerError)
    assert clock.slept == []


async def test_each_attempt_is_cut_to_the_time_left():
    """The attempt's timeout never runs past the call's deadline."""
    transport = MemoryTransport(OK)
    await settings(make_pipeline(transport, FakeClock(), deadline=5.0, timeout=60.0))
    assert transport.requests[0].timeout == pytest.approx(5.0)
    assert transport.requests[0].pool_timeout == pytest.approx(5.0)


async def test_no_deadline_means_the_clients_timeout_and_pool_timeout():
    """Without a deadline the attempt gets the client's timeout and pool_timeout as they are."""
    transport = MemoryTransport(OK)
    await settings(make_pipeline(transport, FakeClock(), timeout=7.0, pool_timeout=3.0))
    assert (transport.requests[0].timeout, transport.requests[0].pool_timeout) == (7.0, 3.0)


async def test_a_pool_wait_cut_by_the_deadline_is_a_deadline_error_never_sent():
    """No connection before the deadline: the deadline's error, with nothing sent."""
    transport = MemoryTransport(failed(Phase.POOL, timed_out=True), default=OK)
    with pytest.raises(cni_async.APITimeoutError) as info:
        await create(make_pipeline(transport, FakeClock(), deadline=2.0, pool_timeout=10.0))
    assert info.value.phase == "deadline"
    assert info.value.maybe_sent is False
    assert "after 0 attempt(s)" in str(info.value)


async def test_a_pool_timeout_shorter_than_the_deadline_is_its_own_error():
    """pool_timeout ran out first: a 'pool' timeout, not sent, and retried."""
    transport = MemoryTransport(failed(Phase.POOL, timed_out=True), reply(200, GCP))
    await create(make_pipeline(transport, FakeClock(), deadline=30.0, pool_timeout=1.0))
    assert [r.pool_timeout for r in transport.requests] == [1.0, 1.0]


async def test_a_rate_limit_wait_past_the_deadline_sends_nothing():
    """When the budget has no room before the deadline, the call ends without sending."""
    clock = FakeClock()
    limits = Limits(cni_async.RateLimit(requests=1, per=60.0), None, clock=clock, sleep=clock.sleep)
    transport = MemoryTransport(default=OK)
    pipeline = make_pipeline(transport, clock, deadline=5.0, limits=limits)
    await settings(pipeline)
    with pytest.raises(cni_async.APITimeoutError, match="after 0 attempt"):
        await settings(pipeline)
    assert len(transport.requests) == 1


async def test_a_spent_server_budget_past_the_cap_raises_rate_limit_without_sending():
    """`Ratelimit: r=0;t=600` (over max_retry_after): RateLimitError, retry_after 600, unsent."""
    clock = FakeClock()
    limits = Limits(None, 4, clock=clock, sleep=clock.sleep)
    spent = reply(200, {"default_asn": 1}, headers={"Ratelimit": '"default";r=0;t=600'})
    transport = MemoryTransport(spent, default=OK)
    pipeline = make_pipeline(transport, clock, limits=limits)
    await settings(pipeline)
    with pytest.raises(cni_async.RateLimitError) as info:
        await settings(pipeline)
    assert info.value.retry_after == pytest.approx(600)
    assert "not sent" in str(info.value)
    assert len(transport.requests) == 1


# --- statuses and bodies -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_never_followed_nor_retried(status):
    """Every 3xx is an APIStatusError saying the SDK does not follow it; one attempt only."""
    moved = reply(status, headers={"Location": "https://evil.example/steal?token=x"})
    transport = MemoryTransport(moved, default=OK)
    pipeline = make_pipeline(transport, FakeClock())
    with pytest.raises(cni_async.APIStatusError) as info:
        await pipeline.request(_DELETE, pipeline.url(_DELETE, None, icon="sjc-1"))
    assert info.value.status_code == status
    message = str(info.value)
    assert "redirect" in message
    assert "does not follow" in message
    assert "to https://evil.example" in message
    assert "token=x" not in message
    assert len(transport.requests) == 1


async def test_an_loa_that_is_not_a_pdf_is_refused():
    """A 2xx LOA body without the %PDF- header is a bad response, not bytes handed over."""
    pipeline = make_pipeline(MemoryTransport(reply(200, b"<html>login</html>")), FakeClock())
    url = pipeline.url(_LOA, None, icon="sjc-1")
    with pytest.raises(cni_async.APIResponseValidationError, match="not a PDF"):
        await pipeline.request_pdf(_LOA, url)


async def test_an_empty_loa_is_refused():
    """An empty 200 LOA (as a mock server answers) is refused the same way."""
    pipeline = make_pipeline(MemoryTransport(reply(200, b"")), FakeClock())
    with pytest.raises(cni_async.APIResponseValidationError, match="LOA body is empty"):
        await pipeline.request_pdf(_LOA, pipeline.url(_LOA, None, icon="sjc-1"))


async def test_a_pdf_loa_is_returned_as_is():
    """A body that starts with %PDF- is the LOA."""
    pipeline = make_pipeline(MemoryTransport(reply(200, b"%PDF-1.4\n...")), FakeClock())
    assert await pipeline.request_pdf(_LOA, pipeline.url(_LOA, None, icon="x")) == b"%PDF-1.4\n..."


async def test_a_refused_body_is_a_validation_error_never_retried():
    """A body the transport refused (too large) is APIResponseValidationError, one attempt."""
    too_large = TransportError(Phase.BODY, "larger than 16 MiB", refused_status=200)
    transport = MemoryTransport(too_large, default=OK)
    with pytest.raises(cni_async.APIResponseValidationError, match="larger than 16 MiB") as info:
        await settings(make_pipeline(transport, FakeClock()))
    assert info.value.status_code == 200
    assert len(transport.requests) == 1


async def test_a_bad_body_names_the_request_and_the_path():
    """A 2xx of the wrong shape: APIResponseValidationError opening with the request."""
    pipeline = make_pipeline(MemoryTransport(reply(200, {"state": 5})), FakeClock())
    url = pipeline.url(_GET, None, icon="sjc-1")
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        await pipeline.request_model(_GET, url, cni_async.Interconnect)
    assert str(info.value).startswith("GET /accounts/acc/cni/interconnects/sjc-1: ")
    assert info.value.request_id == "ray-1-SJC"


async def test_the_retrier_is_built_once_per_policy():
    """Calls share their pipeline's retry strategies; with_options-style derive builds new."""
    pipeline = make_pipeline(MemoryTransport(default=OK), FakeClock())
    retrier = pipeline._retrier
    await settings(pipeline)
    await settings(pipeline)
    assert pipeline._retrier is retrier
    derived = pipeline.derive(pipeline.options)
    assert derived._retrier is not retrier
    assert derived.transport is pipeline.transport


async def test_a_deadline_that_passed_before_a_retry_sends_no_more():
    """If the deadline passes while a retry is being prepared, that attempt is never sent."""
    clock = FakeClock()
    transport = MemoryTransport(reply(503), default=OK)
    pipeline = make_pipeline(
        transport, clock, deadline=10.0, on_retry=lambda _event: clock.advance(30.0)
    )
    with pytest.raises(cni_async.APITimeoutError, match="after 1 attempt") as info:
        await settings(pipeline)
    assert info.value.phase == "deadline"
    assert len(transport.requests) == 1


def test_request_and_body_reprs_show_no_secret():
    """A request's repr hides its credential and its body (it may hold an MD5 key)."""
    from cni_async._pipeline import _Body
    from cni_async._transport import Headers, Request

    body = b'{"bgp": {"md5_key": "s3cr3t-md5"}}'
    secret = Headers({"Authorization": f"Bearer {TOKEN}"})
    request = Request("POST", "https://x/y", secret, body, 1, None, "/y", 1)
    shown = f"{request!r} {_Body(body)!r}"
    assert TOKEN not in shown
    assert "s3cr3t-md5" not in shown
    assert f"{len(body)} bytes" in shown
