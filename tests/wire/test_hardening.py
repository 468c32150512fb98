"""Hardened edges over real sockets: redirects, unbounded bodies, the pool, closed sessions,
other event loops, derived clients and credentials in rendered tracebacks."""

from __future__ import annotations

import asyncio
import gc
import json
import traceback
import tracemalloc
import zlib

import aiohttp
import pytest
from aiohttp import web

import cni_async
from cni_async.testing import Emulator
from tests.official.conftest import TOKEN as STANDALONE_TOKEN
from tests.official.conftest import emulator_url
from tests.wire.hostile import ACCOUNT, TOKEN, endless, gzip_bomb, gzipped, hostile

__all__ = ["emulator_url", "hostile"]  # fixtures, used by name

MIB = 1024 * 1024


# --- 1. redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_raises_and_is_not_followed(hostile, status):
    """delete() and loa() answered with a 3xx raise APIStatusError; nothing else is requested."""

    async def moved(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, headers={"Location": "https://elsewhere.test/x"})

    hostile.answer = moved
    async with hostile.client(max_retries=2) as cf:
        with pytest.raises(cni_async.APIStatusError) as deleting:
            await cf.cnis.delete("3fa85f64-5717-4562-b3fc-2c963f66afa6")
        with pytest.raises(cni_async.APIStatusError) as loa:
            await cf.interconnects.loa("sjc-1")
    for caught in (deleting, loa):
        assert caught.value.status_code == status
        assert "redirect" in str(caught.value)
        assert "does not follow" in str(caught.value)
    assert hostile.requests == 2  # one each: never followed, never retried


async def test_an_html_loa_is_not_handed_over_as_a_pdf(hostile):
    """A 200 LOA that is an HTML page raises APIResponseValidationError."""

    async def login_page(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html>please log in</html>", content_type="text/html")

    hostile.answer = login_page
    async with hostile.client() as cf:
        with pytest.raises(cni_async.APIResponseValidationError, match="not a PDF"):
            await cf.interconnects.loa("sjc-1")


# --- 2. bodies read within max_response_size ----------------------------------------------------


async def test_an_endless_body_is_cut_at_the_limit_without_retry(hostile):
    """A body that never ends: refused at max_response_size, connection dropped, one request,
    and the memory used stays near the limit."""
    hostile.answer = endless()
    async with hostile.client(max_response_size=2 * MIB, max_retries=2) as cf:
        tracemalloc.start()
        try:
            with pytest.raises(cni_async.APIResponseValidationError) as info:
                await cf.settings.get()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "larger than max_response_size (2,097,152 bytes)" in str(info.value)
    assert info.value.status_code == 200
    assert peak < 2 * MIB + MIB  # the limit plus a small constant
    assert hostile.requests == 1
    for _ in range(50):  # the server notices the dropped connection on its next write
        if hostile.dropped:
            break
        await asyncio.sleep(0.02)
    assert hostile.dropped == 1


async def test_a_gzip_bomb_is_inflated_no_further_than_the_limit(hostile):
    """64 MiB of zeros gzipped into ~64 KiB: refused at a 1 MiB limit, memory near the limit."""
    bomb = gzip_bomb(64)

    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    hostile.answer = answer
    async with hostile.client(max_response_size=MIB) as cf:
        tracemalloc.start()
        try:
            with pytest.raises(cni_async.APIResponseValidationError, match="max_response_size"):
                await cf.settings.get()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(bomb) < MIB
    assert peak < 2 * MIB  # the limit plus a small constant, as for an endless body


async def test_a_declared_length_past_the_limit_is_refused_before_reading(hostile):
    """A Content-Length of 500 MB is refused at once; the body is never awaited."""

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(500 * 1000 * 1000)})
        await response.prepare(request)
        await response.write(b"{")
        await asyncio.sleep(30)  # never sends the rest
        return response

    hostile.answer = huge
    async with hostile.client() as cf:
        with pytest.raises(cni_async.APIResponseValidationError, match="16,777,216 bytes"):
            await asyncio.wait_for(cf.settings.get(), 5)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "identity"])
