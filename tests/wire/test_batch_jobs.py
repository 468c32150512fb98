"""Batch jobs and long-lived services: faults, deadlines, waiters, batches, hooks, soak."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
import tracemalloc

import pytest
from aiohttp import web

import cni_async
import cni_async.events
from cni_async import GcpPartnerInterconnectCreate, PhysicalInterconnectCreate, RetryPolicy
from cni_async.testing import Emulator
from tests.conftest import ACCOUNT, TOKEN

# Generous attempts with short waits: a 20% fault rate then almost never exhausts them.
PATIENT = RetryPolicy(attempts=12, wait_initial=0.001, wait_max=0.01, wait_jitter=0.001)


def client(emu: Emulator, **options: object) -> cni_async.Client:
    return cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, **options)  # type: ignore[arg-type]


async def test_listing_5000_under_20_percent_faults(emu):
    """Every one of 5,000 items comes back exactly once and in order despite 20% faults."""
    names = emu.add_interconnects(ACCOUNT, 5000)
    emu.faults.random(0.2, seed=7)
    async with client(emu, retry=PATIENT) as cf:
        got = [icon.name async for icon in cf.interconnects.list(limit=100)]
    assert got == names
    assert emu.faults.injected > 5  # faults really happened
    assert emu.executed["list_interconnects"] == 50


async def test_1000_gets_under_faults(emu):
    """1,000 concurrent gets all succeed under 20% faults (429s, 5xx, dropped connections)."""
    names = emu.add_interconnects(ACCOUNT, 1000)
    emu.faults.random(0.2, seed=11)
    async with client(emu, retry=PATIENT, max_concurrency=50) as cf:
        results = await cni_async.batch(cf.interconnects.get, names, concurrency=100)
    assert [r.name for r in results if not isinstance(r, Exception)] == names
    assert emu.faults.injected > 100


async def test_200_creates_under_faults_never_duplicate(emu):
    """200 creates under faults: failures raise, none is sent twice, reconciling gives 200."""
    accounts = [f"acct-{i}" for i in range(10)]
    async with client(emu, retry=PATIENT) as cf:
        plan = []
        for account in accounts:
            slots = [s async for s in cf.slots.list(occupied=False, account_id=account)]
            plan += [(account, slot.id) for slot in slots[:20]]
        assert len(plan) == 200
        emu.faults.random(0.2, seed=3, drop=True)
        emu.faults.add("create_interconnect", drop="after", times=5)

        async def create(job: tuple[str, str]) -> cni_async.Interconnect:
            account, slot = job
            body = PhysicalInterconnectCreate(account=account, slot_id=slot)
            return await cf.interconnects.create(body, account_id=account)

        results = await cni_async.batch(create, plan, concurrency=20)
        failed = [job for job, r in zip(plan, results, strict=True) if isinstance(r, Exception)]
        assert failed  # some creates could not be confirmed ...
        assert all(
            isinstance(r, cni_async.APIConnectionError | cni_async.APIStatusError)
            for r in results
            if isinstance(r, Exception)
        )
        emu.faults.clear()
        # ... so the job reconciles: a slot already taken means that create did land.
        for account, slot in failed:
            if not (await cf.slots.get(slot, account_id=account)).occupied:
                await create((account, slot))
        total = 0
        for account in accounts:
            total += len([i async for i in cf.interconnects.list(account_id=account)])
    assert total == 200
    assert emu.executed["create_interconnect"] == 200  # never one executed twice


async def test_a_deadline_ends_a_call_near_its_time(emu):
    """deadline=2 against a server delaying 10 s raises APITimeoutError at about 2 s."""
    emu.faults.add("get_settings", delay=10, times=10)
    async with client(emu, deadline=2.0) as cf:
        started = time.monotonic()
        with pytest.raises(cni_async.APITimeoutError, match="deadline") as info:
            await cf.settings.get()
        elapsed = time.monotonic() - started
    assert str(info.value).startswith(f"GET /accounts/{ACCOUNT}/cni/settings: ")
    assert 1.9 <= elapsed < 3.0
    assert info.value.__cause__ is not None


async def test_a_deadline_stops_retry_waits_too(emu):
    """A retry whose wait would pass the deadline is not waited for."""
    emu.faults.add("get_settings", status=503, retry_after="30", times=3)
    policy = RetryPolicy(max_retry_after=120)
    async with client(emu, retry=policy, deadline=1.0) as cf:
        started = time.monotonic()
        with pytest.raises(cni_async.APITimeoutError) as info:
            await cf.settings.get()
    assert time.monotonic() - started < 1.0
    assert emu.requests == 1
    assert str(info.value) == (
        f"GET /accounts/{ACCOUNT}/cni/settings: the call's deadline passed after 1 attempt(s)"
    )
    assert info.value.path == "/accounts/{account_id}/cni/settings"


async def test_with_options_sets_a_deadline_per_call(emu):
    """with_options gives one call site its own deadline and policy; the client keeps its own."""
    emu.faults.add("get_settings", delay=1.0)
    async with client(emu) as cf:
        hurried = cf.with_options(deadline=0.3, retry=RetryPolicy(attempts=1))
        with pytest.raises(cni_async.APITimeoutError):
            await hurried.settings.get()
        assert (await cf.settings.get()).default_asn >= 0
        assert cf.deadline is None
        assert hurried.retry.attempts == 1
        assert hurried.base_url == cf.base_url


async def test_waiting_for_healthy(emu):
    """wait_for_status polls Pending -> Healthy and returns the final status."""
    async with client(emu) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        status = await cf.interconnects.wait_for_status(icon.name, timeout=10, interval=0.01)
    assert status == cni_async.InterconnectStatus(state="Healthy")
    assert emu.executed["get_interconnect_status"] == 3


async def test_waiting_on_a_down_interconnect_raises_with_its_reason(emu):
    """An interconnect that goes Down raises InterconnectDownError carrying status and reason."""
    async with client(emu) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        emu.set_status(ACCOUNT, icon.name, "Down", reason="no light on the fibre")
        with pytest.raises(cni_async.InterconnectDownError) as info:
            await cf.interconnects.wait_for_status(
                icon.name, timeout=10, interval=0.01, allow_down_for=0.05
            )
    assert info.value.status == cni_async.InterconnectStatus("Down", "no light on the fibre")
    assert info.value.reason == "no light on the fibre"
    assert info.value.elapsed >= 0.05
    assert "no light on the fibre" in str(info.value)


async def test_waiting_times_out_with_the_last_status(emu):
    """A status that never arrives raises WaitTimeoutError with the last status seen."""
    emu_slow = Emulator(token=TOKEN, status_polls=10_000)
    async with emu_slow, client(emu_slow) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        started = time.monotonic()
        with pytest.raises(cni_async.WaitTimeoutError) as info:
            await cf.interconnects.wait_for_status(icon.name, timeout=0.3, interval=0.05)
    assert info.value.status == cni_async.InterconnectStatus("Pending")
    assert time.monotonic() - started < 1.0


async def test_a_waiter_can_be_cancelled(emu):
    """Cancelling a waiting task stops it; the client stays usable."""
    async with client(emu) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        task = asyncio.create_task(
            cf.interconnects.wait_for_status(icon.name, "Never", timeout=60, interval=0.01)
        )
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await cf.interconnects.status(icon.name)).state == "Healthy"


async def test_waiting_until_deleted(emu):
    """wait_until_deleted returns once get answers 404, for interconnects and CNIs."""
    async with client(emu) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        cni = await cf.cnis.create(
            cni_async.CniCreate(
                account=ACCOUNT,
                interconnect=icon.name,
                magic=cni_async.MagicSettings(conduit_name="c", description="", mtu=1500),
            )
        )
        with pytest.raises(cni_async.WaitTimeoutError, match="still exists"):
            await cf.cnis.wait_until_deleted(cni.id, timeout=0.1, interval=0.02)
        await cf.cnis.delete(cni.id)
        await cf.cnis.wait_until_deleted(cni.id, timeout=5, interval=0.01)
        await cf.interconnects.delete(icon.name)
        await cf.interconnects.wait_until_deleted(icon.name, timeout=5, interval=0.01)


async def test_waiters_take_the_model_and_use_its_account(emu):
    """A waiter takes what create returned; its account wins over the client's default."""
    other = "acc-other"
    async with client(emu) as cf:  # default account ACCOUNT, objects made in `other`
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=other, bandwidth="1G", pairing_key="pk"),
            account_id=other,
        )
        status = await cf.interconnects.wait_for_status(icon, timeout=10, interval=0.01)
        assert status.state == "Healthy"
        cni = await cf.cnis.create(
            cni_async.CniCreate(
                account=other,
                interconnect=icon.name,
                magic=cni_async.MagicSettings(conduit_name="c", description="", mtu=1500),
            ),
            account_id=other,
        )
        await cf.cnis.delete(cni.id, account_id=other)
        await cf.cnis.wait_until_deleted(cni, timeout=5, interval=0.01)
        await cf.interconnects.delete(icon.name, account_id=other)
        await cf.interconnects.wait_until_deleted(icon, timeout=5, interval=0.01)
        with pytest.raises(cni_async.RequestValidationError, match="icon: must be a string"):
            await cf.interconnects.wait_for_status(42)  # type: ignore[arg-type]
    assert emu.executed["get_interconnect_status"] == 3


