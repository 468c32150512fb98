"""A rate limit shared through a real redis-server: atomic, keyed by credential, Redis's clock."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import cni_async
from cni_async import RateLimit, RedisUnavailableError
from cni_async._limits import Limits, LimitWaitTooLongError
from cni_async.testing import Emulator
from tests.redis_server import RedisServer, free_port

# redis.asyncio, not redis: without redis-py, `import redis` finds this folder (tests/redis,
# a namespace package, since tests/ is on sys.path) instead of failing.
pytest.importorskip("redis.asyncio")
import redis  # only once redis-py is known to be there
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"Authorization": "Bearer tok-SECRET-redis"}


async def grants(limits: Limits, tries: int) -> int:
    """How many of `tries` concurrent acquisitions pass without waiting."""

    async def one() -> bool:
        try:
            await limits.acquire(max_server_wait=60, remaining=0.2)
        except LimitWaitTooLongError:
            return False
        limits.release()
        return True

    return sum(await asyncio.gather(*(one() for _ in range(tries))))


async def test_many_clients_and_tasks_never_take_more_than_the_budget(redis_url):
    """5 limiters x 20 tasks on a budget of 30 per minute: exactly 30 acquisitions pass."""
    shared = RateLimit(30, 60.0, redis_url)
    limiters = [Limits(shared, None, auth_headers=HEADERS) for _ in range(5)]
    try:
        counts = await asyncio.gather(*(grants(limits, 20) for limits in limiters))
    finally:
        for limits in limiters:
            await limits.aclose()
    assert sum(counts) == 30
    assert sum(count > 0 for count in counts) >= 2  # limiters raced for the places


GRAB = textwrap.dedent(
    """
    import asyncio, sys
    from cni_async import RateLimit
    from cni_async._limits import Limits, LimitWaitTooLongError

    async def main():
        limits = Limits(RateLimit(50, 60.0, sys.argv[1]), None, auth_headers={"a": "b"})
        async def one():
            try:
                await limits.acquire(max_server_wait=60, remaining=0.2)
            except LimitWaitTooLongError:
                return 0
            return 1
        await asyncio.sleep(float(sys.argv[2]) - asyncio.get_running_loop().time())
        print(sum(await asyncio.gather(*(one() for _ in range(30)))))
        await limits.aclose()

    asyncio.run(main())
    """
)


def test_several_processes_never_take_more_than_the_budget(redis_url):
    """4 processes x 30 tasks, started together, on a budget of 50: exactly 50 pass."""
    start = str(time.monotonic() + 1.5)  # one monotonic clock on one machine: a common start
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", GRAB, redis_url, start],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        for _ in range(4)
    ]
    counts = [int(process.communicate(timeout=30)[0]) for process in processes]
    assert sum(counts) == 50
    assert sum(count > 0 for count in counts) >= 2  # a real race between processes


async def test_the_window_slides_on_redis_time(redis_url):
    """3 per 0.5 s: three go at once, the fourth waits until the first leaves the window."""
    limits = Limits(RateLimit(3, 0.5, redis_url), None, auth_headers=HEADERS)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(4):
        await limits.acquire(max_server_wait=60)
    await limits.aclose()
    assert 0.45 <= loop.time() - started < 0.9


async def test_time_is_taken_from_redis_not_from_the_hosts(redis_url):
    """Limiters whose clocks are hours apart share one window, scored by Redis's TIME."""
    skewed = [
        Limits(
            RateLimit(2, 60.0, redis_url),
            None,
            auth_headers=HEADERS,
            clock=lambda offset=offset: time.monotonic() + offset,
        )
        for offset in (0.0, 7200.0, -7200.0)
    ]
    counts = [await grants(limits, 1) for limits in skewed]
    async with Redis.from_url(redis_url) as client:
        seconds, micros = await client.time()
        (key,) = await client.keys("cni_async:ratelimit:*")
        scores = [score for _, score in await client.zrange(key, 0, -1, withscores=True)]
    for limits in skewed:
        await limits.aclose()
    assert counts == [1, 1, 0]
    now = seconds * 1_000_000 + micros
    assert all(0 <= now - score < 5_000_000 for score in scores)


async def test_the_key_is_a_hash_of_the_credential_with_the_namespace(redis_url):
    """The key is cni_async:ratelimit:<key>:<sha256>; the token is in no key or member."""
    token = "tok-SECRET-never-in-redis"
    async with Emulator() as emu:
        shared = RateLimit(10, 60.0, redis_url, key="audit-job")
        async with emu.client(api_token=token, rate_limit=shared) as cf:
            await cf.settings.get()
    digest = hashlib.sha256(f"authorization: Bearer {token}".encode()).hexdigest()
    async with Redis.from_url(redis_url) as client:
        keys = await client.keys("*")
        members = await client.zrange(keys[0], 0, -1)
    assert keys == [f"cni_async:ratelimit:audit-job:{digest}".encode()]
    assert len(members) == 1
    assert not any(token.encode() in blob for blob in [*keys, *members])


