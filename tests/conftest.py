"""Shared fixtures: a fresh emulator per test, a client pointed at it, a real Redis."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
import pytest_asyncio
from hypothesis import settings

import cni_async
from cni_async.testing import Emulator
from tests.redis_server import RedisServer

ACCOUNT = "acc-1"
TOKEN = "tok-SECRET-abc123"

# Property tests (ours and schemathesis's) draw the same examples on every run and
# keep no example database: a failure reproduces from the test alone. The deadline
# turns a decoder or converter gone slow (or stuck on a body) into a failure.
settings.register_profile(
    "cni-async", derandomize=True, database=None, deadline=timedelta(seconds=2), print_blob=True
)
settings.load_profile("cni-async")


@pytest.fixture(autouse=True)
def _no_cloudflare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real Cloudflare credentials, nor a machine's proxy
    (clients honour HTTP(S)_PROXY by default; the emulator is on 127.0.0.1)."""
    for name in (
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_USER_SERVICE_KEY",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_BASE_URL",
        *(f(p) for p in ("http_proxy", "https_proxy", "all_proxy") for f in (str, str.upper)),
    ):
        monkeypatch.delenv(name, raising=False)


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(token=TOKEN) as emulator:
        yield emulator


@pytest_asyncio.fixture
async def cf(emu: Emulator) -> AsyncIterator[cni_async.Client]:
    fast = cni_async.RetryPolicy(wait_initial=0.01, wait_max=0.05, wait_jitter=0.01)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, retry=fast
    ) as client:
        yield client


def _redis_missing(why: str) -> None:
    """Skip a Redis test, or fail it where CI requires Redis (CNI_REDIS_REQUIRED=1)."""
    if os.environ.get("CNI_REDIS_REQUIRED") == "1":
        pytest.fail(f"CNI_REDIS_REQUIRED=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One real redis-server for the session, on a free port (skipped if not installed)."""
    if shutil.which("redis-server") is None:
        _redis_missing("redis-server is not installed (apt-get install redis-server)")
    if importlib.util.find_spec("redis") is None:
        _redis_missing("redis-py is not installed (pip install 'cni-async[redis]')")
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url
