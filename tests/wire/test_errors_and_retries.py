"""Errors from realistic bodies and the retry table, row by row, over real sockets."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

import cni_async
from cni_async import CniCreate, GcpPartnerInterconnectCreate, MagicSettings
from tests.conftest import ACCOUNT, TOKEN

UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
GCP = GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="1G", pairing_key="pk")


async def test_404_from_a_v4_error_body(cf):
    """An unknown interconnect is a NotFoundError with the v4 errors and the cf-ray id."""
    with pytest.raises(cni_async.NotFoundError) as info:
        await cf.interconnects.get("no-such-icon")
    error = info.value
    assert error.status_code == 404
    assert error.errors
    assert error.errors[0].message
    assert error.request_id
    assert error.body["success"] is False
    assert str(error).startswith(
        f"GET /accounts/{ACCOUNT}/cni/interconnects/no-such-icon failed with HTTP 404"
    )
    assert error.path == "/accounts/{account_id}/cni/interconnects/{icon}"


async def test_400_names_the_problem(cf, emu):
    """A create on an unknown slot is a BadRequestError carrying the server's message."""
    with pytest.raises(cni_async.BadRequestError) as info:
        await cf.interconnects.create(
            cni_async.PhysicalInterconnectCreate(account=ACCOUNT, slot_id=UUID)
        )
    assert "slot" in info.value.errors[0].message.lower()
    assert emu.executed["create_interconnect"] == 1


async def test_401_without_and_403_with_a_wrong_credential(emu):
    """Another token is a PermissionDeniedError; the error never quotes the token."""
    async with cni_async.Client(
        api_token="wrong-SECRET", account_id=ACCOUNT, base_url=emu.base_url
    ) as cf:
        with pytest.raises(cni_async.PermissionDeniedError) as info:
            await cf.settings.get()
    assert "wrong-SECRET" not in str(info.value)
    assert "wrong-SECRET" not in repr(info.value.body)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (422, cni_async.UnprocessableEntityError),
        (501, cni_async.InternalServerError),
        (418, cni_async.APIStatusError),
    ],
)
async def test_other_statuses(cf, emu, status, cls):
    """Statuses the emulator never sends on its own still map to their classes."""
    emu.faults.add("get_settings", status=status)
    with pytest.raises(cls) as info:
        await cf.settings.get()
    assert info.value.status_code == status


async def test_a_malformed_200_is_a_typed_error(cf, emu):
    """A truncated 200 body raises APIResponseValidationError, not a JSONDecodeError."""
    emu.faults.add("get_settings", malformed=True)
    with pytest.raises(cni_async.APIResponseValidationError, match="not valid JSON") as info:
        await cf.settings.get()
    assert str(info.value).startswith(f"GET /accounts/{ACCOUNT}/cni/settings: HTTP 200 response")
    emu.faults.add("get_settings", body='{"default_asn": "13335"}')
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        await cf.settings.get()
    assert info.value.problems == ["expected integer, got string @ $.default_asn"]
    assert str(info.value) == (
        f"GET /accounts/{ACCOUNT}/cni/settings: the response body does not have the promised "
        "shape: expected integer, got string @ $.default_asn"
    )


# --- the retry table on the wire -------------------------------------------------


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504, 429])
async def test_get_is_retried_on_transient_statuses(cf, emu, status):
    """A GET answered 408/429/5xx twice succeeds on the third attempt."""
    emu.faults.add("get_settings", status=status, times=2)
    assert (await cf.settings.get()).default_asn >= 0
    assert emu.requests == 3


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
async def test_a_post_answered_5xx_is_sent_exactly_once(cf, emu, status):
    """A create answered 503 (or 408/5xx) is not resent: one request, then the error."""
    emu.faults.add("create_interconnect", status=status)
    with pytest.raises(cni_async.APIStatusError) as info:
        await cf.interconnects.create(GCP)
    assert info.value.status_code == status
    assert emu.requests == 1
    assert [i async for i in cf.interconnects.list()] == []


async def test_a_post_answered_429_is_retried(cf, emu):
    """A 429 means the server did nothing, so even a create is retried."""
    emu.faults.add("create_interconnect", status=429, retry_after="0")
    icon = await cf.interconnects.create(GCP)
    assert emu.executed["create_interconnect"] == 1
    assert [i.name async for i in cf.interconnects.list()] == [icon.name]


async def test_retry_after_is_honoured(cf, emu):
    """A 429 with Retry-After: 1 is retried no sooner than one second later."""
    emu.faults.add("get_settings", status=429, retry_after="1")
    started = time.monotonic()
    await cf.settings.get()
    assert time.monotonic() - started >= 1.0
    assert emu.requests == 2


