"""The SDK's requests and the emulator's answers, for all 15 operations, against the OpenAPI document.

The SDK runs against the in-process emulator on a recorded aiohttp session; every
request it put on the wire (path ids, query, JSON body) and every 200 it got back is
then checked against the operation's schemas in Cloudflare's document. The raw-HTTP
check of the emulator alone is `tests/emulator/test_emu_schema.py`; this one is
about what the SDK sends, and covers every operation through it.
"""

from __future__ import annotations

import attrs
import pytest
from yarl import URL

import cni_async
from cni_async import (
    BgpControl,
    Cni,
    CniCreate,
    GcpPartnerInterconnectCreate,
    MagicSettings,
    PhysicalInterconnectCreate,
)
from cni_async._converter import unstructure
from cni_async.testing import Emulator
from tests.conformance._openapi import Exchange, OpenAPI

ACCOUNT = "acc-conformance"
TOKEN = "conformance-token"
UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BANDWIDTHS = ("50M", "100M", "200M", "300M", "400M", "500M", "1G", "2G", "5G", "10G", "20G", "50G")


async def drive_every_operation(cf: cni_async.Client, emu: Emulator) -> None:
    """Each of the 15 operations, in the variants that change what goes on the wire."""
    assert (await cf.settings.get()).default_asn >= 0
    assert (await cf.settings.update(default_asn=4_200_000)).default_asn == 4_200_000

    slots = [slot async for slot in cf.slots.list(limit=5)]  # several pages, the last one ends
    assert len(slots) > 5
    sites = sorted({slot.site for slot in slots})
    free = [
        slot async for slot in cf.slots.list(occupied=False, site=sites[0], speed=slots[0].speed)
    ]
    word = slots[0].facility.address[0].split()[-1]
    assert [slot async for slot in cf.slots.list(address_contains=word, occupied=True)] == []
    assert await cf.slots.get(free[0].id) == free[0]

    direct = await cf.interconnects.create(
        PhysicalInterconnectCreate(account=ACCOUNT, slot_id=free[0].id)
    )
    sized = await cf.interconnects.create(
        PhysicalInterconnectCreate(account=ACCOUNT, slot_id=free[1].id, speed="10G")
    )
    gcp = await cf.interconnects.create(
        GcpPartnerInterconnectCreate(account=ACCOUNT, bandwidth="50G", pairing_key="k/us-east4/2")
    )
    for icon in (direct, sized, gcp):
        assert await cf.interconnects.get(icon.name) == icon
    listed = [i.name async for i in cf.interconnects.list(site=sites[0], type="direct", limit=1)]
    assert listed == [direct.name, sized.name]
    async for page in cf.interconnects.list(limit=2, cursor=1).pages():
        assert [i.name for i in page.items] == [sized.name, gcp.name]

    states = [(await cf.interconnects.status(direct.name)).state for _ in range(2)]
    assert states == ["Pending", "Healthy"]
    emu.set_status(ACCOUNT, gcp.name, "Down", "light levels low")
    assert await cf.interconnects.status(gcp.name) == cni_async.InterconnectStatus(
        "Down", "light levels low"
    )
    emu.set_status(ACCOUNT, sized.name, "Unhealthy")
    assert (await cf.interconnects.status(sized.name)).state == "Unhealthy"
    assert (await cf.interconnects.loa(direct.name)).startswith(b"%PDF-")
    assert (await cf.interconnects.loa(gcp.name, name="ACME Networks")).startswith(b"%PDF-")

    magic = MagicSettings(conduit_name="tunnel-a", description="first", mtu=1476)
    bgp = BgpControl(customer_asn=65001, extra_prefixes=["10.8.0.0/16"], md5_key="k3y!")
    with_bgp = await cf.cnis.create(
        CniCreate(account=ACCOUNT, interconnect=direct.name, magic=magic, bgp=bgp)
    )
    plain = await cf.cnis.create(
        CniCreate(
            account=ACCOUNT,
            interconnect=gcp.name,
            magic=MagicSettings(conduit_name="tunnel-b", description="", mtu=0),
        )
    )
    assert await cf.cnis.get(with_bgp.id) == with_bgp
    assert [c.id async for c in cf.cnis.list(limit=1)] == [with_bgp.id, plain.id]
    assert [c.id async for c in cf.cnis.list(tunnel_id="tunnel-b")] == [plain.id]
    assert [c.id async for c in cf.cnis.list(slot=free[0].id)] == [with_bgp.id]
    changed = attrs.evolve(
        with_bgp,
        magic=attrs.evolve(with_bgp.magic, description="renamed"),
        bgp=BgpControl(customer_asn=65002, extra_prefixes=[]),
        bgp_mode="advertise_only",
    )
    assert await cf.cnis.update(changed) == changed
    assert await cf.cnis.update(attrs.evolve(plain, bgp=bgp)) == attrs.evolve(plain, bgp=bgp)

    for cni in (with_bgp, plain):
        assert await cf.cnis.delete(cni.id) is None
    for icon in (direct, sized, gcp):
        assert await cf.interconnects.delete(icon.name) is None