async def test_compressed_bodies_are_decoded(hostile, encoding):
    """A gzip or deflate body within the limit is decoded into its model (identity: as is)."""
    raw = json.dumps({"default_asn": 65001}).encode()
    encode = {"gzip": gzipped, "deflate": zlib.compress, "identity": bytes}[encoding]
    body = encode(raw)

    async def answer(request: web.Request) -> web.StreamResponse:
        assert "gzip" in request.headers["Accept-Encoding"]
        return web.Response(
            body=body, headers={"Content-Encoding": encoding, "Content-Type": "application/json"}
        )

    hostile.answer = answer
    async with hostile.client() as cf:
        assert (await cf.settings.get()).default_asn == 65001


@pytest.mark.parametrize(
    ("encoding", "body", "problem"),
    [
        ("br", b"\x8b\x02\x80{}\x03", "unsupported Content-Encoding 'br'"),
        ("gzip", b"not gzip at all", "could not be decoded"),
        ("gzip", gzipped(b'{"default_asn": 1}')[:-12], "cut short"),
    ],
)
async def test_undecodable_bodies_are_bad_responses(hostile, encoding, body, problem):
    """An encoding we cannot decode, or a broken stream, is APIResponseValidationError."""

    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, headers={"Content-Encoding": encoding})

    hostile.answer = answer
    async with hostile.client() as cf:
        with pytest.raises(cni_async.APIResponseValidationError, match=problem):
            await cf.settings.get()


def test_max_response_size_must_be_a_positive_int():
    """A size that is not a positive int is refused at construction."""
    for bad in (0, -1, 1.5, "16M"):
        with pytest.raises(cni_async.ConfigurationError, match="max_response_size"):
            cni_async.Client(api_token=TOKEN, max_response_size=bad)  # type: ignore[arg-type]


# --- 5. waiting for a connection is not waiting for the response -------------------------------


async def test_creates_queued_behind_a_small_pool_are_all_sent_once():
    """max_connections=1, timeout=0.4, a server taking 0.1 s per create, 20 creates at once:
    all 20 succeed and the server executes exactly 20 (the queue is not the timeout's)."""
    async with Emulator() as emu:
        emu.faults.add("create_interconnect", delay=0.1, times=20)
        async with emu.client(max_connections=1, timeout=0.4, max_retries=0) as cf:
            bodies = [
                cni_async.GcpPartnerInterconnectCreate(
                    account=emu.account_id, bandwidth="1G", pairing_key=f"k{n}/us-west1/1"
                )
                for n in range(20)
            ]
            created = await asyncio.gather(*(cf.interconnects.create(b) for b in bodies))
    assert len({icon.name for icon in created}) == 20
    assert emu.executed["create_interconnect"] == 20


@pytest.mark.slow  # 10 s of queueing: run by `nox -s slow`
async def test_the_issues_own_pool_example_holds():
    """As issue 11 states it: max_connections=1, timeout=2, a server taking 0.5 s per create,
    20 creates at once: all 20 succeed and the server executes exactly 20."""
    async with Emulator() as emu:
        emu.faults.add("create_interconnect", delay=0.5, times=20)
        async with emu.client(max_connections=1, timeout=2.0) as cf:
            bodies = [
                cni_async.GcpPartnerInterconnectCreate(
                    account=emu.account_id, bandwidth="1G", pairing_key=f"k{n}/us-west1/1"
                )
                for n in range(20)
            ]
            created = await asyncio.gather(*(cf.interconnects.create(b) for b in bodies))
    assert len(created) == 20
    assert emu.executed["create_interconnect"] == 20


async def test_pool_timeout_says_the_request_was_not_sent():
    """A request that found no free connection within pool_timeout fails as 'pool', unsent."""
    async with Emulator() as emu:
        emu.faults.add("get_settings", delay=0.5, times=1)
        async with emu.client(max_connections=1, pool_timeout=0.05, max_retries=0) as cf:
            slow = asyncio.create_task(cf.settings.get())
            await asyncio.sleep(0.05)
            with pytest.raises(cni_async.APITimeoutError) as info:
                await cf.settings.get()
            await slow
    assert info.value.phase == "pool"
    assert info.value.maybe_sent is False
    assert "not sent" in str(info.value)
    assert emu.executed["get_settings"] == 1