async def test_retry_after_beyond_the_cap_fails_fast(cf, emu):
    """A 429 asking for 600 s fails at once with retry_after set, for the caller to reschedule."""
    emu.faults.add("get_settings", status=429, retry_after="600")
    started = time.monotonic()
    with pytest.raises(cni_async.RateLimitError) as info:
        await cf.settings.get()
    assert info.value.retry_after == 600.0
    assert time.monotonic() - started < 30
    assert emu.requests == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_other_4xx_are_never_retried(cf, emu, status):
    """A GET answered with a non-transient 4xx is sent once."""
    emu.faults.add("get_settings", status=status, times=3)
    with pytest.raises(cni_async.APIStatusError):
        await cf.settings.get()
    assert emu.requests == 1


async def test_a_dropped_get_is_retried(cf, emu):
    """A GET whose connection drops mid-request is retried and succeeds."""
    emu.faults.add("get_settings", drop="before", times=2)
    assert (await cf.settings.get()).default_asn >= 0
    assert emu.requests == 3


async def test_a_dropped_post_is_never_resent(cf, emu):
    """A create whose connection dropped after the server acted is not sent again."""
    emu.faults.add("create_interconnect", drop="after")
    with pytest.raises(cni_async.APIConnectionError) as info:
        await cf.interconnects.create(GCP)
    assert not isinstance(info.value, cni_async.APITimeoutError)
    assert isinstance(info.value.__cause__, Exception)
    assert emu.executed["create_interconnect"] == 1
    assert emu.requests == 1
    assert len([i async for i in cf.interconnects.list()]) == 1


async def test_a_put_that_dropped_is_retried(cf, emu):
    """PUT is idempotent: a dropped settings update is sent again and lands once."""
    emu.faults.add("update_settings", drop="after")
    assert (await cf.settings.update(default_asn=65010)).default_asn == 65010
    assert emu.executed["update_settings"] == 2


async def test_a_timeout_is_retried_for_get_and_raised_as_apitimeouterror(emu):
    """A server slower than `timeout` gives APITimeoutError after every attempt timed out."""
    emu.faults.add("get_settings", delay=5, times=2)
    policy = cni_async.RetryPolicy(attempts=2, wait_initial=0, wait_jitter=0)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, timeout=0.2, retry=policy
    ) as cf:
        with pytest.raises(cni_async.APITimeoutError) as info:
            await cf.settings.get()
    assert isinstance(info.value, cni_async.APIConnectionError)
    assert info.value.__cause__ is not None
    assert emu.requests == 2


async def test_a_timed_out_post_is_not_resent(emu):
    """A create that timed out may have happened: it is not sent again."""
    emu.faults.add("create_cni", delay=5)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, timeout=0.2
    ) as cf:
        with pytest.raises(cni_async.APITimeoutError):
            await cf.cnis.create(
                CniCreate(account=ACCOUNT, interconnect="x", magic=MagicSettings("c", "d", 1500))
            )
    assert emu.requests == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connection_refused_is_retried_even_for_post(caplog):
    """Nothing listening: the request never left, so a create is tried every attempt."""
    policy = cni_async.RetryPolicy(attempts=3, wait_initial=0, wait_jitter=0)
    url = f"http://127.0.0.1:{_closed_port()}/client/v4"
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=url, retry=policy
    ) as cf:
        with (
            caplog.at_level("WARNING", logger="cni_async"),
            pytest.raises(cni_async.APIConnectionError, match="could not connect") as info,
        ):
            await cf.interconnects.create(GCP)
    assert info.value.__cause__ is not None
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 2


async def test_max_retries_zero_sends_once(emu):
    """max_retries=0 turns retries off."""
    emu.faults.add("get_settings", status=503, times=5)
    async with cni_async.Client(
        api_token=TOKEN, account_id=ACCOUNT, base_url=emu.base_url, max_retries=0
    ) as cf:
        with pytest.raises(cni_async.InternalServerError):
            await cf.settings.get()
    assert emu.requests == 1


async def test_a_failing_page_is_retried_not_the_walk(cf, emu):
    """A 503 on page 4 retries page 4 only; the walk neither restarts nor skips."""
    names = emu.add_interconnects(ACCOUNT, 50)
    seen = []
    async for page in cf.interconnects.list(limit=10).pages():
        seen.extend(i.name for i in page.items)
        if len(seen) == 30:
            emu.faults.add("list_interconnects", status=503, times=2)
    assert seen == names
    assert emu.executed["list_interconnects"] == 5
    assert emu.requests == 7


async def test_cancelling_a_retry_wait_cancels_the_call(cf, emu):
    """A call waiting out a Retry-After can be cancelled cleanly."""
    emu.faults.add("get_settings", status=429, retry_after="30")
    task = asyncio.create_task(cf.settings.get())
    while emu.requests == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await cf.settings.get()).default_asn >= 0
