"""Credentials, routing, headers, counters and the emulator's lifecycle."""

from __future__ import annotations

import errno
import io
import logging
import re
import socket
import warnings

import aiohttp
import pytest

from cni_async.testing import AccountState, Emulator, FaultPlan

ACCOUNT = "acc-1"


async def _get(emu: Emulator, headers: dict[str, str], path: str = "/settings"):
    url = f"{emu.base_url}/accounts/{ACCOUNT}/cni{path}"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.json(), response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer anything"},
        {"Authorization": "bearer anything"},
        {"X-Auth-Key": "k", "X-Auth-Email": "me@example.com"},
        {"X-Auth-User-Service-Key": "v1.0-abc"},
    ],
)
async def test_any_credential_scheme_is_accepted(emu, headers):
    """Without a configured token, any non-empty credential of the three schemes passes."""
    status, body, _ = await _get(emu, headers)
    assert status == 200
    assert body == {"default_asn": 13335}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"X-Auth-Key": ""}])
async def test_missing_credential_is_401(emu, headers):
    """No (or only empty) credentials is 401 with code 10001, and nothing is executed."""
    status, body, response_headers = await _get(emu, headers)
    assert status == 401
    assert body["errors"] == [{"code": 10001, "message": "Missing authentication"}]
    assert response_headers["cf-ray"]
    assert not emu.executed


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-Auth-Key": "k"},
        {"X-Auth-Email": "me@example.com"},
    ],
)
async def test_incomplete_credential_is_403(emu, headers):
    """A credential of no complete scheme is 403 with code 10000."""
    status, body, _ = await _get(emu, headers)
    assert status == 403
    assert body["errors"] == [{"code": 10000, "message": "Authentication error"}]


async def test_configured_token_is_the_only_one():
    """With `token` set, only that bearer token passes, and the rejected one is not echoed."""
    async with Emulator(token="right-token") as emu:
        assert (await _get(emu, {"Authorization": "Bearer right-token"}))[0] == 200
        for headers in (
            {"Authorization": "Bearer wrong-token-xyz"},
            {"X-Auth-Key": "wrong-token-xyz", "X-Auth-Email": "a@b.c"},
            {"X-Auth-User-Service-Key": "wrong-token-xyz"},
        ):
            status, body, _ = await _get(emu, headers)
            assert status == 403
            assert "wrong-token-xyz" not in str(body)
        assert (await _get(emu, {}))[0] == 401


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/client/v4/accounts/acc-1/cni/nowhere", 404),
        ("/client/v4/accounts/acc-1/cni", 404),
        ("/client/v4/accounts/acc-1/cni/interconnects/", 404),
        ("/client/v4/accounts/acc-1/cni/interconnects/x/loa/more", 404),
        ("/client/v4/accounts//cni/slots", 404),
        ("/client/v4/zones/z/cni/slots", 404),
        ("/elsewhere", 404),
        ("/", 404),
    ],
)
async def test_unknown_routes_are_404(emu, session, path, status):
    """A path that is no CNI operation gets a 404 v4 error body and a cf-ray header."""
    host = emu.base_url.removesuffix("/client/v4")
    async with session.get(host + path) as response:
        assert response.status == status
        body = await response.json()
        assert body["success"] is False
        assert body["errors"][0]["code"] == 7003
        assert response.headers["cf-ray"].endswith("-SJC")
    assert not emu.executed


async def test_wrong_method_is_405(api):
    """A known path with an unsupported method is 405 listing the allowed methods."""
    result = await api.call("PATCH", "interconnects")
    assert result.status == 405
    assert result.headers["Allow"] == "GET, POST"
    assert result.message == "Method not allowed"
    result = await api.call("POST", "settings", json={})
    assert result.headers["Allow"] == "GET, PUT"


async def test_oversized_body_is_413(api):
    """A body over aiohttp's 1 MiB limit is a 413 v4 error, and nothing runs."""
    result = await api.call("POST", "cnis", data=io.BytesIO(b"x" * (2 * 1024 * 1024)))
    assert result.status == 413
    assert result.json["errors"][0]["code"] == 1005
    assert not api.emu.executed


