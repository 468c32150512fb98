"""Client-side limits on a fake clock: the window, the cap, the API's headers, the notices."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from hashlib import sha256

import pytest

import cni_async
from cni_async import RateLimit
from cni_async._limits import (
    Limits,
    LimitWaitTooLongError,
    LocalWindow,
    ServerBudget,
    parse_ratelimit,
)
from cni_async._ratelimit import redacted_url, shared_key


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def max_in_any_window(times: list[float], per: float) -> int:
    window: deque[float] = deque()
    best = 0
    for t in times:
        window.append(t)
        while t - window[0] >= per:
            window.popleft()
        best = max(best, len(window))
    return best


async def test_the_window_lets_a_burst_through_then_waits():
    """With 5 per 10 s, five go at once and the sixth waits until the first is 10 s old."""
    clock = FakeClock()
    limits = Limits(RateLimit(requests=5, per=10.0), None, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(5):
        await limits.acquire(max_server_wait=60)
    assert clock.now == start
    await limits.acquire(max_server_wait=60)
    assert clock.now == start + 10.0


async def test_cloudflare_budget_holds_in_every_window():
    """3,000 requests under RateLimit.cloudflare() never exceed 1,200 in any 300 s."""
    clock = FakeClock()
    limits = Limits(RateLimit.cloudflare(), None, clock=clock, sleep=clock.sleep)
    sent = []
    for i in range(3000):
        await limits.acquire(max_server_wait=60)
        sent.append(clock.now)
        clock.now += 0.01 * (i % 3)  # requests take a little time
    assert max_in_any_window(sent, 300.0) == 1200
    assert sent[-1] - sent[0] >= 600.0  # the third 1,200 needed two full windows


async def test_the_budget_is_shared_by_concurrent_tasks():
    """Many tasks drawing on one limiter still stay within the budget together."""
    clock = FakeClock()
    limits = Limits(RateLimit(requests=10, per=1.0), None, clock=clock, sleep=clock.sleep)
    sent: list[float] = []

    async def task() -> None:
        for _ in range(10):
            await limits.acquire(max_server_wait=60)
            sent.append(clock.now)

    await asyncio.gather(*(task() for _ in range(8)))
    assert len(sent) == 80
    assert max_in_any_window(sorted(sent), 1.0) <= 10


async def test_a_wait_past_the_deadline_raises_before_waiting():
    """When the window's wait is longer than the call has left, it fails at once."""
    clock = FakeClock()
    limits = Limits(RateLimit(requests=1, per=30.0), None, clock=clock, sleep=clock.sleep)
    await limits.acquire(max_server_wait=60)
    with pytest.raises(LimitWaitTooLongError) as info:
        await limits.acquire(max_server_wait=60, remaining=5.0)
    assert info.value.wait == 30.0
    assert not info.value.from_server
    assert clock.now == 1000.0


async def test_concurrency_cap():
    """max_concurrency bounds the acquisitions not yet released."""
    limits = Limits(None, 3)
    in_flight = 0
    peak = 0

    async def request() -> None:
        nonlocal in_flight, peak
        await limits.acquire(max_server_wait=60)
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        limits.release()

    await asyncio.gather(*(request() for _ in range(30)))
    assert peak == 3


async def test_a_failed_wait_gives_the_slot_back():
    """A limit that refuses to wait releases the concurrency slot it held."""
    clock = FakeClock()
    limits = Limits(RateLimit(requests=1, per=30.0), 1, clock=clock, sleep=clock.sleep)
    await limits.acquire(max_server_wait=60)
    limits.release()
    with pytest.raises(LimitWaitTooLongError):
        await limits.acquire(max_server_wait=60, remaining=1.0)
    clock.now += 30
    await asyncio.wait_for(limits.acquire(max_server_wait=60), 1)


@pytest.mark.parametrize(
    ("headers", "budget"),
    [
        ({"ratelimit": '"default";r=50;t=30'}, ServerBudget(50, 30.0)),
        (
            {"ratelimit": '"default";r=0;t=240', "ratelimit-policy": '"default";q=1200;w=300'},
            ServerBudget(0, 240.0, 1200, 300.0),
        ),
        (
            {"ratelimit-remaining": "7", "ratelimit-reset": "12", "ratelimit-limit": "100"},
            ServerBudget(7, 12.0, 100),
        ),
        ({"ratelimit": "garbage"}, None),
        ({"ratelimit-remaining": "x", "ratelimit-reset": "1"}, None),
        ({}, None),
    ],
)
def test_parse_ratelimit_headers(headers, budget):
    """Both the structured `Ratelimit` header and the older split headers are read."""
    assert parse_ratelimit(headers) == budget


