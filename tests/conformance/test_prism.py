"""The SDK against prism, a mock server that validates requests against Cloudflare's document.

`prism mock -d` rejects any request that breaks the document (400/422 with its findings
in an `sl-violations` header) and answers random, schema-valid bodies: extra keys, every
union branch, nullable fields null, random (often negative) `next` cursors. Each of the 15 operations
runs many times with valid, varied arguments; no request may be rejected and every
answer must decode into the SDK's models. Lists walk one page only, since prism's
`next` is random. Needs `PRISM_BIN` (set by `nox -s conformance`), else skips.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import cni_async
from cni_async import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnect,
    GcpPartnerInterconnectCreate,
    InterconnectStatus,
    MagicSettings,
    Page,
    PhysicalInterconnect,
    PhysicalInterconnectCreate,
    Settings,
    Slot,
)

ACCOUNT = "acc-prism"
ROUNDS = 30
BANDWIDTHS = ("50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "10G", "20G", "50G")
STATES = {"Pending", "Down", "Unhealthy", "Healthy"}
INTERCONNECT = (PhysicalInterconnect, GcpPartnerInterconnect)
Operation = Callable[[cni_async.Client, random.Random, int], Awaitable[None]]


def maybe(rng: random.Random, value: Any) -> Any:
    return value if rng.random() < 0.5 else None


def cursor(rng: random.Random) -> int | None:
    """None, or any int32: the document sets no minimum on `cursor`."""
    return maybe(rng, rng.choice([0, 1, rng.randrange(-(2**31), 2**31), 2**31 - 1, -(2**31)]))


def limit(rng: random.Random) -> int | None:
    return maybe(rng, rng.choice([0, 1, 20, rng.randrange(2**31)]))


def name(rng: random.Random) -> str:
    return rng.choice(["sjc-1", "gcp-42", "edge.ams", "icon_ü", "a b"]) + f"-{rng.randrange(100)}"


def magic(rng: random.Random) -> MagicSettings:
    return MagicSettings(
        conduit_name=f"tunnel-{rng.randrange(1000)}",
        description=rng.choice(["", "link to the DC", "ü ✓"]),
        mtu=rng.choice([0, 1280, 1476, 1500, 9000, 2**31 - 1]),
    )


def bgp(rng: random.Random) -> BgpControl | None:
    prefixes = rng.sample(["10.0.0.0/8", "192.168.3.4/31", "172.16.0.0/12", "0.0.0.0/0"], 2)
    return maybe(
        rng,
        BgpControl(
            customer_asn=rng.choice([0, 64512, 2**31 - 1]),
            extra_prefixes=prefixes[: rng.randrange(3)],
            md5_key=maybe(rng, "k3y!#$%&'()*+,-./:;<=>@[]^_`{|}~"),
        ),
    )


async def first_page(paginator: cni_async.Paginator[Any], kind: Any) -> None:
    pages = paginator.pages()
    page = await pages.__anext__()
    assert isinstance(page, Page)
    assert page.next is None or type(page.next) is int
    assert all(isinstance(item, kind) for item in page.items)


async def list_interconnects(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    await first_page(
        cf.interconnects.list(
            site=maybe(rng, "SJC"),
            type=maybe(rng, rng.choice(["direct", "gcp_partner"])),
            limit=limit(rng),
            cursor=cursor(rng),
        ),
        INTERCONNECT,
    )


async def create_interconnect(cf: cni_async.Client, rng: random.Random, index: int) -> None:
    if index % 2:
        speed = maybe(rng, rng.choice(["10G", "100G", "1G"]))
        body: Any = PhysicalInterconnectCreate(
            account=maybe(rng, ACCOUNT), slot_id=str(uuid.uuid4()), speed=speed
        )
    else:
        key = f"{uuid.uuid4()}/us-central1/{rng.randrange(1, 3)}"
        body = GcpPartnerInterconnectCreate(
            account=maybe(rng, ACCOUNT), bandwidth=rng.choice(BANDWIDTHS), pairing_key=key
        )
    assert isinstance(await cf.interconnects.create(body), INTERCONNECT)


async def get_interconnect(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    assert isinstance(await cf.interconnects.get(name(rng)), INTERCONNECT)


async def delete_interconnect(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    assert await cf.interconnects.delete(name(rng)) is None


async def get_interconnect_loa(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    loa_name = maybe(rng, rng.choice(["ACME Networks", "x" * 200, "Ünïcode & Co"]))
    # The document's LOA 200 declares no content, so prism answers it with an empty body,
    # which the SDK refuses (an LOA is a PDF). The request itself is still checked below.
    with pytest.raises(cni_async.APIResponseValidationError, match="the LOA body is empty"):
        await cf.interconnects.loa(name(rng), name=loa_name)


async def get_interconnect_status(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    status = await cf.interconnects.status(name(rng))
    assert isinstance(status, InterconnectStatus)
    assert status.state in STATES
    assert status.reason is None or isinstance(status.reason, str)


async def list_cnis(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    await first_page(
        cf.cnis.list(
            slot=maybe(rng, str(uuid.uuid4())),
            tunnel_id=maybe(rng, f"tunnel-{rng.randrange(9)}"),
            limit=limit(rng),
            cursor=cursor(rng),
        ),
        Cni,
    )


async def create_cni(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    # `account` left out half the time: the SDK fills it in, as the document requires it.
    body = CniCreate(
        account=maybe(rng, ACCOUNT), interconnect=name(rng), magic=magic(rng), bgp=bgp(rng)
    )
    assert isinstance(await cf.cnis.create(body), Cni)


async def get_cni(cf: cni_async.Client, _: random.Random, __: int) -> None:
    assert isinstance(await cf.cnis.get(str(uuid.uuid4())), Cni)


async def update_cni(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    mode = maybe(rng, rng.choice(["dynamic_route_exchange", "advertise_only"]))
    low = rng.randrange(0, 2**31, 2)
    p2p, cust = (f"10.{low >> 16 & 255}.{low >> 8 & 255}.{low & 254 | n}/31" for n in (0, 1))
    cni = Cni(str(uuid.uuid4()), ACCOUNT, name(rng), p2p, cust, magic(rng), bgp(rng), mode)
    assert isinstance(await cf.cnis.update(cni), Cni)


async def delete_cni(cf: cni_async.Client, _: random.Random, __: int) -> None:
    assert await cf.cnis.delete(str(uuid.uuid4()).upper()) is None


async def list_slots(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    await first_page(
        cf.slots.list(
            address_contains=maybe(rng, "Great Oaks"),
            site=maybe(rng, "AMS"),
            speed=maybe(rng, rng.choice(["10G", "100G"])),
            occupied=maybe(rng, rng.random() < 0.5),
            limit=limit(rng),
            cursor=cursor(rng),
        ),
        Slot,
    )


async def get_slot(cf: cni_async.Client, _: random.Random, __: int) -> None:
    assert isinstance(await cf.slots.get(str(uuid.uuid4())), Slot)


async def get_settings(cf: cni_async.Client, _: random.Random, __: int) -> None:
    assert isinstance(await cf.settings.get(), Settings)


async def update_settings(cf: cni_async.Client, rng: random.Random, _: int) -> None:
    asn = rng.choice([0, 13335, 4_200_000, 2**31 - 1])
    assert isinstance(await cf.settings.update(default_asn=asn), Settings)


OPERATIONS: dict[str, Operation] = {
    operation.__name__: operation
    for operation in (
        list_interconnects,
        create_interconnect,
        get_interconnect,
        delete_interconnect,
        get_interconnect_loa,
        get_interconnect_status,
        list_cnis,
        create_cni,
        get_cni,
        update_cni,
        delete_cni,
        list_slots,
        get_slot,
        get_settings,
        update_settings,
    )
}


def test_every_operation_of_the_document_is_exercised(openapi):
    """The operations below are exactly the document's 15 operationIds."""
    assert set(OPERATIONS) == openapi.operation_ids
    assert len(OPERATIONS) == 15


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
async def test_prism_accepts_requests_and_answers_decode(
    operation_id, openapi, prism_url, recorder, recording_session
):
    """30 varied calls: prism rejects none, and every random 200 decodes into the SDK's models."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    failures: list[str] = []
    async with cni_async.Client(
        api_token="prism-token",
        account_id=ACCOUNT,
        base_url=prism_url,
        max_retries=0,
        session=recording_session,
    ) as cf:
        for index in range(ROUNDS):
            sent = len(recorder.exchanges)
            try:
                await OPERATIONS[operation_id](cf, rng, index)
            except cni_async.CNIError as exc:
                exchanges = recorder.exchanges[sent:]
                last = exchanges[-1] if exchanges else None
                failures.append(_describe(index, exc, last))
    assert failures == [], f"seed {seed}:\n" + "\n".join(failures)
    assert len(recorder.exchanges) == ROUNDS
    for exchange in recorder.exchanges:
        assert exchange.status == 200
        assert exchange.violations is None, exchange.violations
        operation, params = openapi.match(exchange.method, exchange.url.raw_path)
        assert operation.operation_id == operation_id
        assert openapi.request_problems(operation, params, exchange) == []


async def test_prism_rejects_an_invalid_request(prism_url, recording_session):
    """The mock really validates: a string default_asn is refused with its sl-violations."""
    url = f"{prism_url}/accounts/{ACCOUNT}/cni/settings"
    headers = {"Authorization": "Bearer prism-token"}
    async with recording_session.put(url, json={"default_asn": "13335"}, headers=headers) as bad:
        assert bad.status in {400, 422}
        assert "default_asn" in bad.headers["sl-violations"]
    async with recording_session.put(url, json={"default_asn": 13335}, headers=headers) as good:
        assert good.status == 200
        assert "sl-violations" not in good.headers
        assert isinstance((await good.json())["default_asn"], int)


def _describe(index: int, exc: cni_async.CNIError, exchange: Any) -> str:
    """One failed call, with what prism said about the request or what it answered."""
    text = f"call {index}: {type(exc).__name__}: {exc}"
    if exchange is None:
        return text
    request = f"{exchange.method} {exchange.url.raw_path_qs} {bytes(exchange.request_body)!r}"
    text += f"\n  request: {request}"
    if exchange.violations:
        text += f"\n  sl-violations: {exchange.violations}"
    return text + f"\n  response {exchange.status}: {exchange.response_body[:2000]!r}"