async def test_waiter_arguments_are_checked(emu):
    """A negative or NaN timeout is refused before polling."""
    async with client(emu) as cf:
        with pytest.raises(cni_async.RequestValidationError, match="timeout"):
            await cf.interconnects.wait_for_status("x", timeout=-1)
        with pytest.raises(cni_async.RequestValidationError, match="interval"):
            await cf.interconnects.wait_until_deleted("x", interval=float("nan"))
    assert emu.requests == 0


async def test_batch_keeps_order_and_failures_in_place(emu):
    """batch returns a result or an exception per input, in input order."""
    names = emu.add_interconnects(ACCOUNT, 30)
    wanted = [*names[:10], "missing-1", *names[10:20], "missing-2"]
    async with client(emu) as cf:
        results = await cni_async.batch(cf.interconnects.get, wanted, concurrency=4)
    assert len(results) == len(wanted)
    for name, result in zip(wanted, results, strict=True):
        if name.startswith("missing"):
            assert isinstance(result, cni_async.NotFoundError)
        else:
            assert not isinstance(result, Exception)
            assert result.name == name


async def test_batch_bounds_concurrency():
    """No more than `concurrency` calls run at once."""
    running = peak = 0

    async def work(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001)
        running -= 1
        return n * 2

    assert await cni_async.batch(work, range(50), concurrency=7) == [n * 2 for n in range(50)]
    assert peak == 7
    assert await cni_async.batch(work, []) == []
    with pytest.raises(cni_async.RequestValidationError, match="concurrency"):
        await cni_async.batch(work, [1], concurrency=0)