async def test_a_spent_server_budget_pauses_new_requests():
    """`Ratelimit: r=0;t=20` makes the next request wait 20 s instead of earning a 429."""
    clock = FakeClock()
    limits = Limits(None, 4, clock=clock, sleep=clock.sleep)
    limits.observe({"ratelimit": '"default";r=0;t=20'})
    await limits.acquire(max_server_wait=60)
    assert clock.now == 1020.0


async def test_a_server_wait_beyond_the_cap_fails_fast():
    """A reset further away than max_server_wait is refused, marked as the server's."""
    clock = FakeClock()
    limits = Limits(None, 4, clock=clock, sleep=clock.sleep)
    limits.observe({"ratelimit": '"default";r=0;t=240'})
    with pytest.raises(LimitWaitTooLongError) as info:
        await limits.acquire(max_server_wait=60)
    assert info.value.from_server
    assert info.value.wait == 240.0


async def test_a_low_server_budget_spaces_requests_out():
    """With under 10% of the quota left, requests are spread over what is left of the window."""
    clock = FakeClock()
    limits = Limits(None, 4, clock=clock, sleep=clock.sleep)
    limits.observe(
        {"ratelimit": '"default";r=10;t=50', "ratelimit-policy": '"default";q=1200;w=300'}
    )
    await limits.acquire(max_server_wait=60)
    assert clock.now == pytest.approx(1005.0)
    limits.observe(
        {"ratelimit": '"default";r=900;t=50', "ratelimit-policy": '"default";q=1200;w=300'}
    )
    before = clock.now
    await limits.acquire(max_server_wait=60)
    assert clock.now == before


def test_rate_limit_rejects_nonsense():
    """A zero budget or a zero window is refused."""
    with pytest.raises(ValueError, match="requests"):
        RateLimit(requests=0, per=1)
    with pytest.raises(ValueError, match="per"):
        RateLimit(requests=1, per=0)
    assert RateLimit.cloudflare() == RateLimit(requests=1200, per=300.0)


def test_the_shared_key_is_a_hash_of_the_credential():
    """sha256 of the auth headers, namespaced by `key`; other credentials, other keys."""
    token = {"Authorization": "Bearer tok-SECRET"}
    key = shared_key(None, token)
    assert key == "cni_async:ratelimit:" + sha256(b"authorization: Bearer tok-SECRET").hexdigest()
    assert "tok-SECRET" not in key
    assert shared_key("job-7", token) == key.replace(":ratelimit:", ":ratelimit:job-7:")
    assert shared_key(None, {"Authorization": "Bearer other"}) != key
    global_key = shared_key(None, {"X-Auth-Key": "k", "X-Auth-Email": "a@b.c"})
    assert global_key != shared_key(None, {"X-Auth-Key": "k", "X-Auth-Email": "x@b.c"})


def test_a_redis_url_password_never_shows():
    """repr(RateLimit) and redacted_url() hide user:password@; other URLs show as given."""
    limit = RateLimit(10, 1.0, "redis://user:pw-SECRET@cache:6379/2", key="job")
    assert "pw-SECRET" not in repr(limit)
    assert "redis_url='redis://***@cache:6379/2'" in repr(limit)
    assert redacted_url("rediss://cache:6380/0") == "rediss://cache:6380/0"
    assert redacted_url(None) is None
    assert "redis_url=None" in repr(RateLimit(10, 1.0))


def test_cloudflare_takes_the_shared_options():
    """RateLimit.cloudflare(redis_url=..., key=..., local_fallback=...) is 1,200 per 300 s shared."""
    limit = RateLimit.cloudflare("redis://cache/0", key="ns", local_fallback=True)
    assert limit == RateLimit(1200, 300.0, "redis://cache/0", key="ns", local_fallback=True)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"redis_url": "http://user:pw-SECRET@cache/0"}, "redis://, rediss:// or unix://"),
        ({"redis_url": 42}, "redis://, rediss:// or unix://"),
        ({"key": ""}, "key must be a non-empty string"),
    ],
)
def test_shared_options_are_checked_without_echoing_the_url(options, match):
    """A wrong scheme or an empty key is a ConfigurationError; the URL is not quoted."""
    with pytest.raises(cni_async.ConfigurationError, match=match) as info:
        RateLimit(10, 1.0, **options)
    assert "SECRET" not in str(info.value)


