"""Fault injection: error statuses, dropped connections, delays, malformed bodies."""

from __future__ import annotations

import asyncio
import json
import re
import time

import aiohttp
import pytest

from cni_async.testing import Emulator

ACCOUNT = "acc-1"


async def test_status_fault_is_not_executed(api):
    """A status fault answers that status with Retry-After, without executing, `times` times."""
    api.emu.faults.add("create_interconnect", status=429, retry_after="7", times=2)
    slot = await api.free_slot()
    body = {"account": ACCOUNT, "type": "direct", "slot_id": slot["id"]}
    for _ in range(2):
        result = await api.call("POST", "interconnects", json=body)
        assert result.status == 429
        assert result.headers["Retry-After"] == "7"
        assert result.json["errors"][0]["code"] == 1015
        assert result.headers["cf-ray"]
    assert api.emu.executed["create_interconnect"] == 0
    assert api.emu.faults.injected == 2
    assert api.emu.faults.pending == 0
    await api.ok("POST", "interconnects", json=body)
    assert api.emu.executed["create_interconnect"] == 1


async def test_unusual_status_fault(api):
    """A status without a standard phrase still gets a v4 body."""
    api.emu.faults.add("get_settings", status=499)
    result = await api.call("GET", "settings")
    assert result.status == 499
    assert result.json["errors"] == [{"code": 1000, "message": "Error"}]


async def test_path_and_method_matching(api):
    """A path-suffix fault with a method hits only that method on that path template."""
    api.emu.faults.add("/cni/interconnects", method="post", status=503)
    await api.ok("GET", "interconnects")
    api.emu.add_interconnects(ACCOUNT, 1)
    await api.ok("GET", "interconnects", "bulk-000000")
    assert (await api.call("POST", "interconnects", json={})).status == 503
    assert (await api.call("POST", "interconnects", json={})).status == 400


async def test_concrete_path_matching(api):
    """A path-suffix fault may name a concrete path, such as one interconnect's status."""
    api.emu.add_interconnects(ACCOUNT, 2)
    api.emu.faults.add("/interconnects/bulk-000001/status", status=500)
    await api.ok("GET", "interconnects", "bulk-000000", "status")
    assert (await api.call("GET", "interconnects", "bulk-000001", "status")).status == 500
    await api.ok("GET", "interconnects", "bulk-000001", "status")


async def test_faults_come_before_auth(emu):
    """A fault is injected even into a request without credentials."""
    emu.faults.add("get_settings", status=502)
    async with aiohttp.ClientSession() as session:
        url = f"{emu.base_url}/accounts/{ACCOUNT}/cni/settings"
        async with session.get(url) as response:
            assert response.status == 502
        async with session.get(url) as response:
            assert response.status == 401


async def test_drop_before_executes_nothing(api):
    """`drop="before"` closes the connection without a response and without executing."""
    api.emu.faults.add("create_interconnect", drop="before")
    slot = await api.free_slot()
    body = {"account": ACCOUNT, "type": "direct", "slot_id": slot["id"]}
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "interconnects", json=body)
    assert api.emu.executed["create_interconnect"] == 0
    assert api.emu.account(ACCOUNT).interconnects == {}
    await api.ok("POST", "interconnects", json=body)


async def test_drop_after_executes_once(api):
    """`drop="after"` executes the operation exactly once, then closes without answering."""
    icon = await api.physical()
    api.emu.faults.add("create_cni", drop="after")
    body = {
        "account": ACCOUNT,
        "interconnect": icon["name"],
        "magic": {"conduit_name": "t", "description": "", "mtu": 1500},
    }
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("POST", "cnis", json=body)
    assert api.emu.executed["create_cni"] == 1
    assert len(api.emu.account(ACCOUNT).cnis) == 1
    assert await api.error(409, "POST", "cnis", json=body) == "Name Conflict"


async def test_drop_before_get_and_aiohttp_resend(api):
    """A dropped GET is one injection; newer aiohttp clients silently re-send it once."""
    api.emu.faults.add("get_settings", drop="before")
    try:
        resent = await api.ok("GET", "settings") == {"default_asn": 13335}
    except aiohttp.ServerDisconnectedError:
        resent = False
    assert api.emu.faults.injected == 1
    assert (api.emu.requests, api.emu.executed["get_settings"]) == ((2, 1) if resent else (1, 0))
    api.emu.faults.add("get_settings", drop="before", times=2)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("GET", "settings")


async def test_delay(api):
    """`delay` holds the request that long before handling it."""
    api.emu.faults.add("get_settings", delay=0.2)
    started = time.monotonic()
    await api.ok("GET", "settings")
    assert time.monotonic() - started >= 0.2


async def test_delay_then_status(api):
    """`delay` combines with `status`."""
    api.emu.faults.add("list_slots", delay=0.05, status=504)
    assert (await api.call("GET", "slots")).status == 504
    assert api.emu.executed["list_slots"] == 0


