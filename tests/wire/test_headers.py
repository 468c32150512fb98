"""The headers that reach the server, on a session of ours and on a caller's session.

A session of ours sends the common headers as its defaults and each request only
what differs; these tests hold both roads to the same headers on the wire.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

import cni_async
from tests.conftest import ACCOUNT, TOKEN

CNI_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
SETTINGS = b'{"default_asn": 65000}'


class Recorder:
    """A server on 127.0.0.1 that answers a few CNI paths and keeps each request's headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.seen.append((request.method, request.path, dict(request.headers)))
        path = request.path
        if path.endswith("/loa"):
            return web.Response(body=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        if request.method == "DELETE":
            return web.Response(status=200)
        if path.endswith("/settings"):
            return web.Response(body=SETTINGS, content_type="application/json")
        return web.Response(status=404)


@pytest_asyncio.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    rec = Recorder()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", rec.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield rec, f"http://127.0.0.1:{port}/client/v4"
    finally:
        await runner.cleanup()


async def _every_kind(cf: cni_async.Client) -> None:
    await cf.settings.get()  # JSON GET
    await cf.settings.update(default_asn=65001)  # JSON body
    await cf.interconnects.loa("icon-1")  # PDF
    await cf.cnis.delete(CNI_ID)  # no body expected back


def _check(seen: list[tuple[str, str, dict[str, str]]]) -> None:
    by_method = {(method, path.rsplit("/", 1)[-1]): headers for method, path, headers in seen}
    assert len(seen) == 4
    for headers in by_method.values():
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["User-Agent"] == f"cni-async/{cni_async.__version__}"
    assert by_method["GET", "settings"]["Accept"] == "application/json"
    assert "Content-Type" not in by_method["GET", "settings"]
    assert by_method["PUT", "settings"]["Accept"] == "application/json"
    assert by_method["PUT", "settings"]["Content-Type"] == "application/json"
    assert by_method["GET", "loa"]["Accept"] == "application/pdf, */*"
    assert by_method["DELETE", CNI_ID]["Accept"] == "*/*"


@pytest.mark.parametrize("how", ["key", "token"])
async def test_a_session_of_ours_sends_every_header(recorder, how):
    """Defaults on the session plus per-request differences give each request its headers."""
    rec, base_url = recorder
    credentials = (
        {"api_token": TOKEN}
        if how == "token"
        else {"api_key": "k" * 37, "api_email": "ops@example.com"}
    )
    async with cni_async.Client(**credentials, account_id=ACCOUNT, base_url=base_url) as cf:
        await _every_kind(cf)
    if how == "token":
        _check(rec.seen)
    else:
        for _, _, headers in rec.seen:
            assert headers["X-Auth-Key"] == "k" * 37
            assert headers["X-Auth-Email"] == "ops@example.com"
            assert "Authorization" not in headers


async def test_a_callers_session_gets_every_header_per_request(recorder):
    """A borrowed session's own defaults stay, and ours go with each request."""
    rec, base_url = recorder
    session_headers = {"X-Trace": "t-1", "Accept": "text/plain"}
    async with aiohttp.ClientSession(headers=session_headers) as session:
        cf = cni_async.Client(
            api_token=TOKEN, account_id=ACCOUNT, base_url=base_url, session=session
        )
        async with cf:
            await _every_kind(cf)
    _check(rec.seen)  # our Accept wins over the session's
    assert all(headers["X-Trace"] == "t-1" for _, _, headers in rec.seen)


@pytest.mark.parametrize(
    "credentials",
    [
        {"api_token": "".join(map(chr, range(0x21, 0x7F))) + " \t~"},
        {"api_key": "k \tk", "api_email": "o'p+s@example.com"},
        {"user_service_key": "v1.0-a b"},
    ],
    ids=["token", "key", "service_key"],
)
async def test_every_accepted_credential_reaches_the_server_verbatim(recorder, credentials):
    """What the credential check lets through, aiohttp sends unchanged: no bare ValueError later."""
    rec, base_url = recorder
    async with cni_async.Client(**credentials, account_id=ACCOUNT, base_url=base_url) as cf:
        await cf.settings.get()
    ((_, _, sent),) = rec.seen
    expected = {
        "api_token": ("Authorization", "Bearer {}"),
        "api_key": ("X-Auth-Key", "{}"),
        "api_email": ("X-Auth-Email", "{}"),
        "user_service_key": ("X-Auth-User-Service-Key", "{}"),
    }
    for argument, value in credentials.items():
        header, template = expected[argument]
        assert sent[header] == template.format(value)