async def test_the_deadline_bounds_the_wait_for_a_connection():
    """With no pool_timeout, a call's deadline ends its wait for a connection, unsent."""
    async with Emulator() as emu:
        emu.faults.add("create_interconnect", delay=0.6, times=1)
        async with emu.client(max_connections=1, max_retries=0) as cf:
            body = cni_async.GcpPartnerInterconnectCreate(
                account=emu.account_id, bandwidth="1G", pairing_key="k/us-west1/1"
            )
            first = asyncio.create_task(cf.interconnects.create(body))
            await asyncio.sleep(0.05)
            with pytest.raises(cni_async.APITimeoutError) as info:
                await cf.with_options(deadline=0.2).interconnects.create(body)
            await first
    assert info.value.phase == "deadline"
    assert info.value.maybe_sent is False
    assert emu.executed["create_interconnect"] == 1


async def test_a_response_timeout_says_the_request_may_have_been_sent():
    """An attempt that timed out after sending names the response phase and maybe_sent."""
    async with Emulator() as emu:
        emu.faults.add("get_settings", delay=1.0, times=1)
        async with emu.client(timeout=0.2, max_retries=0) as cf:
            with pytest.raises(cni_async.APITimeoutError) as info:
                await cf.settings.get()
    assert info.value.phase == "response"
    assert info.value.maybe_sent is True
    assert "timed out waiting for the response" in str(info.value)


# --- 6. aiohttp's own errors become ours ---------------------------------------------------------


async def test_a_borrowed_session_closed_by_its_owner_is_a_typed_error(emu):
    """The owner closed the session it lent: ClientClosedError saying what to do, nothing sent."""
    session = aiohttp.ClientSession()
    async with emu.client(session=session) as cf:
        await cf.settings.get()
        await session.close()
        with pytest.raises(cni_async.ClientClosedError, match="passed as session= is closed"):
            await cf.settings.get()
    assert emu.executed["get_settings"] == 1


def test_a_client_used_from_a_second_event_loop_is_a_typed_error(emulator_url):
    """asyncio.run twice on one client: the second raises ClientClosedError; no warning, no leak."""
    cf = cni_async.Client(api_token=STANDALONE_TOKEN, account_id=ACCOUNT, base_url=emulator_url)
    assert asyncio.run(cf.settings.get()).default_asn == 13335
    with pytest.raises(cni_async.ClientClosedError, match="another event loop"):
        asyncio.run(cf.settings.get())
    assert cf.closed
    gc.collect()  # an unclosed session or connector would warn here; warnings are errors


# --- 7. a derived client never closes its parent -------------------------------------------------


async def test_a_derived_client_leaves_the_parents_session_open(emu):
    """Leaving `async with cf.with_options(...)` keeps the parent usable; only it closes."""
    async with emu.client() as cf:
        async with cf.with_options(deadline=5.0) as child:
            await child.settings.get()
        assert not cf.closed
        assert (await cf.settings.get()).default_asn == 13335
        await child.aclose()
        assert (await cf.settings.get()).default_asn == 13335
    assert cf.closed
    assert child.closed  # it shares the parent's session, now closed


# --- 8. no credential in the locals of a rendered traceback --------------------------------------


def _rendered(exc: BaseException) -> str:
    """The traceback as an error tracker records it: every frame's locals, repr'd."""
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


def _secret_client(**options: object) -> cni_async.Client:
    """Made here so that no frame of the tests holds the token in a local."""
    return cni_async.Client(api_token=TOKEN, account_id=ACCOUNT, **options)  # type: ignore[arg-type]


async def _fails(call: object) -> BaseException:
    try:
        await call  # type: ignore[misc]
    except BaseException as exc:  # whatever it is, it gets rendered
        return exc
    raise AssertionError("the call did not fail")


