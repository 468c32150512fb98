"""`ssl=` with a private CA, certificate failures that are not retried, and proxies: given,
from the environment (NO_PROXY respected), or ignored with trust_env=False."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
import trustme
from aiohttp import web

import cni_async
from cni_async.testing import Emulator
from tests.wire.hostile import serve

ACCOUNT = "acc"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest_asyncio.fixture
async def tls_api(ca: trustme.CA) -> AsyncIterator[str]:
    """A tiny HTTPS API on 127.0.0.1 with a certificate from `ca`; yields its base URL."""

    async def settings(request: web.Request) -> web.StreamResponse:
        return web.json_response({"default_asn": 64512})

    app = web.Application()
    app.router.add_get("/client/v4/accounts/{account}/cni/settings", settings)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    async with serve(app, context) as address:
        yield f"https://{address}/client/v4"


async def test_a_private_ca_is_trusted_through_ssl(ca, tls_api):
    """ssl= with a context that trusts the private CA verifies the API's certificate."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with cni_async.Client(
        api_token="t", account_id=ACCOUNT, base_url=tls_api, ssl=context
    ) as cf:
        assert (await cf.settings.get()).default_asn == 64512


async def test_an_untrusted_certificate_fails_once_and_is_not_retried(tls_api):
    """Verification stays on by default: a certificate from an unknown CA is a 'tls' error,
    never retried (it will not heal)."""
    retries: list[object] = []
    async with cni_async.Client(
        api_token="t", account_id=ACCOUNT, base_url=tls_api, on_retry=retries.append
    ) as cf:
        with pytest.raises(cni_async.APIConnectionError) as info:
            await cf.settings.get()
    assert info.value.phase == "tls"
    assert info.value.maybe_sent is False
    assert "TLS failed" in str(info.value)
    assert retries == []


def test_ssl_must_be_a_context():
    """ssl= takes an ssl.SSLContext; anything else is refused at construction."""
    with pytest.raises(cni_async.ConfigurationError, match=r"ssl\.SSLContext"):
        cni_async.Client(api_token="t", ssl=False)  # type: ignore[arg-type]


class Proxy:
    """A forward HTTP proxy on 127.0.0.1 that records what went through it."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.url = ""


@pytest_asyncio.fixture
async def proxy() -> AsyncIterator[Proxy]:
    recorder = Proxy()
    upstream = aiohttp.ClientSession(auto_decompress=False)

    async def forward(request: web.Request) -> web.StreamResponse:
        recorder.seen.append(str(request.url))
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with upstream.request(
            request.method, request.url, headers=headers, data=await request.read()
        ) as answer:
            body = await answer.read()
            keep = {"Content-Type", "Content-Encoding", "cf-ray"}
            return web.Response(
                status=answer.status,
                body=body,
                headers={k: v for k, v in answer.headers.items() if k in keep},
            )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    async with upstream, serve(app) as address:
        recorder.url = f"http://{address}"
        yield recorder


async def test_requests_go_through_a_given_proxy(proxy):
    """proxy= sends every request through that proxy."""
    async with Emulator() as emu, emu.client(proxy=proxy.url) as cf:
        assert (await cf.settings.get()).default_asn == 13335
    assert proxy.seen == [f"{emu.base_url}/accounts/{emu.account_id}/cni/settings"]


async def test_the_environments_proxy_is_used_by_default(proxy, monkeypatch):
    """HTTP_PROXY (read once, when the client is made) is honoured, as the official SDK does."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with Emulator() as emu, emu.client() as cf:
        await cf.settings.get()
    assert len(proxy.seen) == 1


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1:9", "*", ".0.0.1"])
async def test_no_proxy_is_respected(proxy, monkeypatch, no_proxy):
    """A host named in NO_PROXY (or `*`) is reached directly."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    async with Emulator() as emu, emu.client() as cf:
        await cf.settings.get()
    assert proxy.seen == []


async def test_trust_env_false_ignores_the_environment(proxy, monkeypatch):
    """trust_env=False: no proxy from the environment."""
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with Emulator() as emu, emu.client(trust_env=False) as cf:
        await cf.settings.get()
    assert proxy.seen == []


def test_a_proxy_aiohttp_cannot_speak_is_refused_without_echoing_it():
    """A socks5:// proxy is refused at construction, and its credentials are not repeated."""
    with pytest.raises(cni_async.ConfigurationError, match="http:// or https://") as info:
        cni_async.Client(api_token="t", proxy="socks5://user:s3cret@proxy.test:1080")
    assert "s3cret" not in str(info.value)