async def test_different_tokens_do_not_share_and_equal_tokens_do(redis_url):
    """A budget of 1: a second client with the same token waits, one with another token not."""
    shared = RateLimit(1, 60.0, redis_url)
    async with (
        Emulator() as emu,
        emu.client(api_token="tok-a", rate_limit=shared, deadline=0.5) as first,
        emu.client(api_token="tok-a", rate_limit=shared, deadline=0.5) as same,
        emu.client(api_token="tok-b", rate_limit=shared, deadline=0.5) as other,
        emu.client(api_token="tok-a", rate_limit=RateLimit(1, 60.0, redis_url, key="x")) as apart,
    ):
        await first.settings.get()
        await other.settings.get()
        await apart.settings.get()
        with pytest.raises(cni_async.APITimeoutError, match="deadline"):
            await same.settings.get()
        assert emu.requests == 3


async def test_redis_down_is_a_typed_error_and_nothing_is_sent():
    """No Redis at the URL: RedisUnavailableError, no password in it, the request never sent."""
    url = f"redis://:hunter2-SECRET@127.0.0.1:{free_port()}/0"
    async with Emulator() as emu, emu.client(rate_limit=RateLimit(10, 1.0, url)) as cf:
        with pytest.raises(RedisUnavailableError) as info:
            await cf.settings.get()
        assert emu.requests == 0
    message = str(info.value)
    assert "hunter2" not in message
    assert f"redis://***@127.0.0.1:{url.rsplit(':', 1)[1]}" in message
    assert "ConnectionError" in message
    assert isinstance(info.value.__cause__, redis.exceptions.ConnectionError)
    assert isinstance(info.value, cni_async.CNIError)


async def test_a_wrong_password_is_a_typed_error_without_the_password():
    """A Redis refusing the URL's password: RedisUnavailableError that quotes no password."""
    server = RedisServer(None, "--requirepass", "right-SECRET").start()
    url = server.url.replace("redis://", "redis://:pw-SECRET-42@")
    try:
        async with Emulator() as emu, emu.client(rate_limit=RateLimit(10, 1.0, url)) as cf:
            with pytest.raises(RedisUnavailableError) as info:
                await cf.settings.get()
    finally:
        server.close()
    assert "SECRET" not in str(info.value)
    assert "***@" in str(info.value)
    assert isinstance(info.value.__cause__, redis.exceptions.AuthenticationError)


def test_a_password_quoted_by_redis_py_is_scrubbed():
    """Should a Redis error ever quote the URL's password, the message shows *** instead."""
    url = "redis://user:pw-SECRET-42@127.0.0.1:1/0"
    limits = Limits(RateLimit(1, 1.0, url), None, auth_headers=HEADERS)
    assert limits._shared is not None
    with pytest.raises(RedisUnavailableError) as info:
        limits._shared._unavailable(redis.exceptions.RedisError("bad AUTH pw-SECRET-42"))
    assert str(info.value) == (
        "the shared rate limit's Redis at redis://***@127.0.0.1:1/0 could not be used "
        "(RedisError: bad AUTH ***)"
    )


async def test_fallback_limits_in_process_with_one_warning_then_shares_again(caplog, monkeypatch):
    """local_fallback: Redis gone, the local window holds calls, one WARNING; back, shared again."""
    monkeypatch.setattr("cni_async._redis_limit.RETRY_REDIS_AFTER", 0.0)
    server = RedisServer().start()
    shared = RateLimit(3, 60.0, server.url, local_fallback=True)
    try:
        async with Emulator() as emu, emu.client(rate_limit=shared, deadline=0.3) as cf:
            await cf.settings.get()  # through Redis, and logged locally too
            server.stop()
            with caplog.at_level(logging.INFO, logger="cni_async"):
                await cf.settings.get()
                await cf.settings.get()
                with pytest.raises(cni_async.APITimeoutError):
                    await cf.settings.get()  # the local window is full: 3 in the last minute
                warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
                server.start()  # empty: the restarted Redis has room, the local window has not
                await cf.settings.get()
                back = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
            assert emu.requests == 4
        async with Redis.from_url(server.url) as client:
            (key,) = await client.keys("cni_async:ratelimit:*")
            assert await client.zcard(key) == 1
    finally:
        server.close()
    assert len(warnings) == 1
    assert "could not be used" in warnings[0]
    assert "limiting calls in this process only" in warnings[0]
    assert any("is back" in line for line in back)


