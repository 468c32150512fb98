"""Fixtures for the emulator tests: a started emulator and a thin raw-HTTP client."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import attrs
import pytest
import pytest_asyncio
import yarl

from cni_async.testing import Emulator

ACCOUNT = "acc-1"
TOKEN_HEADERS = {"Authorization": "Bearer test-token"}


@attrs.frozen
class Result:
    status: int
    headers: Any
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def message(self) -> str:
        body = self.json
        assert body["success"] is False
        assert body["result"] is None
        assert body["messages"] == []
        return body["errors"][0]["message"]


@attrs.define
class Api:
    """Raw HTTP against the emulator; every path segment is percent-encoded."""

    session: aiohttp.ClientSession
    emu: Emulator
    account: str = ACCOUNT

    def url(self, *segments: str, account: str | None = None) -> yarl.URL:
        parts = ["accounts", account or self.account, "cni", *segments]
        path = "/".join(quote(part, safe="") for part in parts)
        return yarl.URL(f"{self.emu.base_url}/{path}", encoded=True)

    async def call(self, method: str, *segments: str, account: str | None = None, **kw) -> Result:
        async with self.session.request(method, self.url(*segments, account=account), **kw) as r:
            return Result(r.status, r.headers, await r.read())

    async def ok(self, method: str, *segments: str, **kw) -> Any:
        result = await self.call(method, *segments, **kw)
        assert result.status == 200, result.raw
        assert result.headers["cf-ray"].endswith("-SJC")
        return result.json if result.raw else None

    async def error(self, status: int, method: str, *segments: str, **kw) -> str:
        result = await self.call(method, *segments, **kw)
        assert result.status == status, result.raw
        assert result.headers["cf-ray"]
        return result.message

    async def free_slot(self, **filters: str) -> dict[str, Any]:
        page = await self.ok("GET", "slots", params={"occupied": "false", **filters})
        return page["items"][0]

    async def physical(self, **filters: str) -> dict[str, Any]:
        slot = await self.free_slot(**filters)
        body = {"account": self.account, "type": "direct", "slot_id": slot["id"]}
        return await self.ok("POST", "interconnects", json=body)

    async def gcp(self, key: str = "k-1/us-east4/1", bandwidth: str = "1G") -> dict[str, Any]:
        body = {
            "account": self.account,
            "type": "gcp_partner",
            "bandwidth": bandwidth,
            "pairing_key": key,
        }
        return await self.ok("POST", "interconnects", json=body)

    async def cni(self, interconnect: str, name: str, **extra: Any) -> dict[str, Any]:
        body = {
            "account": self.account,
            "interconnect": interconnect,
            "magic": {"conduit_name": name, "description": f"{name} link", "mtu": 1500},
            **extra,
        }
        return await self.ok("POST", "cnis", json=body)

    async def walk(self, *segments: str, **params: str) -> tuple[list[Any], int]:
        """All items of a list operation, and the number of pages it took."""
        items: list[Any] = []
        pages = 0
        cursor: int | None = None
        while True:
            query = dict(params) if cursor is None else {**params, "cursor": str(cursor)}
            page = await self.ok("GET", *segments, params=query)
            pages += 1
            items += page["items"]
            cursor = page.get("next")
            if cursor is None:
                return items, pages


@pytest.fixture(autouse=True)
def _no_server_errors(caplog: pytest.LogCaptureFixture):
    """Fail a test whose emulator, aiohttp or asyncio logged an error."""
    yield
    noisy = [
        record
        for record in caplog.get_records("call") + caplog.get_records("teardown")
        if record.levelno >= logging.WARNING
        and record.name.split(".")[0] in {"aiohttp", "asyncio", "cni_async"}
    ]
    assert not noisy, [record.getMessage() for record in noisy]


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as emulator:
        yield emulator


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=TOKEN_HEADERS) as client:
        yield client


@pytest.fixture
def api(emu: Emulator, session: aiohttp.ClientSession) -> Api:
    return Api(session, emu)


@pytest.fixture
def api_for(session: aiohttp.ClientSession):
    """Build an `Api` for another emulator (or account) on the shared session."""

    def build(emulator: Emulator, account: str = ACCOUNT) -> Api:
        return Api(session, emulator, account)

    return build