def _checked(openapi: OpenAPI, exchanges: list[Exchange], base: URL) -> tuple[dict, list]:
    """Operation id -> how many exchanges validated; and every problem found."""
    counts: dict[str, int] = {}
    problems: list[str] = []
    prefix = base.path.rstrip("/")
    for exchange in exchanges:
        where = f"{exchange.method} {exchange.url.raw_path_qs}"
        assert exchange.url.raw_path.startswith(prefix + "/"), where
        found = openapi.match(exchange.method, exchange.url.raw_path[len(prefix) :])
        if found is None:
            problems.append(f"{where}: no operation of the document has this path and method")
            continue
        operation, path_params = found
        wrong = openapi.request_problems(operation, path_params, exchange)
        wrong += openapi.response_problems(operation, exchange)
        wrong += _body_without_schema(operation.operation_id, exchange)
        problems += [f"{operation.operation_id} ({where}): {p}" for p in wrong]
        counts[operation.operation_id] = counts.get(operation.operation_id, 0) + 1
    return counts, problems


def _body_without_schema(operation_id: str, exchange: Exchange) -> list[str]:
    """The two 200s the document gives no schema: DELETE has no body, LOA is a PDF (§2.5, §2.6)."""
    if operation_id in {"delete_interconnect", "delete_cni"} and exchange.response_body:
        return [f"DELETE answered a body: {exchange.response_body[:80]!r}"]
    if operation_id == "get_interconnect_loa":
        content_type = (exchange.response_headers or {}).get("Content-Type", "")
        if content_type != "application/pdf" or not exchange.response_body.startswith(b"%PDF-"):
            return [f"the LOA is not a PDF: {content_type!r} {exchange.response_body[:20]!r}"]
    return []


async def test_sdk_requests_and_emulator_answers_match_the_document(
    openapi, recorder, recording_session
):
    """Every request the SDK sends and every 200 the emulator answers validates, all 15 operations."""
    async with (
        Emulator(token=TOKEN, status_polls=1) as emu,
        cni_async.Client(
            api_token=TOKEN,
            account_id=ACCOUNT,
            base_url=emu.base_url,
            max_retries=0,
            session=recording_session,
        ) as cf,
    ):
        await drive_every_operation(cf, emu)
        base = URL(emu.base_url)
    assert all(exchange.error is None for exchange in recorder.exchanges)
    counts, problems = _checked(openapi, recorder.exchanges, base)
    assert problems == []
    assert set(counts) == openapi.operation_ids
    assert len(counts) == 15
    assert sum(counts.values()) == len(recorder.exchanges)
    assert all(exchange.status == 200 for exchange in recorder.exchanges)
    bodies = [e for e in recorder.exchanges if e.method in {"POST", "PUT"}]
    assert len(bodies) == 8
    assert all(e.request_body for e in bodies)


