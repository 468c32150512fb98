"""Shared fixtures: a fresh emulator per test and a client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from hypothesis import settings

import cni_async
from cni_async.testing import Emulator

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