async def test_max_concurrency_caps_requests_in_flight(emu):
    """max_concurrency=5 keeps at most five requests on the wire across 100 tasks."""
    names = emu.add_interconnects(ACCOUNT, 100)
    emu.faults.add("get_interconnect", delay=0.01, times=100)
    in_flight = peak = 0

    async def on_request(event: cni_async.events.RequestEvent) -> None:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)

    async def on_response(event: cni_async.events.ResponseEvent) -> None:
        nonlocal in_flight
        in_flight -= 1

    async with client(emu, max_concurrency=5, on_request=on_request, on_response=on_response) as cf:
        await asyncio.gather(*(cf.interconnects.get(n) for n in names))
    assert peak == 5


async def test_client_rate_limit_paces_requests(emu):
    """RateLimit(5, per=0.5): the sixth request goes no sooner than half a second after the first."""
    async with client(emu, rate_limit=cni_async.RateLimit(requests=5, per=0.5)) as cf:
        started = time.monotonic()
        await asyncio.gather(*(cf.settings.get() for _ in range(6)))
        assert time.monotonic() - started >= 0.5
    assert emu.requests == 6


async def test_cancelling_100_in_flight_calls_leaks_nothing(emu):
    """100 calls cancelled mid-flight leave no unclosed-resource warning and a usable client."""
    names = emu.add_interconnects(ACCOUNT, 100)
    emu.faults.add("get_interconnect", delay=5, times=100)
    cf = client(emu)
    tasks = [asyncio.create_task(cf.interconnects.get(n)) for n in names]
    while emu.requests < 100:
        await asyncio.sleep(0.01)
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    emu.faults.clear()
    assert (await cf.interconnects.get(names[0])).name == names[0]
    await cf.aclose()
    gc.collect()  # leaked sessions or transports would warn here; warnings are errors


async def test_hooks_see_every_attempt_with_one_call_id(emu):
    """on_request/on_response/on_retry see each attempt; all attempts share the call id."""
    emu.faults.add("get_settings", status=503, times=2)
    events: list[object] = []

    async def record(event: object) -> None:
        events.append(event)

    retries: list[cni_async.events.RetryEvent] = []
    fast = RetryPolicy(wait_initial=0.001, wait_max=0.001, wait_jitter=0)
    async with client(
        emu, retry=fast, on_request=record, on_response=record, on_retry=retries.append
    ) as cf:
        await cf.settings.get()
    requests = [e for e in events if isinstance(e, cni_async.events.RequestEvent)]
    responses = [e for e in events if isinstance(e, cni_async.events.ResponseEvent)]
    assert [e.attempt for e in requests] == [1, 2, 3]
    assert [e.status for e in responses] == [503, 503, 200]
    assert len({e.call_id for e in events} | {e.call_id for e in retries}) == 1
    assert [(r.attempt, r.method, r.path) for r in retries] == [
        (1, "GET", "/accounts/{account_id}/cni/settings"),
        (2, "GET", "/accounts/{account_id}/cni/settings"),
    ]
    assert isinstance(retries[0].cause, cni_async.InternalServerError)
    assert requests[0].headers["Authorization"] == "***"
    assert all(r.request_id for r in responses)