def test_the_local_log_of_sends_allowed_elsewhere_stays_bounded():
    """record() keeps at most `requests` sends, none older than `per`."""
    clock = FakeClock()
    window = LocalWindow(RateLimit(3, 10.0), clock)
    for _ in range(5):
        window.record()
    assert len(window._sent) == 3
    clock.now += 10.0
    window.record()
    assert list(window._sent) == [clock.now]


def info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "cni_async"]


async def test_fifty_calls_held_by_the_rate_limit_make_one_info_line(caplog):
    """50 calls queued behind one window wait of 10 s: one INFO line naming the limit."""
    caplog.set_level(logging.INFO, logger="cni_async")
    clock = FakeClock()
    limits = Limits(RateLimit(50, 10.0), None, clock=clock, sleep=clock.sleep)
    await asyncio.gather(*(limits.acquire(max_server_wait=60) for _ in range(100)))
    assert info_lines(caplog) == [
        "the rate limit (50 requests per 10 s, in this process) holds calls back for 10.0 s"
    ]
    await asyncio.gather(*(limits.acquire(max_server_wait=60) for _ in range(50)))
    assert len(info_lines(caplog)) == 2  # a later wait is a new wait


async def test_a_wait_of_a_second_or_less_is_not_announced(caplog):
    """Short holds, as a busy batch job has all the time, log nothing."""
    caplog.set_level(logging.INFO, logger="cni_async")
    clock = FakeClock()
    limits = Limits(RateLimit(5, 1.0), None, clock=clock, sleep=clock.sleep)
    await asyncio.gather(*(limits.acquire(max_server_wait=60) for _ in range(20)))
    assert clock.now >= 1003.0  # three full windows of waiting, a second or less each
    assert info_lines(caplog) == []


async def test_the_apis_header_hold_is_announced_once(caplog):
    """r=0;t=20 holds 30 calls: one INFO line naming the API's Ratelimit header."""
    caplog.set_level(logging.INFO, logger="cni_async")
    clock = FakeClock()
    limits = Limits(None, 40, clock=clock, sleep=clock.sleep)
    limits.observe({"ratelimit": '"default";r=0;t=20'})
    await asyncio.gather(*(limits.acquire(max_server_wait=60) for _ in range(30)))
    assert info_lines(caplog) == ["the API's Ratelimit header holds calls back for 20.0 s"]


async def test_the_concurrency_cap_hold_is_announced_once(caplog):
    """Calls queued behind max_concurrency=2 for seconds: one INFO line naming the cap."""
    caplog.set_level(logging.INFO, logger="cni_async")
    clock = FakeClock()
    limits = Limits(None, 2, clock=clock, sleep=clock.sleep)

    async def call() -> None:
        await limits.acquire(max_server_wait=60)
        await clock.sleep(0.8)  # the request takes 0.8 s
        limits.release()

    await asyncio.gather(*(call() for _ in range(20)))
    assert info_lines(caplog) == ["max_concurrency=2 held a call back for 1.6 s"]


async def test_a_client_window_that_keeps_to_the_policy_is_not_paced_by_the_headers():
    """RateLimit(1200, 300) and the API's q=1200;w=300: the window spaces calls, not r=10;t=50."""
    low = {"ratelimit": '"default";r=10;t=50', "ratelimit-policy": '"default";q=1200;w=300'}
    clock = FakeClock()
    keeps = Limits(RateLimit(1200, 300.0), None, clock=clock, sleep=clock.sleep)
    keeps.observe(low)
    await keeps.acquire(max_server_wait=60)
    assert clock.now == 1000.0
    looser = Limits(RateLimit(1200, 60.0), None, clock=clock, sleep=clock.sleep)
    looser.observe(low)
    await looser.acquire(max_server_wait=60)
    assert clock.now == pytest.approx(1005.0)  # a shorter window than the API's: still paced
    keeps.observe({"ratelimit": '"default";r=0;t=20', "ratelimit-policy": '"default";q=1200'})
    await keeps.acquire(max_server_wait=60)
    assert clock.now == pytest.approx(1025.0)  # r=0 holds calls back whatever the window
