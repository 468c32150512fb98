"""A hostile or broken server over real sockets: whatever it answers, only CNIErrors come out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from aiohttp import web

import cni_async
from tests.conftest import ACCOUNT

DEEP = "[" * 100_000


@pytest_asyncio.fixture
async def answering() -> AsyncIterator[Callable[[int, str], cni_async.Client]]:
    """A server on 127.0.0.1 answering every request with the status and body a test sets."""
    reply: dict[str, object] = {}

    async def handler(_: web.BaseRequest) -> web.Response:
        return web.Response(
            status=reply["status"],  # type: ignore[arg-type]
            text=reply["body"],  # type: ignore[arg-type]
            content_type="application/json",
        )

    runner = web.ServerRunner(web.Server(handler))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    def client(status: int, body: str) -> cni_async.Client:
        reply.update(status=status, body=body)
        return cni_async.Client(
            api_token="t",
            account_id=ACCOUNT,
            max_retries=0,
            base_url=f"http://127.0.0.1:{port}/client/v4",
        )

    yield client
    await runner.cleanup()


async def test_a_deeply_nested_2xx_is_a_validation_error(cf, emu):
    """`[` x 100,000 in a 200 is APIResponseValidationError naming the nesting at $, no RecursionError."""
    emu.faults.add("get_settings", body=DEEP)
    with pytest.raises(cni_async.APIResponseValidationError) as info:
        await cf.settings.get()
    assert info.value.problems == ["the body is too deeply nested @ $"]
    assert str(info.value) == (
        f"GET /accounts/{ACCOUNT}/cni/settings: HTTP 200 response: "
        "the body is too deeply nested @ $"
    )


@pytest.mark.parametrize(
    ("status", "cls"), [(500, cni_async.InternalServerError), (404, cni_async.NotFoundError)]
)
async def test_a_deeply_nested_error_page_keeps_its_status(answering, status, cls):
    """A proxy's deeply nested 5xx (or 4xx) page is still its status error, the body kept as text."""
    async with answering(status, DEEP) as cf:
        with pytest.raises(cls) as info:
            await cf.interconnects.get("sjc-1")
    assert info.value.status_code == status
    assert info.value.body == DEEP