async def test_debug_logs_redact_credentials_and_md5_keys(emu, caplog):
    """DEBUG logs show method, URL, status, attempt and cf-ray, never a token or MD5 key."""
    caplog.set_level(logging.DEBUG, logger="cni_async")
    emu.faults.add("create_cni", status=429, retry_after="0")
    async with client(emu) as cf:
        icon = await cf.interconnects.create(
            GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")
        )
        await cf.cnis.create(
            cni_async.CniCreate(
                account=ACCOUNT,
                interconnect=icon.name,
                magic=cni_async.MagicSettings(conduit_name="c", description="", mtu=1500),
                bgp=cni_async.BgpControl(
                    customer_asn=65000, extra_prefixes=[], md5_key="md5-SECRET"
                ),
            )
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert TOKEN not in text
    assert "md5-SECRET" not in text
    assert "'md5_key': '***'" in text
    assert "'Authorization': '***'" in text
    assert "-> 429" in text
    assert "-> 200" in text
    assert "attempt 2" in text
    assert "cf-ray" in text


@pytest.fixture
async def ratelimited_server():
    """A real server whose Ratelimit headers say, on its first answer, the budget is spent.

    Yields a function of the reset (seconds) that gives the base URL; hits are recorded.
    """
    hits: list[float] = []
    runners: list[web.AppRunner] = []

    async def start(reset: int) -> str:
        async def handler(request: web.Request) -> web.Response:
            hits.append(time.monotonic())
            remaining = 0 if len(hits) == 1 else 100
            return web.Response(
                text=json.dumps({"default_asn": 1}),
                content_type="application/json",
                headers={
                    "Ratelimit": f'"default";r={remaining};t={reset}',
                    "Ratelimit-Policy": '"default";q=1200;w=300',
                },
            )

        app = web.Application()
        app.router.add_get("/client/v4/accounts/{acc}/cni/settings", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}/client/v4"

    yield start, hits
    for runner in runners:
        await runner.cleanup()


async def test_ratelimit_headers_slow_the_client_down(ratelimited_server):
    """After `Ratelimit: r=0;t=1` the next request waits a second instead of earning a 429."""
    start, hits = ratelimited_server
    url = await start(1)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=url, max_concurrency=10
    ) as cf:
        await cf.settings.get()
        await cf.settings.get()
    assert hits[1] - hits[0] >= 0.95


async def test_a_spent_budget_beyond_the_cap_fails_fast_unsent(ratelimited_server):
    """`Ratelimit: r=0;t=600` (over max_retry_after): the next call is not sent, and raises
    RateLimitError with retry_after=600 at once, so a batch job can reschedule it."""
    start, hits = ratelimited_server
    url = await start(600)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=url, max_concurrency=10
    ) as cf:
        await cf.settings.get()
        began = time.monotonic()
        with pytest.raises(cni_async.RateLimitError, match="resets in 600 s") as caught:
            await cf.settings.get()
    assert time.monotonic() - began < 1.0
    assert caught.value.retry_after == pytest.approx(600, abs=1)
    assert f"GET /accounts/{ACCOUNT}/cni/settings not sent" in str(caught.value)
    assert caught.value.status_code == 429
    assert len(hits) == 1  # the second call never reached the server


@pytest.mark.slow  # about 30 s: run by `nox -s slow`, not the default run
async def test_soak_20000_requests_keeps_memory_flat(emu):
    """20,000 requests on one client: memory after 20k is within 1 MiB of memory after 5k."""
    names = emu.add_interconnects(ACCOUNT, 50)
    async with client(emu) as cf:

        async def run(count: int) -> None:
            for start in range(0, count, 500):
                await asyncio.gather(
                    *(cf.interconnects.get(names[i % 50]) for i in range(start, start + 500))
                )

        await run(2_000)  # warm-up: connections, caches, lazily built hooks
        gc.collect()
        tracemalloc.start()
        try:
            await run(5_000)
            gc.collect()
            after_5k = tracemalloc.get_traced_memory()[0]
            await run(15_000)
            gc.collect()
            after_20k = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    assert emu.executed["get_interconnect"] == 22_000
    assert after_20k - after_5k < 1024 * 1024, (after_5k, after_20k)