async def test_fallback_waits_before_trying_redis_again(monkeypatch):
    """While falling back, Redis is not asked again until RETRY_REDIS_AFTER has passed."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    limits = Limits(RateLimit(5, 60.0, url, local_fallback=True), None, auth_headers=HEADERS)
    shared = limits._shared
    assert shared is not None
    await limits.acquire(max_server_wait=60)
    first_until = shared._down_until
    await limits.acquire(max_server_wait=60)
    await limits.aclose()
    assert first_until is not None
    assert shared._down_until == first_until  # the second call did not try Redis


async def test_a_place_beyond_the_calls_deadline_is_not_taken(redis_url):
    """A call whose place would come after its time is out raises and takes nothing."""
    limits = Limits(RateLimit(1, 60.0, redis_url), None, auth_headers=HEADERS)
    await limits.acquire(max_server_wait=60)
    with pytest.raises(LimitWaitTooLongError) as info:
        await limits.acquire(max_server_wait=60, remaining=5.0)
    await limits.aclose()
    assert not info.value.from_server
    assert 59.0 < info.value.wait <= 60.0
    async with Redis.from_url(redis_url) as client:
        (key,) = await client.keys("cni_async:ratelimit:*")
        assert await client.zcard(key) == 1


async def test_waiting_calls_get_their_place_in_one_round_trip(redis_url):
    """4 limiters x 10 calls on 10 per 0.4 s: 40 calls, 40 scripts, ten per window."""
    shared = RateLimit(10, 0.4, redis_url)
    limiters = [Limits(shared, None, auth_headers=HEADERS) for _ in range(4)]
    async with Redis.from_url(redis_url) as client:
        await client.config_resetstat()
        sent: list[float] = []

        async def call(limits: Limits) -> None:
            await limits.acquire(max_server_wait=60)
            seconds, micros = await client.time()
            sent.append(seconds + micros / 1e6)

        await asyncio.gather(*(call(limits) for limits in limiters for _ in range(10)))
        stats = await client.info("commandstats")
    for limits in limiters:
        await limits.aclose()
    scripts = stats["cmdstat_evalsha"]["calls"] - stats["cmdstat_evalsha"].get("failed_calls", 0)
    assert scripts == 40
    sent.sort()  # read back from Redis after each wait: a few ms late, and not all equally
    assert sent[-1] - sent[0] >= 1.15  # the fourth ten waited three windows
    assert all(sent[i + 10] - sent[i] >= 0.37 for i in range(30))


async def test_aclose_closes_the_redis_pool_and_refuses_more(redis_url):
    """After aclose() the client holds no Redis connection and refuses calls without connecting."""
    async with Redis.from_url(redis_url) as watcher:
        before = len(await watcher.client_list())
        async with Emulator() as emu:
            cf = emu.client(rate_limit=RateLimit(10, 1.0, redis_url))
            await cf.settings.get()
            during = len(await watcher.client_list())
            await cf.aclose()
            await cf.aclose()  # twice is fine
            await asyncio.sleep(0.05)
            after = len(await watcher.client_list())
            with pytest.raises(cni_async.ClientClosedError):
                await cf.settings.get()
            assert len(await watcher.client_list()) == after
    gc.collect()  # an unclosed pool would warn here, and warnings are errors
    assert during == before + 1
    assert after == before


async def test_the_shared_budget_keeps_the_emulator_from_429(redis_url):
    """Two clients of one token share 5 per 1 s (with headroom): the emulator refuses none."""
    shared = RateLimit(5, 1.1, redis_url)
    async with (
        Emulator(rate_limit=(5, 1.0)) as emu,
        emu.client(rate_limit=shared) as one,
        emu.client(rate_limit=shared) as two,
    ):
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(cf.settings.get() for cf in (one, two) for _ in range(6)))
        elapsed = loop.time() - started
    assert emu.rate_limited == 0
    assert emu.executed["get_settings"] == 12
    assert elapsed >= 2.2  # 12 calls at 5 per 1.1 s: the third five starts after 2.2 s


def test_redis_is_imported_only_for_a_redis_url():
    """A client with a local rate limit never imports redis; one with a redis_url does."""
    probe = textwrap.dedent(
        """
        import sys
        import cni_async, cni_async.testing
        cni_async.Client(api_token="t", rate_limit=cni_async.RateLimit(5, 1.0), max_concurrency=2)
        assert "redis" not in sys.modules, "imported without a redis_url"
        cni_async.Client(api_token="t", rate_limit=cni_async.RateLimit(5, 1.0, "redis://h/0"))
        assert "redis" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=ROOT, timeout=30)  # noqa: S603


def test_a_redis_url_without_redis_py_says_which_extra(monkeypatch):
    """Without redis-py, a redis_url is a ConfigurationError naming cni-async[redis]."""
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.delitem(sys.modules, "cni_async._redis_limit", raising=False)
    with pytest.raises(cni_async.ConfigurationError, match=r"cni-async\[redis\]"):
        cni_async.Client(api_token="t", rate_limit=RateLimit(5, 1.0, "redis://h/0"))
