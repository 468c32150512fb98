"""The paginator over real sockets: many pages, resume, and no endless loops."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from aiohttp import web

import cni_async
from tests.conftest import ACCOUNT


async def test_walks_more_than_ten_pages_in_order(cf, emu):
    """250 interconnects at limit 20 come back once each, in order, over 13 pages."""
    names = emu.add_interconnects(ACCOUNT, 250)
    assert [i.name async for i in cf.interconnects.list(limit=20)] == names
    assert emu.executed["list_interconnects"] == 13


async def test_nothing_is_sent_until_iterated(cf, emu):
    """Creating a paginator sends no request."""
    paginator = cf.interconnects.list(limit=5)
    assert emu.requests == 0
    assert [i async for i in paginator] == []
    assert emu.requests == 1


async def test_pages_expose_items_and_next_and_resume(cf, emu):
    """pages() yields Page objects; a saved `next` resumes exactly where the walk stopped."""
    names = emu.add_interconnects(ACCOUNT, 45)
    pages = cf.interconnects.list(limit=10).pages()
    first = await anext(pages)
    second = await anext(pages)
    assert isinstance(first, cni_async.Page)
    assert [i.name for i in first.items + second.items] == names[:20]
    assert second.next is not None
    rest = [i.name async for i in cf.interconnects.list(limit=10, cursor=second.next)]
    assert rest == names[20:]
    sizes = [len(p.items) async for p in cf.interconnects.list(limit=10).pages()]
    assert sizes == [10, 10, 10, 10, 5]


async def test_a_paginator_can_be_walked_twice(cf, emu):
    """Each `async for` starts a fresh walk from the paginator's cursor."""
    names = emu.add_interconnects(ACCOUNT, 7)
    paginator = cf.interconnects.list(limit=3)
    first = [i.name async for i in paginator]
    second = [i.name async for i in paginator]
    assert first == second == names
    assert emu.executed["list_interconnects"] == 6  # three pages, walked twice


async def test_bad_list_arguments_fail_before_sending(cf, emu):
    """A negative limit or an out-of-range cursor raises at list() and sends nothing."""
    with pytest.raises(cni_async.RequestValidationError, match="limit"):
        cf.interconnects.list(limit=-1)
    with pytest.raises(cni_async.RequestValidationError, match="cursor"):
        cf.cnis.list(cursor=2**31)
    with pytest.raises(cni_async.RequestValidationError, match="occupied"):
        cf.slots.list(occupied="yes")  # type: ignore[arg-type]
    assert emu.requests == 0


Pages = Callable[[int | None], dict[str, object]]