def _bodies() -> list[tuple[str, object]]:
    """Request models in every shape the SDK can send, and the document schema each must match."""
    magic = MagicSettings(conduit_name="c", description="d", mtu=9000)
    bgp = BgpControl(customer_asn=0, extra_prefixes=["192.168.3.4/31", "10.0.0.0/8"])
    keyed = attrs.evolve(bgp, md5_key="!#$%&'()*+,-./:;<=>@[]^_`{|}~ az09")
    cni = Cni(UUID, "a", "icon", "192.168.3.4/31", "192.168.3.5/31", magic)
    return [
        ("nsc_InterconnectCreate", PhysicalInterconnectCreate(account="a", slot_id=UUID)),
        (
            "nsc_InterconnectCreate",
            PhysicalInterconnectCreate(account="a", slot_id=UUID, speed="100G"),
        ),
        *[
            (
                "nsc_InterconnectCreate",
                GcpPartnerInterconnectCreate(account="a", bandwidth=bandwidth, pairing_key="key"),
            )
            for bandwidth in BANDWIDTHS
        ],
        ("nsc_CniCreate", CniCreate(account="a", interconnect="icon", magic=magic)),
        ("nsc_CniCreate", CniCreate(account="a", interconnect="icon", magic=magic, bgp=bgp)),
        ("nsc_CniCreate", CniCreate(account="a", interconnect="icon", magic=magic, bgp=keyed)),
        ("nsc_Cni", cni),
        ("nsc_Cni", attrs.evolve(cni, bgp=keyed, bgp_mode="dynamic_route_exchange")),
        ("nsc_Cni", attrs.evolve(cni, bgp=bgp, bgp_mode="advertise_only")),
    ]


@pytest.mark.parametrize(("schema", "model"), _bodies())
def test_request_models_unstructure_to_valid_bodies(openapi, schema, model):
    """Each request model, as the SDK serialises it, is a valid body of its document schema."""
    body = unstructure(model)
    assert openapi.component_problems(schema, body) == []
    assert None not in body.values()  # unset optionals are left out, not sent as null


def test_the_checks_can_fail(openapi):
    """The checker rejects wrong shapes: both create branches, a type/shape mismatch, bad formats."""
    both = {
        "account": "a",
        "type": "direct",
        "slot_id": UUID,
        "bandwidth": "1G",
        "pairing_key": "k",
    }
    assert openapi.component_problems("nsc_InterconnectCreate", both)
    mislabelled = {"account": "a", "type": "gcp_partner", "slot_id": UUID}
    assert openapi.component_problems("nsc_InterconnectCreate", mislabelled)
    cni = unstructure(Cni(UUID, "a", "i", "10.0.0.0/31", "10.0.0.1/31", MagicSettings("c", "", 1)))
    assert openapi.component_problems("nsc_Cni", cni) == []
    assert openapi.component_problems("nsc_Cni", {**cni, "p2p_ip": "10.0.0.0"})
    assert openapi.component_problems("nsc_Cni", {**cni, "cust_ip": "300.0.0.1/31"})
    assert openapi.component_problems("nsc_Cni", {**cni, "id": "not-a-uuid"})
    assert openapi.component_problems("nsc_Cni", {**cni, "magic": {**cni["magic"], "mtu": 2**31}})
    assert openapi.component_problems("nsc_Cni", {**cni, "bgp": None})  # bgp is not nullable
    assert openapi.component_problems("nsc_SettingsRequest", {"default_asn": None}) == []
    assert openapi.component_problems("nsc_SettingsRequest", {"default_asn": -1})
    assert openapi.component_problems("nsc_StatusInfo", {"state": "Down", "reason": None}) == []
    assert openapi.component_problems("nsc_StatusInfo", {"state": "down"})
    get_slot, params = openapi.match("GET", "/accounts/a/cni/slots/not-a-uuid")
    bad = Exchange("GET", URL("http://h/accounts/a/cni/slots/x?limit=-1&page=2"), {})
    problems = openapi.request_problems(get_slot, params, bad)
    assert any("'slot'" in p for p in problems)
    assert any("'page' is not a parameter" in p for p in problems)
    list_slots, params = openapi.match("GET", "/accounts/a/cni/slots")
    bad = Exchange("GET", URL("http://h/accounts/a/cni/slots?limit=-1&occupied=yes"), {})
    problems = openapi.request_problems(list_slots, params, bad)
    assert len(problems) == 2
    assert openapi.match("GET", "/accounts/a/cni/nowhere") is None
