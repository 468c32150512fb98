"""A misbehaving server on 127.0.0.1: redirects, endless bodies, compression bombs, lies.

Each test sets `server.answer` to an aiohttp handler; `server.requests` counts what
arrived and `server.dropped` counts responses whose client went away mid-body.
"""

from __future__ import annotations

import contextlib
import gzip
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from aiohttp import web

import cni_async

ACCOUNT = "acc"
TOKEN = "tok-HOSTILE-secret-77"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Hostile:
    """The server's state: what it answers with, and what it saw."""

    def __init__(self) -> None:
        self.answer: Handler = _not_set
        self.requests = 0
        self.dropped = 0
        self.base_url = ""

    def client(self, **options: object) -> cni_async.Client:
        """A client for this server (no retries unless asked)."""
        return cni_async.Client(
            api_token=TOKEN,
            account_id=ACCOUNT,
            base_url=self.base_url,
            **{"max_retries": 0, **options},  # type: ignore[arg-type]
        )


async def _not_set(request: web.Request) -> web.StreamResponse:
    raise AssertionError(f"no answer set for {request.method} {request.path}")


@pytest_asyncio.fixture
async def hostile() -> AsyncIterator[Hostile]:
    """The server, on a free port, for one test."""
    server = Hostile()

    async def handle(request: web.Request) -> web.StreamResponse:
        server.requests += 1
        try:
            return await server.answer(request)
        except ConnectionError:  # the client hung up mid-body
            server.dropped += 1
            return web.Response(status=499)  # never written: the connection is gone

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    async with serve(app) as address:
        server.base_url = f"http://{address}/client/v4"
        yield server


@contextlib.asynccontextmanager
async def serve(
    app: web.Application, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """Serve `app` on a free port of 127.0.0.1 for the block; yields `host:port`."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        host, port = runner.addresses[0][:2]
        yield f"{host}:{port}"
    finally:
        await runner.cleanup()


def endless(chunk: bytes = b"0" * 65536, headers: dict[str, str] | None = None) -> Handler:
    """A 200 whose body never ends (chunked), counting how much it managed to send."""

    async def answer(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers=headers or {"Content-Type": "application/json"})
        await response.prepare(request)
        while True:
            await response.write(chunk)

    return answer


def gzip_bomb(decoded_mib: int) -> bytes:
    """`decoded_mib` MiB of zeros, gzipped (about a thousandth of that on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    return b"".join([*(packer.compress(block) for _ in range(decoded_mib)), packer.flush()])


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)