async def test_operation_failure_is_a_logged_500(api, monkeypatch):
    """An exception inside an operation becomes a 500 v4 error and is logged, not leaked."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("emulator-test-sink")
    logger.propagate = False
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    monkeypatch.setattr("cni_async.testing._emulator._LOG", logger)

    def boom(self, name):
        raise RuntimeError("boom")

    monkeypatch.setattr(AccountState, "cnis_on", boom)
    [name] = api.emu.add_interconnects(ACCOUNT, 1)
    result = await api.call("DELETE", "interconnects", name)
    assert result.status == 500
    assert result.json["errors"] == [{"code": 1000, "message": "Internal server error"}]
    assert "boom" not in result.raw.decode()
    assert [record.getMessage() for record in records] == [
        "Emulator failure in delete_interconnect"
    ]
    logger.removeHandler(handler)


async def test_ipv6_base_url():
    """On an IPv6 address the base URL brackets the host."""
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    try:
        emu = Emulator(host="::1")
        await emu.start()
    except OSError:
        pytest.skip("::1 cannot be bound here")
    try:
        assert emu.base_url == f"http://[::1]:{emu.port}/client/v4"
        assert (await _get(emu, {"Authorization": "Bearer t"}))[0] == 200
    finally:
        await emu.close()


async def test_counters(api):
    """`requests` counts every request; `executed` counts operations that ran, by operationId."""
    await api.ok("GET", "slots")
    await api.ok("GET", "slots")
    await api.error(404, "GET", "interconnects", "ghost")
    await api.error(404, "GET", "nowhere")
    async with aiohttp.ClientSession() as anonymous, anonymous.get(api.url("settings")) as response:
        assert response.status == 401
    assert api.emu.requests == 5
    assert api.emu.executed == {"list_slots": 2, "get_interconnect": 1}


async def test_cf_ray_is_unique(api):
    """Every response has its own cf-ray header."""
    rays = {(await api.call("GET", "settings")).headers["cf-ray"] for _ in range(5)}
    assert len(rays) == 5


async def test_accounts_are_isolated(api):
    """Each account id has its own state, created on first use."""
    icon = await api.physical()
    assert await api.error(404, "GET", "interconnects", icon["name"], account="acc-2")
    assert isinstance(api.emu.account("acc-2"), AccountState)
    assert api.emu.account("acc-2").interconnects == {}
    assert list(api.emu.account(ACCOUNT).interconnects) == [icon["name"]]


async def test_lifecycle():
    """`base_url` needs a started emulator; close is idempotent and frees the port."""
    emu = Emulator()
    assert isinstance(emu.faults, FaultPlan)
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    await emu.start()
    try:
        with pytest.raises(RuntimeError):
            await emu.start()
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/client/v4"
    finally:
        await emu.close()
    await emu.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", emu.port))


async def test_fixed_port_and_restart():
    """An emulator binds the port it is given and can start again after closing."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    emu = Emulator(port=port)
    for _ in range(2):
        async with emu:
            assert emu.base_url == f"http://127.0.0.1:{port}/client/v4"
            assert (await _get(emu, {"Authorization": "Bearer t"}))[0] == 200


async def test_busy_port_fails_cleanly():
    """Starting on a port in use raises OSError and leaks nothing."""
    async with Emulator() as first:
        second = Emulator(port=first.port)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(OSError, match="address already in use") as info:
                await second.start()
            assert info.value.errno == errno.EADDRINUSE
        with pytest.raises(RuntimeError):
            _ = second.base_url


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"token": ""}, "token must not be empty"),
        ({"status_polls": -1}, "status_polls must not be negative"),
        ({"status_seconds": -0.5}, "status_seconds must not be negative"),
        ({"default_page_size": 0}, "default_page_size must be between 1 and 1000"),
        ({"default_page_size": 1001}, "default_page_size must be between 1 and 1000"),
        ({"port": 70000}, "port must be between 0 and 65535"),
        ({"port": -1}, "port must be between 0 and 65535"),
    ],
)
def test_invalid_options(kwargs, problem):
    """Nonsensical constructor options are a ValueError naming the option."""
    with pytest.raises(ValueError, match=re.escape(problem)):
        Emulator(**kwargs)


async def test_page_size_option(api_for):
    """`default_page_size` sets the page size when `limit` is absent."""
    async with Emulator(default_page_size=3) as emu:
        page = await api_for(emu).ok("GET", "slots")
        assert len(page["items"]) == 3
        assert page["next"] == 3
