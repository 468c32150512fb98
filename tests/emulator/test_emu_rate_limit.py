"""The emulator's rate limit: Cloudflare's sliding window per credential, 429s, headers."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

import aiohttp
import pytest

import cni_async
from cni_async._cli._parser import build_parser
from cni_async.testing import Emulator
from cni_async.testing.__main__ import _parser
from cni_async.testing._ratelimit import Window, parse_rate_limit, rate_limit_option
from tests.emulator.conftest import ACCOUNT, TOKEN_HEADERS

SETTINGS = f"/accounts/{ACCOUNT}/cni/settings"


async def get(session: aiohttp.ClientSession, emu: Emulator, **headers: str):
    async with session.get(emu.base_url + SETTINGS, headers=headers or None) as response:
        return response.status, response.headers, await response.json()


async def test_past_the_budget_every_call_gets_429_until_the_window_has_room(session):
    """3 per 0.5 s: three pass, the fourth and fifth get 429 with Retry-After, then room again."""
    async with Emulator(rate_limit=(3, 0.5)) as emu:
        statuses = [(await get(session, emu))[0] for _ in range(3)]
        status, headers, body = await get(session, emu)
        assert (await get(session, emu))[0] == 429
        assert statuses == [200, 200, 200]
        assert status == 429
        assert headers["Retry-After"] == "1"
        assert body["success"] is False
        assert body["errors"] == [
            {"code": 971, "message": "Please wait and consider throttling your request speed"}
        ]
        assert emu.rate_limited == 2
        assert emu.executed["get_settings"] == 3
        await asyncio.sleep(0.55)
        assert (await get(session, emu))[0] == 200
        assert emu.rate_limited == 2


async def test_every_response_carries_the_budget_headers(session):
    """Ratelimit counts down per request; Ratelimit-Policy states the quota and window."""
    async with Emulator(rate_limit=(1200, 300)) as emu:
        first = (await get(session, emu))[1]
        second = (await get(session, emu))[1]
        async with session.get(emu.base_url + "/nowhere") as missing:
            assert missing.status == 404
            assert missing.headers["Ratelimit"] == '"default";r=1197;t=300'
    assert first["Ratelimit"] == '"default";r=1199;t=300'
    assert second["Ratelimit"] == '"default";r=1198;t=300'
    assert first["Ratelimit-Policy"] == '"default";q=1200;w=300'
    assert "Retry-After" not in first


async def test_credentials_are_counted_apart_and_anonymous_calls_not_at_all(session):
    """Another token has its own budget; a call without a credential gets 401, uncounted."""
    async with Emulator(rate_limit=(1, 60)) as emu:
        assert (await get(session, emu))[0] == 200
        assert (await get(session, emu))[0] == 429
        assert (await get(session, emu, Authorization="Bearer other"))[0] == 200
        assert (await get(session, emu, **{"X-Auth-User-Service-Key": "k"}))[0] == 200
        async with aiohttp.ClientSession() as anonymous:
            status, headers, _ = await get(anonymous, emu)
        assert status == 401
        assert "Ratelimit" not in headers
        assert emu.rate_limited == 1


async def test_without_a_rate_limit_nothing_is_counted_or_announced(session, emu):
    """The default emulator enforces no limit and sends no rate-limit headers."""
    results = [await get(session, emu) for _ in range(5)]
    assert {status for status, _, _ in results} == {200}
    assert all("Ratelimit" not in headers for _, headers, _ in results)
    assert emu.rate_limited == 0


async def test_the_sdk_reads_the_emulators_headers_and_waits_instead_of_earning_429s():
    """A client with max_concurrency set sees r=0 and waits for t instead of being refused."""
    async with Emulator(rate_limit=(2, 1.0)) as emu, emu.client(max_concurrency=1) as cf:
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(3):
            await cf.settings.get()
        elapsed = loop.time() - started
    assert emu.rate_limited == 0
    assert 0.9 <= elapsed < 2.0


async def test_a_client_without_limits_retries_the_429_after_retry_after(caplog):
    """The emulator's 429 and Retry-After drive the SDK's ordinary retry."""
    async with Emulator(rate_limit=(1, 1.0)) as emu, emu.client() as cf:
        await cf.settings.get()
        await cf.settings.get()
        assert emu.rate_limited == 1
        assert [r.getMessage().endswith("waiting 1.00 s") for r in caplog.records] == [True]
        caplog.clear()  # the one retry WARNING is the point here
        with pytest.raises(cni_async.RateLimitError) as info:
            await cf.with_options(retry=cni_async.RetryPolicy(attempts=1)).settings.get()
    assert info.value.retry_after == 1.0
    assert info.value.errors[0].code == 971


@pytest.mark.parametrize(
    ("text", "parsed"), [("1200/300", (1200, 300.0)), ("120/3", (120, 3.0)), ("5/0.5", (5, 0.5))]
)
def test_parse_rate_limit(text, parsed):
    """REQUESTS/SECONDS is read as an int and a float."""
    assert parse_rate_limit(text) == parsed


@pytest.mark.parametrize("text", ["1200", "x/300", "0/300", "10/0", "10/-1", "10/inf", "/", ""])
def test_parse_rate_limit_refuses_nonsense(text):
    """Anything but positive REQUESTS/SECONDS is refused, quoting the text."""
    with pytest.raises(ValueError, match="REQUESTS/SECONDS"):
        parse_rate_limit(text)
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(repr(text))):
        rate_limit_option(text)


@pytest.mark.parametrize("rate_limit", [(0, 1.0), (5, 0), (5, -1.0)])
def test_the_emulator_refuses_a_nonsense_rate_limit(rate_limit):
    """A zero budget or a non-positive window is refused at construction."""
    with pytest.raises(ValueError, match="rate_limit"):
        Emulator(rate_limit=rate_limit)


def test_both_emulator_commands_take_rate_limit(capsys):
    """`python -m cni_async.testing` and `cni-async emulator` parse --rate-limit alike."""
    assert _parser().parse_args(["--rate-limit", "1200/300"]).rate_limit == (1200, 300.0)
    assert _parser().parse_args([]).rate_limit is None
    cli = build_parser()
    assert cli.parse_args(["emulator", "--rate-limit", "120/3"]).rate_limit == (120, 3.0)
    assert cli.parse_args(["emulator"]).rate_limit is None
    with pytest.raises(SystemExit):
        cli.parse_args(["emulator", "--rate-limit", "fast"])
    assert "REQUESTS/SECONDS" in capsys.readouterr().err


def test_the_window_slides():
    """A send leaves the window exactly `per` seconds later, one at a time."""
    window = Window(2, 10.0)
    assert window.check("c", 0.0).allowed
    assert window.check("c", 4.0).allowed
    refused = window.check("c", 9.0)
    assert not refused.allowed
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Ratelimit"] == '"default";r=0;t=1'
    assert window.check("c", 10.0).headers["Ratelimit"] == '"default";r=0;t=4'
    assert not window.check("c", 13.9).allowed
    assert window.check("c", 14.0).allowed


async def test_the_standalone_emulator_enforces_rate_limit():
    """`python -m cni_async.testing --rate-limit 1/60` refuses the second call."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "cni_async.testing", "--port", "0", "--rate-limit", "1/60"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 15)).decode()
        url = line.split()[-1] + SETTINGS
        async with aiohttp.ClientSession(headers=TOKEN_HEADERS) as session:
            statuses = []
            for _ in range(2):
                async with session.get(url) as response:
                    statuses.append(response.status)
    finally:
        process.terminate()
        await asyncio.wait_for(process.communicate(), 15)
    assert statuses == [200, 429]