async def test_client_timeout_during_delay_still_executes(api):
    """A client that gives up during a delay does not stop the server from executing."""
    icon = await api.physical()
    api.emu.faults.add("delete_interconnect", delay=0.3)
    timeout = aiohttp.ClientTimeout(total=0.05)
    with pytest.raises(asyncio.TimeoutError):
        await api.call("DELETE", "interconnects", icon["name"], timeout=timeout)
    assert api.emu.executed["delete_interconnect"] == 0
    for _ in range(50):
        if api.emu.executed["delete_interconnect"]:
            break
        await asyncio.sleep(0.02)
    assert api.emu.executed["delete_interconnect"] == 1
    assert api.emu.account(ACCOUNT).interconnects == {}


async def test_close_cuts_delays_short():
    """Closing the emulator does not wait for a pending delay."""
    async with Emulator() as emu, aiohttp.ClientSession() as session:
        emu.faults.add("get_settings", delay=30)
        url = f"{emu.base_url}/accounts/{ACCOUNT}/cni/settings"
        request = asyncio.ensure_future(session.get(url, headers={"Authorization": "Bearer t"}))
        for _ in range(200):
            if emu.requests:
                break
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await emu.close()
        assert time.monotonic() - started < 2
        with pytest.raises(aiohttp.ClientError):
            await request
        assert emu.executed["get_settings"] == 0


async def test_malformed_body(api):
    """`malformed` executes the operation, then answers 200 with a body that is not JSON."""
    api.emu.faults.add("update_settings", malformed=True)
    result = await api.call("PUT", "settings", json={"default_asn": 65000})
    assert result.status == 200
    assert result.headers["Content-Type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.raw)
    assert await api.ok("GET", "settings") == {"default_asn": 65000}


async def test_custom_malformed_body(api):
    """`body` sets the exact bad body, for example an envelope instead of a bare object."""
    api.emu.faults.add("get_settings", body='{"success": true, "result": null}')
    assert (await api.call("GET", "settings")).json == {"success": True, "result": None}


async def _post_outcome(session: aiohttp.ClientSession, url: str) -> object:
    try:
        async with session.post(url, headers={"Authorization": "Bearer t"}) as response:
            if response.status in {500, 503}:
                assert response.headers["Retry-After"] == "0"
            return response.status
    except aiohttp.ServerDisconnectedError:
        return "drop"


async def test_random_faults_are_reproducible():
    """Random faults follow the seed: the same seed gives the same statuses and drops."""

    async def run() -> list[object]:
        async with Emulator() as emu, aiohttp.ClientSession() as session:
            emu.faults.random(0.5, seed=42, statuses=(500, 503))
            url = f"{emu.base_url}/accounts/a/cni/cnis"
            outcomes = [await _post_outcome(session, url) for _ in range(20)]
            assert emu.faults.injected == sum(1 for o in outcomes if o != 400)
            return outcomes

    first = await run()
    assert first == await run()
    assert set(first) == {500, 503, "drop", 400}


async def test_random_rate_bounds(api):
    """Rate 1 faults every request and rate 0 (or `clear`) none."""
    api.emu.faults.random(1.0, statuses=(429,), drop=False, retry_after=None)
    for _ in range(3):
        result = await api.call("GET", "settings")
        assert result.status == 429
        assert "Retry-After" not in result.headers
    api.emu.faults.random(0)
    await api.ok("GET", "settings")
    api.emu.faults.random(1.0, drop=False)
    api.emu.faults.add("get_settings", status=400)
    api.emu.faults.clear()
    await api.ok("GET", "settings")
    assert api.emu.faults.injected == 3


@pytest.mark.parametrize(
    ("target", "kwargs", "problem"),
    [
        ("create_interconnects", {"status": 500}, "Unknown operation 'create_interconnects'"),
        ("cni/interconnects", {"status": 500}, "use a path starting with '/'"),
        ("get_slot", {"status": 500, "times": 0}, "times must be at least 1"),
        ("get_slot", {"status": 500, "drop": "before"}, "at most one of status, drop"),
        ("get_slot", {"status": 500, "malformed": True}, "at most one of status, drop"),
        ("get_slot", {"drop": "after", "body": "x"}, "at most one of status, drop"),
        ("get_slot", {"status": 200}, "an error status between 400 and 599"),
        ("get_slot", {"retry_after": "1"}, "retry_after needs a status"),
        ("get_slot", {"drop": "sideways"}, "drop must be 'before', 'after' or None"),
        ("get_slot", {"delay": -1}, "delay must not be negative"),
        ("get_slot", {}, "The fault does nothing"),
    ],
)
def test_add_rejects_nonsense(target, kwargs, problem):
    """`faults.add` refuses unknown targets and contradictory or empty faults, saying which."""
    with pytest.raises(ValueError, match=re.escape(problem)):
        Emulator().faults.add(target, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"rate": 1.5}, "rate must be between 0 and 1"),
        ({"rate": -0.1}, "rate must be between 0 and 1"),
        ({"rate": 0.5, "statuses": (), "drop": False}, "at least one status or allow drop"),
        ({"rate": 0.1, "statuses": (302,)}, "error statuses between 400 and 599"),
    ],
)
def test_random_rejects_nonsense(kwargs, problem):
    """`faults.random` refuses rates outside 0..1 and empty or non-error choices, saying which."""
    with pytest.raises(ValueError, match=re.escape(problem)):
        Emulator().faults.random(**kwargs)
