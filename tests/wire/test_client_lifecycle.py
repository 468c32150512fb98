"""Sessions, concurrency, cancellation, path ids and credential safety over real sockets."""

from __future__ import annotations

import asyncio
import gc
import logging

import aiohttp
import pytest

import cni_async
from tests.conftest import ACCOUNT, TOKEN


def session_of(cf: cni_async.Client) -> aiohttp.ClientSession | None:
    """The aiohttp session behind a client, once its transport is built."""
    real = cf._transport._real
    return None if real is None else real._session


async def test_owned_session_is_made_on_enter_and_closed_on_exit(emu):
    """Without a session the client makes one in the running loop and closes it on exit."""
    cf = cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url)
    assert session_of(cf) is None  # nothing made outside a loop
    async with cf:
        session = session_of(cf)
        assert isinstance(session, aiohttp.ClientSession)
        await cf.settings.get()
    assert session.closed
    assert cf.closed


async def test_owned_session_is_made_on_first_use_too(emu):
    """Used without `async with`, the session appears on first call and aclose() closes it."""
    cf = cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url)
    await cf.settings.get()
    session = session_of(cf)
    assert session is not None
    await cf.aclose()
    assert session.closed


async def test_borrowed_session_is_never_closed(emu):
    """A caller's session is used and left open by aclose() and `async with` exit."""
    async with aiohttp.ClientSession() as session:
        async with cni_async.Client(
            api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, session=session
        ) as cf:
            await cf.settings.get()
            assert session_of(cf) is session
        assert not session.closed
        async with session.get(
            f"{emu.base_url}/accounts/{ACCOUNT}/cni/settings",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response:
            assert response.status == 200


async def test_a_closed_client_refuses_work(emu):
    """After aclose() every call raises ClientClosedError, before sending anything."""
    cf = cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url)
    await cf.aclose()
    await cf.aclose()  # closing twice is harmless
    with pytest.raises(cni_async.ClientClosedError, match="closed"):
        await cf.settings.get()
    with pytest.raises(cni_async.ClientClosedError):
        [i async for i in cf.interconnects.list()]
    with pytest.raises(cni_async.ClientClosedError):
        async with cf:
            pass
    assert emu.requests == 0
    assert "closed" in repr(cf)


async def test_500_concurrent_gets_on_one_client(cf, emu):
    """500 gets at once on one client all succeed and each gets its own answer."""
    names = emu.add_interconnects(ACCOUNT, 500)
    results = await asyncio.gather(*(cf.interconnects.get(name) for name in names))
    assert [icon.name for icon in results] == names
    assert emu.executed["get_interconnect"] == 500


async def test_cancelling_a_listing_then_reusing_and_closing(emu):
    """A listing cancelled mid-walk leaves the client usable and closes with no warning."""
    emu.add_interconnects(ACCOUNT, 200)
    emu.faults.add("list_interconnects", delay=0.2, times=100)
    cf = cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url)
    seen: list[str] = []

    async def walk() -> None:
        async for icon in cf.interconnects.list(limit=10):
            seen.append(icon.name)

    task = asyncio.create_task(walk())
    while len(seen) < 20:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    emu.faults.clear()
    assert len([i async for i in cf.interconnects.list(limit=100)]) == 200
    await cf.aclose()
    gc.collect()  # an unclosed session or connector would warn here, and warnings are errors
    assert cf.closed


@pytest.mark.parametrize(
    "prefix",
    ["a/b", "..", "with space", "zürich–ü", "q?x=1#frag", "%2F", "."],
)
async def test_path_ids_reach_the_server_as_one_segment(cf, emu, prefix):
    """Names with `/`, `..`, spaces, unicode, `?`, `#` and `%` address exactly that interconnect."""
    (name,) = emu.add_interconnects(ACCOUNT, 1, prefix=prefix)
    assert (await cf.interconnects.get(name)).name == name
    assert (await cf.interconnects.status(name)).state in {"Pending", "Healthy"}
    assert (await cf.interconnects.loa(name)).startswith(b"%PDF-")
    await cf.interconnects.delete(name)
    with pytest.raises(cni_async.NotFoundError):
        await cf.interconnects.get(name)


@pytest.mark.parametrize("bad", ["", ".", ".."])
async def test_bad_path_ids_are_refused_before_sending(cf, emu, bad):
    """An empty id, `.` or `..` raises before any request."""
    with pytest.raises(cni_async.RequestValidationError):
        await cf.interconnects.get(bad)
    with pytest.raises(cni_async.RequestValidationError):
        await cf.interconnects.delete(bad)
    with pytest.raises(cni_async.RequestValidationError):
        await cf.cnis.get("not-a-uuid")
    assert emu.requests == 0


@pytest.mark.parametrize(
    "credentials",
    [
        {"api_token": TOKEN},
        {"api_key": "key-SECRET-1", "api_email": "ops@example.com"},
        {"user_service_key": "v1.0-SECRET-2"},
    ],
)
async def test_credentials_never_reach_logs_reprs_or_errors(credentials, caplog):
    """At DEBUG, across success, 4xx, 5xx retries and a connection failure, no secret leaks."""
    secrets = [v for k, v in credentials.items() if k != "api_email"]
    from cni_async.testing import Emulator

    async with Emulator() as emu:
        emu.faults.add("get_settings", status=503)
        emu.faults.add("get_interconnect", status=429, retry_after="0")
        caplog.set_level(logging.DEBUG)
        errors: list[BaseException] = []
        async with cni_async.Client(account_id=ACCOUNT, base_url=emu.base_url, **credentials) as cf:
            await cf.settings.get()
            with pytest.raises(cni_async.NotFoundError) as not_found:
                await cf.interconnects.get("nope")
            with pytest.raises(cni_async.RequestValidationError) as invalid:
                await cf.cnis.get("not-a-uuid")
            errors += [not_found.value, invalid.value]
            texts = [repr(cf), *(f"{e!s} {e!r} {getattr(e, 'body', '')}" for e in errors)]
    async with cni_async.Client(
        account_id=ACCOUNT, base_url="http://127.0.0.1:1/client/v4", max_retries=0, **credentials
    ) as cf:
        try:
            await cf.settings.get()
        except cni_async.APIConnectionError as exc:
            texts.append(f"{exc!s} {exc!r} {exc.__cause__!r}")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET" in logged  # the requests were logged at DEBUG
    assert len(errors) == 2
    for secret in secrets:
        assert secret not in logged
        for text in texts:
            assert secret not in text