async def test_no_stage_of_a_failure_shows_the_token_in_frame_locals():
    """Connect, timeout, 4xx, 5xx, bad body, deadline and a raising hook: the token is never
    in a traceback rendered with its locals."""
    failures: list[BaseException] = []
    refused = _secret_client(base_url="http://127.0.0.1:1/client/v4", max_retries=1)
    async with refused:
        failures.append(await _fails(refused.settings.get()))
    async with Emulator() as emu:
        base = {"base_url": emu.base_url}

        def hook(event: object) -> None:
            raise RuntimeError("a hook of the caller failed")

        emu.faults.add("get_settings", delay=1.0, times=1)
        emu.faults.add("get_slot", status=500, times=2)
        emu.faults.add("list_slots", malformed=True, times=1)
        emu.faults.add("get_interconnect_status", delay=1.0, times=3)
        async with _secret_client(**base, timeout=0.2, max_retries=0) as cf:
            failures.append(await _fails(cf.settings.get()))
        async with _secret_client(**base, max_retries=1) as cf:
            failures.append(await _fails(cf.interconnects.get("no-such")))
            failures.append(await _fails(cf.slots.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")))
            failures.append(await _fails(anext(aiter(cf.slots.list()))))
        async with _secret_client(**base, deadline=0.3, timeout=0.2) as cf:
            failures.append(await _fails(cf.interconnects.status("sjc-1")))
        async with _secret_client(**base, on_request=hook) as cf:
            failures.append(await _fails(cf.settings.get()))
    kinds = [type(exc).__name__ for exc in failures]
    assert kinds == [
        "APIConnectionError",
        "APITimeoutError",
        "NotFoundError",
        "InternalServerError",
        "APIResponseValidationError",
        "APITimeoutError",
        "RuntimeError",
    ]
    rendered = [_rendered(exc) for exc in failures]
    for exc, text in zip(failures, rendered, strict=True):
        assert TOKEN not in text, type(exc).__name__
    # The locals were rendered: the request headers show, with the credential as '***'.
    assert sum("'Authorization': '***'" in text for text in rendered) >= 5


# --- the transport's own edges ------------------------------------------------------------------


async def test_a_client_closed_after_use_refuses_work(emu):
    """Once used and closed, every call and `async with` raise ClientClosedError, unsent."""
    cf = emu.client()
    await cf.settings.get()
    await cf.aclose()
    with pytest.raises(cni_async.ClientClosedError, match="closed"):
        await cf.settings.get()
    with pytest.raises(cni_async.ClientClosedError):
        async with cf:
            pass
    assert emu.executed["get_settings"] == 1


async def test_a_borrowed_session_without_a_connection_limit_is_used_as_it_is(emu):
    """A session whose connector has no limit gets no pool of ours in front of it."""
    connector = aiohttp.TCPConnector(limit=0)
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        emu.client(session=session) as cf,
    ):
        results = await asyncio.gather(*(cf.settings.get() for _ in range(30)))
        assert cf._transport._real._pool is None
    assert len(results) == 30


def test_attempt_timeouts_are_kept_for_reuse_up_to_a_bound():
    """Each distinct attempt timeout builds one aiohttp timeout; at most 64 are kept."""
    from cni_async._aiohttp import AiohttpTransport
    from cni_async._transport import Headers

    transport = AiohttpTransport(
        None, default_headers=Headers({}), timeout=60.0, max_connections=1, max_response_size=1
    )
    first = transport._timeout(1.5)
    assert transport._timeout(1.5) is first
    assert (first.total, first.connect) == (1.5, 1.35)
    for step in range(100):
        transport._timeout(2.0 + step / 10)
    assert len(transport._timeouts) == 64
    assert transport._timeout(60.0).connect == 10.0  # connecting gets at most 10 s


async def test_a_stalled_handshake_is_a_connect_timeout_never_sent():
    """A server that accepts TCP but never finishes TLS: a 'connect' timeout, not sent."""

    held: list[asyncio.StreamWriter] = []

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # hold the connection without a word
        await reader.read()

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with cni_async.Client(
            api_token="t",
            account_id=ACCOUNT,
            base_url=f"https://127.0.0.1:{port}/client/v4",
            timeout=0.3,
            max_retries=0,
        ) as cf:
            with pytest.raises(cni_async.APITimeoutError) as info:
                await cf.settings.get()
    finally:
        server.close()
        for writer in held:
            writer.close()
            await writer.wait_closed()
        await server.wait_closed()
    assert held  # the connection was made: it was the handshake that never ended
    assert info.value.phase == "connect"
    assert info.value.maybe_sent is False
    assert "timed out connecting" in str(info.value)


async def test_the_aiohttp_transport_opens_itself_when_sent_on_first():
    """Used directly (not through a client), the transport opens on its first send."""
    from cni_async._aiohttp import AiohttpTransport
    from cni_async._transport import Headers, Request

    headers = Headers({"Authorization": "Bearer t"})
    transport = AiohttpTransport(
        None, default_headers=headers, timeout=5.0, max_connections=2, max_response_size=1 << 20
    )
    async with Emulator() as emu:
        url = f"{emu.base_url}/accounts/{ACCOUNT}/cni/settings"
        request = Request("GET", url, headers, None, 5.0, None, "/accounts/{a}/cni/settings", 1)
        response = await transport.send(request)
        await transport.aclose()
    assert response.status == 200
    assert transport.closed
