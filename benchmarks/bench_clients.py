"""The four clients the benchmark times, behind one small interface.

Each adapter wraps one long-lived client (as users hold one) and exposes the operations the
workloads need: one get, and walking a whole interconnect list at a page size.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any, Protocol, cast
from urllib.parse import quote

import aiohttp

TOKEN = "x" * 40  # the bench server ignores credentials; the clients still send one
NAMES = [f"icon-{i}" for i in range(64)]  # the get bodies the server precomputes
PAGE = 100  # list page size of every walk

CLIENTS: dict[str, str] = {
    "raw": "raw aiohttp",
    "cf-httpx": "cloudflare(httpx)",
    "cf-aiohttp": "cloudflare(aiohttp)",
    "ours": "cni_async",
}
OFFICIAL = ("cf-httpx", "cf-aiohttp")
MODULE = {
    "raw": "aiohttp",
    "cf-httpx": "cloudflare",
    "cf-aiohttp": "cloudflare",
    "ours": "cni_async",
}


class BenchClient(Protocol):
    async def get(self, name: str) -> Any: ...

    async def walk(self, limit: int) -> int:
        """Fetch every item of the list, page by page; return how many there were."""
        ...

    async def first_page(self, limit: int) -> list[Any]: ...


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/client/v4"


def name_of(obj: Any) -> str:
    """The ``name`` of what a get returned (a JSON object or a model)."""
    return str(cast("dict[str, Any]", obj)["name"] if isinstance(obj, dict) else obj.name)


def kind_of(item: Any) -> str:
    """What a list item is: its JSON ``type`` for raw JSON, else its class name."""
    return (
        str(cast("dict[str, Any]", item)["type"]) if isinstance(item, dict) else type(item).__name__
    )


class RawAiohttp:
    """The floor: ``session.get`` and ``json()``, nothing else."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, account: str) -> None:
        self.session = session
        self.prefix = f"{base_url}/accounts/{account}/cni/interconnects"

    async def get(self, name: str) -> Any:
        async with self.session.get(f"{self.prefix}/{quote(name, safe='')}") as resp:
            resp.raise_for_status()
            return await resp.json()

    async def _page(self, limit: int, cursor: int | None) -> Any:
        params = {"limit": limit} if cursor is None else {"limit": limit, "cursor": cursor}
        async with self.session.get(self.prefix, params=params) as resp:
            resp.raise_for_status()
            return await resp.json()

    async def walk(self, limit: int) -> int:
        count, cursor = 0, None
        while True:
            page = await self._page(limit, cursor)
            count += len(page["items"])
            cursor = page.get("next")
            if cursor is None:
                return count

    async def first_page(self, limit: int) -> list[Any]:
        return list((await self._page(limit, None))["items"])


class Official:
    """Cloudflare's ``AsyncCloudflare``: no paginator for CNI lists, so a manual cursor loop."""

    def __init__(self, client: Any, account: str) -> None:
        self.resource = client.network_interconnects.interconnects
        self.account = account

    async def get(self, name: str) -> Any:
        return await self.resource.get(name, account_id=self.account)

    async def walk(self, limit: int) -> int:
        count, cursor = 0, None
        while True:
            page = await self.resource.list(account_id=self.account, limit=limit, cursor=cursor)
            count += len(page.items)
            cursor = page.next
            if cursor is None:
                return count

    async def first_page(self, limit: int) -> list[Any]:
        return list((await self.resource.list(account_id=self.account, limit=limit)).items)


class Ours:
    """``cni_async.Client``: ``async for`` over the paginator, typed models per item."""

    def __init__(self, client: Any) -> None:
        self.interconnects = client.interconnects

    async def get(self, name: str) -> Any:
        return await self.interconnects.get(name)

    async def walk(self, limit: int) -> int:
        count = 0
        async for _ in self.interconnects.list(limit=limit):
            count += 1
        return count

    async def first_page(self, limit: int) -> list[Any]:
        pages = self.interconnects.list(limit=limit).pages().__aiter__()
        page = await pages.__anext__()
        aclose = getattr(pages, "aclose", None)
        if aclose is not None:
            await aclose()
        return list(page.items)


def check_importable(key: str) -> str | None:
    """Return why the client ``key`` cannot be used, or None when it can."""
    try:
        module = importlib.import_module(MODULE[key])
        if key == "ours":
            _ = module.Client
        elif key == "cf-aiohttp":
            _ = module.DefaultAioHttpClient
            importlib.import_module("httpx_aiohttp")
    except (ImportError, AttributeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@asynccontextmanager
async def open_client(key: str, base_url: str, account: str) -> AsyncGenerator[BenchClient, None]:
    """Open one long-lived client of kind ``key``; its default account is ``account``."""
    if key == "raw":
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            yield RawAiohttp(session, base_url, account)
    elif key in OFFICIAL:
        import cloudflare  # only when selected: it is slow to import

        http_client = cloudflare.DefaultAioHttpClient() if key == "cf-aiohttp" else None
        async with cloudflare.AsyncCloudflare(
            api_token=TOKEN, base_url=base_url, max_retries=0, http_client=http_client
        ) as client:
            yield Official(client, account)
    elif key == "ours":
        import cni_async  # only when selected

        # Default retry policy, as users run it: the first attempt is bare, so retries
        # cost nothing until a request fails.
        async with cni_async.Client(
            api_token=TOKEN, account_id=account, base_url=base_url
        ) as client:
            yield Ours(client)
    else:
        raise ValueError(f"unknown client {key!r}; choose from {', '.join(CLIENTS)}")
