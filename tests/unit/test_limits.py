"""Client-side limits on a fake clock: the sliding window, the cap, the API's headers."""

from __future__ import annotations

import asyncio
from collections import deque

import pytest

from cni_async import RateLimit
from cni_async._limits import Limits, LimitWaitTooLongError, ServerBudget, parse_ratelimit


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
            ServerBudget(0, 240.0, 1200),
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
