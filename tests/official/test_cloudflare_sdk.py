"""Cloudflare's own Python SDK (`cloudflare`) accepts the standalone emulator as the CNI API.

All 15 CNI operations go through `AsyncCloudflare.network_interconnects`, with real
state: slots taken and freed, statuses that progress, 404s after deletes and 409s.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

cloudflare = pytest.importorskip("cloudflare")

from tests.official.conftest import STATUS_POLLS, TOKEN  # noqa: E402 - after the skip

pytestmark = pytest.mark.cloudflare_sdk

MAGIC = {"conduit_name": "edge-1", "description": "first link", "mtu": 1476}


@pytest_asyncio.fixture
async def client(emulator_url: str) -> AsyncIterator[cloudflare.AsyncCloudflare]:
    client = cloudflare.AsyncCloudflare(api_token=TOKEN, base_url=emulator_url, max_retries=0)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
def account() -> str:
    """A fresh account per test: the emulator keeps state per account, seeded with free slots."""
    return f"acct-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def ni(client):
    return client.network_interconnects


async def all_pages(list_page, *, limit: int, **kwargs) -> tuple[list, list]:
    """Walk a CNI list by hand with `cursor=page.next`; return the items and the `next` values."""
    items, nexts, cursor = [], [], None
    for _ in range(1000):  # a bound, so a server that never ends cannot hang the test
        page = await list_page(limit=limit, cursor=cursor, **kwargs)
        items += page.items
        nexts.append(page.next)
        if page.next is None:
            return items, nexts
        cursor = page.next
    raise AssertionError("the list never ended")


async def free_slot(ni, account: str, **filters):
    page = await ni.slots.list(account_id=account, occupied=False, limit=1, **filters)
    assert page.items, "the emulator has no free slot"
    return page.items[0]


async def test_slots_list_filters_and_get(ni, account):
    """slots.list honours site, speed, occupied and address_contains; slots.get matches the list."""
    slots, _ = await all_pages(ni.slots.list, account_id=account, limit=7)
    assert slots
    assert len({slot.id for slot in slots}) == len(slots)
    assert all(slot.occupied is False for slot in slots)
    site, speed = slots[-1].site, slots[0].speed
    at_site, _ = await all_pages(ni.slots.list, account_id=account, limit=1000, site=site)
    assert at_site
    assert {s.id for s in at_site} == {s.id for s in slots if s.site == site}
    fast, _ = await all_pages(ni.slots.list, account_id=account, limit=1000, speed=speed)
    assert {s.id for s in fast} == {s.id for s in slots if s.speed == speed}
    word = slots[0].facility.address[0].split()[-1]
    by_address, _ = await all_pages(
        ni.slots.list, account_id=account, limit=1000, address_contains=word.lower()
    )
    assert slots[0].id in {s.id for s in by_address}
    assert all(any(word.lower() in line.lower() for line in s.facility.address) for s in by_address)
    occupied = await ni.slots.list(account_id=account, occupied=True)
    assert occupied.items == []
    one = await ni.slots.get(slots[3].id, account_id=account)
    assert one.id == slots[3].id
    assert (one.site, one.speed, one.facility.name) == (
        slots[3].site,
        slots[3].speed,
        slots[3].facility.name,
    )
    with pytest.raises(cloudflare.NotFoundError):
        await ni.slots.get(str(uuid.uuid4()), account_id=account)


async def test_physical_interconnect_lifecycle(ni, account):
    """create on a free slot -> get -> list (site/type) -> status -> LOA bytes -> delete -> 404."""
    slot = await free_slot(ni, account)
    icon = await ni.interconnects.create(
        account_id=account, account=account, type="direct", slot_id=slot.id
    )
    assert (icon.type, icon.account, icon.slot_id, icon.site) == (
        "direct",
        account,
        slot.id,
        slot.site,
    )
    assert icon.facility.name == slot.facility.name
    assert icon.speed == slot.speed
    got = await ni.interconnects.get(icon.name, account_id=account)
    assert got.to_dict() == icon.to_dict()
    assert (await ni.slots.get(slot.id, account_id=account)).occupied is True
    taken = await ni.slots.list(account_id=account, occupied=True)
    assert [s.id for s in taken.items] == [slot.id]

    listed = await ni.interconnects.list(account_id=account, site=slot.site, type="direct")
    assert [i.name for i in listed.items] == [icon.name]
    assert listed.next is None
    elsewhere = await ni.interconnects.list(account_id=account, site=f"not-{slot.site}")
    assert elsewhere.items == []
    assert (await ni.interconnects.list(account_id=account, type="gcp_partner")).items == []

    states = [
        (await ni.interconnects.status(icon.name, account_id=account)).state
        for _ in range(STATUS_POLLS + 2)
    ]
    assert states == ["Pending"] * STATUS_POLLS + ["Healthy"] * 2

    assert await ni.interconnects.loa(icon.name, account_id=account) is None
    raw = await ni.interconnects.with_raw_response.loa(icon.name, account_id=account)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/pdf")
    pdf = await raw.read()
    assert pdf.startswith(b"%PDF-")
    assert icon.name.encode() in pdf

    assert await ni.interconnects.delete(icon.name, account_id=account) is None
    with pytest.raises(cloudflare.NotFoundError) as missing:
        await ni.interconnects.get(icon.name, account_id=account)
    assert missing.value.status_code == 404
    with pytest.raises(cloudflare.NotFoundError):
        await ni.interconnects.status(icon.name, account_id=account)
    assert (await ni.slots.get(slot.id, account_id=account)).occupied is False


async def test_gcp_partner_interconnect(ni, account):
    """A GCP partner create (bandwidth + pairing key) is a gcp_partner with speed and region."""
    icon = await ni.interconnects.create(
        account_id=account,
        account=account,
        type="gcp_partner",
        bandwidth="10G",
        pairing_key=f"{uuid.uuid4()}/europe-west3/1",
    )
    assert (icon.type, icon.speed, icon.region, icon.account) == (
        "gcp_partner",
        "10G",
        "europe-west3",
        account,
    )
    assert not hasattr(icon, "slot_id")
    got = await ni.interconnects.get(icon.name, account_id=account)
    assert got.to_dict() == icon.to_dict()
    listed = await ni.interconnects.list(account_id=account, type="gcp_partner")
    assert [i.name for i in listed.items] == [icon.name]
    assert (await ni.interconnects.list(account_id=account, type="direct")).items == []
    raw = await ni.interconnects.with_raw_response.loa(icon.name, account_id=account)
    assert (await raw.read()).startswith(b"%PDF-")
    assert await ni.interconnects.delete(icon.name, account_id=account) is None
    with pytest.raises(cloudflare.NotFoundError):
        await ni.interconnects.delete(icon.name, account_id=account)


async def test_interconnect_cursor_paging_by_hand(ni, account):
    """limit + cursor=next walks every interconnect once, and the last page has no next."""
    names = []
    for index in range(5):
        icon = await ni.interconnects.create(
            account_id=account,
            account=account,
            type="gcp_partner",
            bandwidth="1G",
            pairing_key=f"key-{index}/us-west1/1",
        )
        names.append(icon.name)
    slot = await free_slot(ni, account)
    physical = await ni.interconnects.create(
        account_id=account, account=account, type="direct", slot_id=slot.id, speed="10G"
    )
    names.append(physical.name)
    items, nexts = await all_pages(ni.interconnects.list, account_id=account, limit=2)
    assert [i.name for i in items] == names
    assert len(nexts) == 3
    assert nexts[-1] is None
    assert all(isinstance(n, int) for n in nexts[:-1])
    gcp_only, _ = await all_pages(
        ni.interconnects.list, account_id=account, limit=4, type="gcp_partner"
    )
    assert [i.name for i in gcp_only] == names[:5]


async def test_cni_lifecycle(ni, account):
    """CNI create -> get -> list (tunnel_id, slot) -> update with every field -> delete -> 404."""
    slot = await free_slot(ni, account)
    icon = await ni.interconnects.create(
        account_id=account, account=account, type="direct", slot_id=slot.id
    )
    bgp = {"customer_asn": 65010, "extra_prefixes": ["10.20.0.0/16"], "md5_key": "s3cr3t"}
    cni = await ni.cnis.create(
        account_id=account, account=account, interconnect=icon.name, magic=MAGIC, bgp=bgp
    )
    assert uuid.UUID(cni.id)
    assert (cni.account, cni.interconnect) == (account, icon.name)
    assert cni.magic.to_dict() == MAGIC
    assert cni.bgp.customer_asn == 65010
    assert cni.bgp.extra_prefixes == ["10.20.0.0/16"]
    assert cni.p2p_ip.endswith("/31")
    assert cni.cust_ip.endswith("/31")
    got = await ni.cnis.get(cni.id, account_id=account)
    assert got.to_dict() == cni.to_dict()

    other = await ni.cnis.create(
        account_id=account,
        account=account,
        interconnect=icon.name,
        magic={**MAGIC, "conduit_name": "edge-2"},
    )
    assert other.bgp is None
    assert {other.p2p_ip, other.cust_ip}.isdisjoint({cni.p2p_ip, cni.cust_ip})
    everything = await ni.cnis.list(account_id=account)
    assert [c.id for c in everything.items] == [cni.id, other.id]
    by_tunnel = await ni.cnis.list(account_id=account, tunnel_id="edge-2")
    assert [c.id for c in by_tunnel.items] == [other.id]
    by_slot = await ni.cnis.list(account_id=account, slot=slot.id)
    assert {c.id for c in by_slot.items} == {cni.id, other.id}
    first, _ = await all_pages(ni.cnis.list, account_id=account, limit=1)
    assert [c.id for c in first] == [cni.id, other.id]

    magic = {**MAGIC, "description": "renamed", "mtu": 1400}
    update = {
        "account_id": account,
        "id": cni.id,
        "account": account,
        "cust_ip": cni.cust_ip,
        "interconnect": cni.interconnect,
        "magic": magic,
        "p2p_ip": cni.p2p_ip,
        "bgp": {"customer_asn": 65011, "extra_prefixes": []},
    }
    if "bgp_mode" in inspect.signature(ni.cnis.update).parameters:  # newer SDKs only
        update["bgp_mode"] = "advertise_only"
    updated = await ni.cnis.update(cni.id, **update)
    assert updated.magic.to_dict() == magic
    assert updated.bgp.customer_asn == 65011
    assert updated.bgp.extra_prefixes == []
    assert getattr(updated, "bgp_mode", None) == update.get("bgp_mode")
    again = await ni.cnis.get(cni.id, account_id=account)
    assert again.to_dict() == updated.to_dict()

    for cni_id in (cni.id, other.id):
        assert await ni.cnis.delete(cni_id, account_id=account) is None
    with pytest.raises(cloudflare.NotFoundError):
        await ni.cnis.get(cni.id, account_id=account)
    assert (await ni.cnis.list(account_id=account)).items == []
    assert await ni.interconnects.delete(icon.name, account_id=account) is None


async def test_duplicate_conduit_name_is_a_conflict(ni, account):
    """A second CNI with a conduit_name already in use is 409, ConflictError in the official SDK."""
    icon = await ni.interconnects.create(
        account_id=account, account=account, type="gcp_partner", bandwidth="1G", pairing_key="k"
    )
    await ni.cnis.create(account_id=account, account=account, interconnect=icon.name, magic=MAGIC)
    with pytest.raises(cloudflare.ConflictError) as conflict:
        await ni.cnis.create(
            account_id=account, account=account, interconnect=icon.name, magic=MAGIC
        )
    assert conflict.value.status_code == 409
    assert "Name Conflict" in [error.message for error in conflict.value.errors]
    assert len((await ni.cnis.list(account_id=account)).items) == 1


async def test_settings_get_and_update(ni, account):
    """settings.update changes default_asn, settings.get reads it back, per account."""
    before = await ni.settings.get(account_id=account)
    assert isinstance(before.default_asn, int)
    updated = await ni.settings.update(account_id=account, default_asn=2_147_483_647)
    assert updated.default_asn == 2_147_483_647
    assert (await ni.settings.get(account_id=account)).default_asn == updated.default_asn
    unchanged = await ni.settings.get(account_id=f"{account}-other")
    assert unchanged.default_asn == before.default_asn


async def test_wrong_token_is_refused(emulator_url, account):
    """A token the emulator does not accept raises PermissionDeniedError (403) in the official SDK."""
    wrong = cloudflare.AsyncCloudflare(
        api_token="not-the-token", base_url=emulator_url, max_retries=0
    )
    try:
        with pytest.raises(
            (cloudflare.PermissionDeniedError, cloudflare.AuthenticationError)
        ) as denied:
            await wrong.network_interconnects.settings.get(account_id=account)
        with pytest.raises((cloudflare.PermissionDeniedError, cloudflare.AuthenticationError)):
            await wrong.network_interconnects.interconnects.create(
                account_id=account,
                account=account,
                type="gcp_partner",
                bandwidth="1G",
                pairing_key="k",
            )
    finally:
        await wrong.close()
    assert denied.value.status_code in {401, 403}
    assert "not-the-token" not in str(denied.value)