@pytest_asyncio.fixture
async def scripted_server() -> AsyncIterator[Callable[[Pages], object]]:
    """A real server on 127.0.0.1 whose list pages a test scripts by cursor."""
    state: dict[str, object] = {"pages": None, "cursors": []}

    async def handler(request: web.Request) -> web.Response:
        raw = request.query.get("cursor")
        cursor = None if raw is None else int(raw)
        state["cursors"].append(cursor)  # type: ignore[attr-defined]
        return web.Response(
            text=json.dumps(state["pages"](cursor)), content_type="application/json"
        )  # type: ignore[operator]

    app = web.Application()
    app.router.add_get("/client/v4/accounts/{acc}/cni/interconnects", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def client(pages: Pages) -> cni_async.Client:
        state["pages"] = pages
        state["cursors"] = []
        return cni_async.Client(
            api_token="t",
            account_id="a",
            max_retries=0,
            base_url=f"http://127.0.0.1:{port}/client/v4",
        )

    client.state = state  # type: ignore[attr-defined]
    yield client
    await runner.cleanup()


def gcp(n: int) -> dict[str, str]:
    return {"type": "gcp_partner", "name": f"g{n}", "account": "a", "region": "r"}


async def test_a_repeated_cursor_stops_the_walk(scripted_server):
    """A server answering its own cursor back (as mock servers do) ends the walk, not loops."""
    async with scripted_server(
        lambda c: {"items": [gcp(0 if c is None else c)], "next": -(2**31)}
    ) as cf:
        names = [i.name async for i in cf.interconnects.list()]
    assert names == ["g0", f"g{-(2**31)}"]
    assert scripted_server.state["cursors"] == [None, -(2**31)]


async def test_a_cursor_cycle_raises(scripted_server):
    """Cursors that come back round (1 -> 2 -> 1) raise PaginationError after the good pages."""
    pages = {
        None: {"items": [gcp(0)], "next": 1},
        1: {"items": [gcp(1)], "next": 2},
        2: {"items": [gcp(2)], "next": 1},
    }
    seen = []
    async with scripted_server(pages.__getitem__) as cf:
        with pytest.raises(cni_async.PaginationError, match="cursor 1 was already visited"):
            async for icon in cf.interconnects.list():
                seen.append(icon.name)
    assert seen == ["g0", "g1", "g2"]


async def test_an_empty_page_ends_the_walk(scripted_server):
    """An empty page with a next cursor ends the walk rather than paging through nothing."""
    async with scripted_server(lambda c: {"items": [], "next": (c or 0) + 1}) as cf:
        assert [i async for i in cf.interconnects.list()] == []
    assert scripted_server.state["cursors"] == [None]


async def test_absent_next_ends_the_walk(scripted_server):
    """A page without `next` is the last one."""
    async with scripted_server(lambda _: {"items": [gcp(1)]}) as cf:
        assert [i.name async for i in cf.interconnects.list()] == ["g1"]


async def test_a_bad_item_names_its_path(scripted_server):
    """A malformed item raises APIResponseValidationError naming `$.items[1].region`."""
    async with scripted_server(lambda _: {"items": [gcp(0), {**gcp(1), "region": 5}]}) as cf:
        with pytest.raises(cni_async.APIResponseValidationError) as info:
            [i async for i in cf.interconnects.list()]
    assert info.value.problems == ["expected string, got number @ $.items[1].region"]
    assert "$.items[1].region" in str(info.value)


INT32_PROBLEM = "expected an int32 cursor, from -2147483648 to 2147483647 @ $.next"


@pytest.mark.parametrize("nxt", [2**31, -(2**31) - 1, 10**30])
async def test_a_next_outside_int32_fails_where_it_is_read(scripted_server, nxt):
    """A `next` outside int32 is APIResponseValidationError at $.next on its page, never sent back."""
    seen = []
    async with scripted_server(lambda _: {"items": [gcp(0)], "next": nxt}) as cf:
        with pytest.raises(cni_async.APIResponseValidationError) as info:
            async for icon in cf.interconnects.list():
                seen.append(icon.name)
    assert info.value.problems == [INT32_PROBLEM]
    assert str(info.value).startswith("GET /accounts/a/cni/interconnects: ")
    assert seen == []
    assert scripted_server.state["cursors"] == [None]


@pytest.mark.parametrize("nxt", [2**31 - 1, -(2**31)])
async def test_a_next_at_the_int32_bounds_is_followed(scripted_server, nxt):
    """Both ends of int32 are cursors like any other, sent back as they came."""
    pages = {None: {"items": [gcp(0)], "next": nxt}, nxt: {"items": [gcp(1)]}}
    async with scripted_server(pages.__getitem__) as cf:
        assert [i.name async for i in cf.interconnects.list()] == ["g0", "g1"]
    assert scripted_server.state["cursors"] == [None, nxt]


async def test_the_emulator_serving_a_next_outside_int32(cf, emu):
    """Over the emulator's fault plan, a page whose `next` is 2**31 fails at $.next on reading."""
    emu.faults.add("list_slots", body='{"items": [], "next": 2147483648}')
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        await anext(cf.slots.list().pages())
    assert info.value.problems == [INT32_PROBLEM]
    assert info.value.status_code == 200
    assert emu.requests == 1
