"""A hostile or broken server over real sockets: whatever it answers, only CNIErrors come out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cni_async
from tests.conftest import ACCOUNT

DEEP = "[" * 100_000
UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest_asyncio.fixture
async def answering() -> AsyncIterator[Callable[[int, str], cni_async.Client]]:
    """A server on 127.0.0.1 answering every request with the status and body a test sets."""
    reply: dict[str, object] = {}

    async def handler(_: web.BaseRequest) -> web.Response:
        return web.Response(
            status=reply["status"],  # type: ignore[arg-type]
            body=reply["body"],  # type: ignore[arg-type]
            content_type="application/json",
        )

    runner = web.ServerRunner(web.Server(handler))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    def client(status: int, body: str | bytes) -> cni_async.Client:
        reply.update(status=status, body=body.encode() if isinstance(body, str) else body)
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


# Each response model, through the public method that returns it.
CALLS: dict[str, tuple[Callable[[cni_async.Client], Awaitable[Any]], tuple[type, ...]]] = {
    "interconnects.get": (
        lambda cf: cf.interconnects.get("sjc-1"),
        (cni_async.PhysicalInterconnect, cni_async.GcpPartnerInterconnect),
    ),
    "interconnects.status": (
        lambda cf: cf.interconnects.status("sjc-1"),
        (cni_async.InterconnectStatus,),
    ),
    "cnis.get": (lambda cf: cf.cnis.get(UUID), (cni_async.Cni,)),
    "slots.get": (lambda cf: cf.slots.get(UUID), (cni_async.Slot,)),
    "settings.update": (lambda cf: cf.settings.update(default_asn=1), (cni_async.Settings,)),
    "interconnects.list": (lambda cf: anext(cf.interconnects.list().pages()), (cni_async.Page,)),
    "cnis.list": (lambda cf: anext(cf.cnis.list().pages()), (cni_async.Page,)),
    "slots.list": (lambda cf: anext(cf.slots.list().pages()), (cni_async.Page,)),
}
GCP = {"type": "gcp_partner", "name": "g", "account": ACCOUNT, "region": "r"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
wire_bodies = (
    st.binary(max_size=40)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.sampled_from([GCP, {"items": [GCP], "next": 2**31}, {"state": "Down"}]).map(
        lambda v: json.dumps(v).encode()
    )
)
# Statuses a broken server or proxy answers; 3xx carry no Location, so nothing is followed.
STATUSES = [
    200,
    201,
    204,
    299,
    300,
    302,
    304,
    400,
    401,
    403,
    404,
    409,
    418,
    422,
    429,
    500,
    503,
    599,
]


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    call=st.sampled_from(sorted(CALLS)),
    status=st.sampled_from(STATUSES),
    body=wire_bodies,
)
@example(call="settings.update", status=200, body=DEEP.encode())
@example(call="slots.list", status=502, body=DEEP.encode())
async def test_whatever_the_server_answers_the_caller_gets_a_model_or_a_cnierror(
    answering, call, status, body
):
    """Any status and body for any method: its model or a CNIError (the status's, for >= 400)."""
    # One server for every example (the fixture is not per example, on purpose).
    method, models = CALLS[call]
    async with answering(status, body) as cf:
        try:
            result = await method(cf)
        except Exception as exc:  # any kind: which one is what this test checks
            result = exc
    if isinstance(result, cni_async.APIStatusError):
        assert result.status_code == status
    elif isinstance(result, cni_async.APIResponseValidationError):
        assert 200 <= result.status_code < 400
        assert result.problems
    else:
        assert 200 <= status < 400, result
        assert isinstance(result, models), result
